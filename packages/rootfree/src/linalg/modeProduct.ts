import * as tf from '@tensorflow/tfjs-core';

/**
 * Distributed Shampoo's `merge_small_dims(shape, threshold)`: greedily merges neighbouring axes
 * while the product stays <= threshold (size-1 axes always merge). `[1,2,5,1]`, 10 → `[10]`.
 * An empty shape (scalar) stays empty.
 */
export function mergeSmallDims(shape: readonly number[], threshold: number): number[] {
  if (shape.length === 0) return [];
  const out = [shape[0]];
  for (const next of shape.slice(1)) {
    const last = out[out.length - 1];
    const merged = last * next;
    if (last === 1 || next === 1 || merged <= threshold) out[out.length - 1] = merged;
    else out.push(next);
  }
  return out;
}

/**
 * Mode-k self-contractions unf_k(G)·unf_k(G)ᵀ for every axis of G viewed with shape `dims`.
 * Cyclic scheme: viewed as [d_k, rest], the current layout *is* the mode-k unfolding (column
 * order is irrelevant for U·Uᵀ); its explicit transpose [rest, d_k] is the layout whose leading
 * axis is k+1. One transpose and one untransposed 2-D matMul per axis (fast wasm path).
 */
export function modeGrams(g: tf.Tensor, dims: readonly number[]): tf.Tensor2D[] {
  const size = g.size;
  let cur: tf.Tensor = g;
  const out: tf.Tensor2D[] = [];
  for (const d of dims) {
    const u = tf.reshape(cur, [d, size / d]) as tf.Tensor2D;
    const ut = tf.transpose(u);
    out.push(tf.matMul(u, ut));
    cur = ut;
  }
  return out;
}

/**
 * G ×_1 M_1ᵀ ×_2 … ×_N M_Nᵀ (i.e. tensordot over axis 0 with each M in turn, as the reference
 * does; for the symmetric inverse roots of Shampoo this is G ×_k M_k). G is viewed with shape
 * `dims`; the result has G's shape.
 */
export function multiModeProduct(g: tf.Tensor, dims: readonly number[], mats: readonly tf.Tensor2D[]): tf.Tensor {
  if (mats.length !== dims.length) throw new RangeError(`multiModeProduct: ${dims.length} axes but ${mats.length} matrices`);
  const size = g.size;
  let cur: tf.Tensor = g;
  dims.forEach((d, k) => {
    const u = tf.reshape(cur, [d, size / d]) as tf.Tensor2D;
    cur = tf.matMul(tf.transpose(u), mats[k]);
  });
  return tf.reshape(cur, g.shape);
}

/** T ×_axis M: `(T ×_a M)[…, i, …] = Σ_k M[i,k]·T[…, k, …]` (SPEC §0.3), for any rank. */
export function modeProduct(t: tf.Tensor, m: tf.Tensor2D, axis: number): tf.Tensor {
  const rank = t.rank;
  if (axis < 0 || axis >= rank || !Number.isInteger(axis)) throw new RangeError(`modeProduct: axis ${axis} out of range for a rank-${rank} tensor`);
  if (m.shape[1] !== t.shape[axis]) throw new RangeError(`modeProduct: matrix [${m.shape}] does not match axis ${axis} of size ${t.shape[axis]}`);
  const perm = [axis, ...t.shape.map((_, i) => i).filter((i) => i !== axis)];
  const moved = rank === 1 ? t : tf.transpose(t, perm);
  const rest = moved.shape.slice(1);
  const prod = tf.matMul(m, tf.reshape(moved, [t.shape[axis], t.size / t.shape[axis]]));
  const back = tf.reshape(prod, [m.shape[0], ...rest]);
  if (rank === 1) return back;
  const inv = new Array<number>(rank);
  perm.forEach((p, i) => (inv[p] = i));
  return tf.transpose(back, inv);
}
