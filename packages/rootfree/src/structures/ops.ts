import * as tf from '@tensorflow/tfjs-core';
import { maybeRound, type Precision } from '../precision/index.js';

/** Named stored tensors of a structure. */
export type Parts = Record<string, tf.Tensor>;

/**
 * Runs `fn` under `tf.tidy`, rounds every returned part to `precision` and clones any part that
 * is one of `inputs` (a structure never shares a tensor object with another one, so disposing
 * one cannot invalidate the other).
 */
export function tidyParts(fn: () => Parts, precision: Precision, inputs: readonly tf.Tensor[] = []): Parts {
  return tf.tidy(() => {
    const out: Parts = {};
    for (const [k, t] of Object.entries(fn())) {
      const r = maybeRound(t, precision);
      out[k] = inputs.includes(r) ? r.clone() : r;
    }
    return out;
  });
}

// wasm's matMul, sum and max return garbage for zero-size operands, so every helper below
// handles empty shapes explicitly (they occur in the small regimes of block/hierarchical/arrow).

/** a·b for 2-D operands (explicitly untransposed: wasm's fast path). */
export function mm(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor2D {
  if (a.shape[1] === 0 || a.shape[0] === 0 || b.shape[1] === 0) return tf.zeros([a.shape[0], b.shape[1]]);
  return tf.matMul(a, b);
}

/** Transpose of a matrix (wasm's Transpose kernel fails on some zero-size inputs). */
export function tr(a: tf.Tensor2D): tf.Tensor2D {
  return a.size === 0 ? tf.zeros([a.shape[1], a.shape[0]]) : tf.transpose(a);
}

/** aᵀ·b with an explicit transpose. */
export function mmTN(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor2D {
  return mm(tr(a), b);
}

/** a·bᵀ with an explicit transpose. */
export function mmNT(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor2D {
  return mm(a, tr(b));
}

/**
 * Batched a_i·b_i. wasm has no fast batched kernel, but slicing a big tensor into n pieces costs
 * n full copies there (its Slice kernel reads the whole input), so one batched call is the
 * cheapest option measured (34 blocks of 30, m = 512: batched 29 ms, sliced 2-D loop 45 ms,
 * broadcast-multiply-sum 41 ms, dense 1020² product 62 ms).
 */
export function bmm(a: tf.Tensor3D, b: tf.Tensor3D): tf.Tensor3D {
  const [n, p, k] = a.shape;
  const m = b.shape[2];
  if (n === 0 || p === 0 || k === 0 || m === 0) return tf.zeros([n, p, m]);
  return tf.matMul(a, b);
}

/** Transposes the last two axes of a batch of matrices. */
export function bT(a: tf.Tensor3D): tf.Tensor3D {
  return a.size === 0 ? tf.zeros([a.shape[0], a.shape[2], a.shape[1]]) : tf.transpose(a, [0, 2, 1]);
}

export function sumAll(t: tf.Tensor): tf.Scalar {
  return t.size === 0 ? tf.scalar(0) : tf.sum(t);
}

export function sumSquares(ts: readonly tf.Tensor[]): tf.Scalar {
  return ts.reduce<tf.Scalar>((acc, t) => (t.size === 0 ? acc : tf.add(acc, tf.sum(tf.square(t)))), tf.scalar(0));
}

export function maxAbs(ts: readonly tf.Tensor[]): tf.Scalar {
  const m = ts.filter((t) => t.size > 0).map((t) => tf.max(tf.abs(t)) as tf.Scalar);
  if (m.length === 0) return tf.scalar(0);
  return m.length === 1 ? m[0] : (tf.max(tf.stack(m)) as tf.Scalar);
}

/** Main diagonal of a square matrix in O(d) (strided slice of the flat data). */
export function diagPart(m: tf.Tensor2D): tf.Tensor1D {
  const d = m.shape[0];
  if (d === 0) return tf.zeros([0]);
  return tf.stridedSlice(tf.reshape(m, [d * d]), [0], [d * d], [d + 1]) as tf.Tensor1D;
}

/** Diagonals of a batch of square matrices, shape [n, b]. */
export function batchDiagPart(a: tf.Tensor3D): tf.Tensor2D {
  const [n, b] = a.shape;
  if (n === 0 || b === 0) return tf.zeros([n, b]);
  return tf.stridedSlice(tf.reshape(a, [n, b * b]), [0, 0], [n, b * b], [1, b + 1]) as tf.Tensor2D;
}

/**
 * c·I_k without `tf.eye` (which fills k² values in JS, ~2 ms at k = 512 on wasm): a column of c
 * padded to k×(k+1) and read as k×k puts c exactly at the flat positions i·(k+1).
 */
export function scaledIdentity(k: number, c: number | tf.Scalar): tf.Tensor2D {
  const column = typeof c === 'number' ? tf.fill([k, 1], c) : tf.mul(tf.ones([k, 1]), c);
  const padded = tf.reshape(tf.pad(column, [[0, 0], [0, k]]), [k * (k + 1)]);
  return tf.reshape(tf.slice(padded, [0], [k * k]), [k, k]);
}

/** m + c·I (works for a batch [n, b, b] by broadcasting). */
export function plusIdentity<T extends tf.Tensor>(m: T, c: number | tf.Scalar): T {
  const k = m.shape[m.rank - 1];
  if (m.size === 0) return m.clone();
  return tf.add(m, scaledIdentity(k, c));
}

/** diag(v) as a dense matrix (O(k²), only for toDense). */
export function diagMatrix(v: tf.Tensor1D): tf.Tensor2D {
  const k = v.shape[0];
  return tf.mul(tf.eye(k), tf.reshape(v, [1, k]));
}

/** Rows [start, start+size) of a 2-D tensor. */
export function rows(x: tf.Tensor2D, start: number, size: number): tf.Tensor2D {
  if (start === 0 && size === x.shape[0]) return x;
  return tf.slice(x, [start, 0], [size, x.shape[1]]);
}

/** Columns [start, start+size) of a 2-D tensor. */
export function cols(x: tf.Tensor2D, start: number, size: number): tf.Tensor2D {
  if (start === 0 && size === x.shape[1]) return x;
  return tf.slice(x, [0, start], [x.shape[0], size]);
}

/** Entries [start, start+size) of a vector. */
export function part(v: tf.Tensor1D, start: number, size: number): tf.Tensor1D {
  if (start === 0 && size === v.shape[0]) return v;
  return tf.slice(v, [start], [size]);
}

export function concatRows(xs: readonly tf.Tensor2D[]): tf.Tensor2D {
  const ne = xs.filter((x) => x.shape[0] > 0);
  if (ne.length === 0) return tf.zeros([0, xs[0]?.shape[1] ?? 0]);
  return ne.length === 1 ? ne[0] : tf.concat(ne, 0);
}

export function concatCols(xs: readonly tf.Tensor2D[]): tf.Tensor2D {
  const ne = xs.filter((x) => x.shape[1] > 0);
  if (ne.length === 0) return tf.zeros([xs[0]?.shape[0] ?? 0, 0]);
  return ne.length === 1 ? ne[0] : tf.concat(ne, 1);
}

/** v as a column (k×1) or row (1×k). */
export const col = (v: tf.Tensor1D): tf.Tensor2D => tf.reshape(v, [v.shape[0], 1]);
export const row = (v: tf.Tensor1D): tf.Tensor2D => tf.reshape(v, [1, v.shape[0]]);

/** Row sums of x² (the diagonal of x·xᵀ). */
export function rowSumSq(x: tf.Tensor2D): tf.Tensor1D {
  if (x.size === 0) return tf.zeros([x.shape[0]]);
  return tf.sum(tf.square(x), 1);
}

/** Column sums of x². */
export function colSumSq(x: tf.Tensor2D): tf.Tensor1D {
  if (x.size === 0) return tf.zeros([x.shape[1]]);
  return tf.sum(tf.square(x), 0);
}

/** Row-wise dot products of x (k×m) with the single row y (1×m): x·yᵀ as a vector (O(km)). */
export function rowDot(x: tf.Tensor2D, y: tf.Tensor2D): tf.Tensor1D {
  if (x.shape[0] === 0 || x.shape[1] === 0) return tf.zeros([x.shape[0]]);
  return tf.sum(tf.mul(x, y), 1);
}

/** Scalar entry 0 of a length-1 vector as a rank-0 tensor. */
export function scalarOf(v: tf.Tensor1D): tf.Scalar {
  return tf.reshape(v, []);
}

/** Gathers a dense rows×cols matrix from `flat` through a precomputed index map (−1 = zero). */
export function gatherDense(flat: tf.Tensor1D, index: Int32Array, rowsN: number, colsN: number): tf.Tensor2D {
  const zeroSlot = flat.shape[0];
  // The remapped index is cached with its (usually cached) source map: O(d²) JS per call was
  // the dominant cost of Toeplitz products at d = 512.
  let idx = remapped.get(index);
  if (!idx || idx.zeroSlot !== zeroSlot) {
    idx = { zeroSlot, data: Int32Array.from(index, (i) => (i < 0 ? zeroSlot : i)) };
    remapped.set(index, idx);
  }
  const src = tf.concat([flat, tf.zeros([1])]);
  return tf.reshape(tf.gather(src, tf.tensor1d(idx.data, 'int32')), [rowsN, colsN]);
}
const remapped = new WeakMap<Int32Array, { zeroSlot: number; data: Int32Array }>();
