import * as tf from '@tensorflow/tfjs-core';
import type { Precision } from '../precision/index.js';
import { StructuredBase, checkParts } from './base.js';
import { col, mm, mmNT, tidyParts, type Parts } from './ops.js';
import type { Structured, StructureClass } from './types.js';

/**
 * The dense triangular Toeplitz matrix of coefficients c in O(d²) copies (wasm's gather costs
 * ~80 ns per element, this ~20× less): with w = [0 (d−1 times), c_0…c_{d−1}] (reversed for the
 * lower triangle), row i is the window w[d−1−i … 2d−2−i]; tiling w and reading it with row
 * stride 2d−2 from offset d−1 produces exactly these windows.
 */
export function toeplitzDense(c: tf.Tensor1D, lower: boolean): tf.Tensor2D {
  if (c.shape[0] > 1 && hostMemory()) return toeplitzDenseHost(c, lower);
  return toeplitzDenseOps(c, lower);
}

/** The op path of `toeplitzDense` (webgl/webgpu; exported for tests against the host path). */
export function toeplitzDenseOps(c: tf.Tensor1D, lower: boolean): tf.Tensor2D {
  const d = c.shape[0];
  if (d === 1) return tf.reshape(c, [1, 1]);
  const w = tf.concat([tf.zeros([d - 1]), c]);
  const src = lower ? tf.reverse(w) : w;
  // Tile by a broadcast add (wasm's Tile kernel is slow JS).
  const tiled = tf.reshape(tf.add(tf.zeros([d + 1, 1]), tf.reshape(src, [1, 2 * d - 1])), [(d + 1) * (2 * d - 1)]);
  const flat = tf.slice(tiled, [d - 1], [d * (2 * d - 2)]);
  return tf.slice(tf.reshape(flat, [d, 2 * d - 2]), [0, 0], [d, d]) as tf.Tensor2D;
}

/**
 * cpu and wasm keep tensors in host memory, where reading d coefficients and writing d² values
 * from JS costs ~2 ms at d = 1024, against ~60 ms for the slice/reverse/tile ops above (wasm's
 * strided Slice and Reverse are slow); other backends keep the op path (no device read-back).
 */
function hostMemory(): boolean {
  const b = tf.getBackend();
  return b === 'cpu' || b === 'wasm';
}

export function toeplitzDenseHost(c: tf.Tensor1D, lower: boolean): tf.Tensor2D {
  const d = c.shape[0];
  const cv = c.dataSync();
  const out = new Float32Array(d * d);
  for (let i = 0; i < d; i++) {
    const row = i * d;
    if (lower) for (let j = 0; j <= i; j++) out[row + j] = cv[i - j];
    else for (let j = i; j < d; j++) out[row + j] = cv[j - i];
  }
  return tf.tensor2d(out, [d, d]);
}

/** `diagonalSums` in host memory (float64 accumulation, one rounding to float32 per sum). */
export function diagonalSumsHost(m: tf.Tensor2D): tf.Tensor1D {
  const d = m.shape[0];
  const v = m.dataSync();
  const acc = new Float64Array(2 * d - 1);
  for (let i = 0; i < d; i++) {
    const row = i * d;
    const base = d - 1 + i;
    for (let j = 0; j < d; j++) acc[base - j] += v[row + j];
  }
  return tf.tensor1d(Float32Array.from(acc));
}

/**
 * Sums of every diagonal of a square M in O(d²): entry (d−1) + k of the result is the sum of
 * the entries with i − j = k (k = −(d−1)…d−1). Skew trick: with columns reversed, row i shifted
 * left by i (a flat reshape of M padded by d zero columns) puts each diagonal in one column.
 */
function diagonalSums(m: tf.Tensor2D): tf.Tensor1D {
  return hostMemory() ? diagonalSumsHost(m) : diagonalSumsOps(m);
}

/** The op path of `diagonalSums` (exported for tests against the host path). */
export function diagonalSumsOps(m: tf.Tensor2D): tf.Tensor1D {
  const d = m.shape[0];
  const padded = tf.concat([tf.reverse(m, 1), tf.zeros([d, d])], 1);
  const skew = tf.reshape(tf.slice(tf.reshape(padded, [2 * d * d]), [0], [d * (2 * d - 1)]), [d, 2 * d - 1]);
  return tf.sum(skew, 0);
}

/** Toeplitz projection (SPEC §3.2): c_0 = mean diagonal, c_k = (sub_k + super_k)/(d − k). */
function projectToeplitz(m: tf.Tensor2D): tf.Tensor1D {
  const d = m.shape[0];
  const sums = diagonalSums(m);
  const sub = tf.slice(sums, [d - 1], [d]);
  const sup = tf.reverse(tf.slice(sums, [0], [d]));
  const folded = tf.add(sub, tf.mul(sup, tf.tensor1d(Array.from({ length: d }, (_, k) => (k === 0 ? 0 : 1)))));
  return tf.div(folded, tf.tensor1d(Array.from({ length: d }, (_, k) => d - k)));
}

/**
 * Triangular Toeplitz matrix of coefficients `coeffs` = (c_0…c_{d−1}) on the lower (tril) or
 * upper (triu) diagonals (SPEC §3.2). Products with dense X use the d×d Toeplitz matrix (built by
 * an O(d²) gather) and one 2-D matMul, O(d²m) like the reference (tfjs-wasm has no FFT);
 * the structured product and Π(KᵀK) are O(d²) Toeplitz mat-vecs (reference: O(d³));
 * Π(X Xᵀ) is the reference's O(d²m).
 */
export abstract class ToeplitzMatrix extends StructuredBase {
  protected abstract readonly lower: boolean;
  constructor(readonly coeffs: tf.Tensor1D, precision: Precision) {
    super(coeffs.shape[0], { coeffs }, precision);
  }
  protected sameLayout(): boolean {
    return true;
  }
  toDense(): tf.Tensor2D {
    return tf.tidy(() => toeplitzDense(this.coeffs, this.lower));
  }
  matmul(x: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => this.r(mm(toeplitzDense(this.coeffs, this.lower), x)));
  }
  rmatmat(x: tf.Tensor2D): tf.Tensor2D {
    // The transpose of a lower Toeplitz matrix is the upper one with the same coefficients.
    return tf.tidy(() => this.r(mm(toeplitzDense(this.coeffs, !this.lower), x)));
  }
  protected mulParts(o: this): Parts {
    // Truncated convolution c''_k = Σ_{i≤k} c_i c'_{k−i}, for both triangles.
    return { coeffs: tf.reshape(mm(toeplitzDense(this.coeffs, true), col(o.coeffs)), [this.dim]) };
  }
  protected innerParts(): Parts {
    // The k-th diagonal of KᵀK sums to s_k = Σ_{u≥k} (d−u)·c_u·c_{u−k} for both triangles.
    const d = this.dim;
    const w = tf.mul(this.coeffs, tf.tensor1d(Array.from({ length: d }, (_, u) => d - u))) as tf.Tensor1D;
    const s = tf.reshape(mm(toeplitzDense(this.coeffs, false), col(w)), [d]);
    return { coeffs: tf.mul(s, tf.tensor1d(Array.from({ length: d }, (_, k) => (k === 0 ? 1 : 2) / (d - k)))) };
  }
  protected outerParts(s: tf.Tensor2D): Parts {
    return { coeffs: projectToeplitz(mmNT(s, s)) };
  }
  protected diagAddParts(c: number | tf.Scalar): Parts {
    const e0 = tf.tensor1d(Array.from({ length: this.dim }, (_, k) => (k === 0 ? 1 : 0)));
    return { coeffs: tf.add(this.coeffs, tf.mul(e0, c)) };
  }
  protected trace(): tf.Scalar {
    return tf.mul(tf.reshape(tf.slice(this.coeffs, [0], [1]), []), this.dim);
  }
  override averageTrace(): tf.Scalar {
    return tf.tidy(() => tf.reshape(tf.slice(this.coeffs, [0], [1]), []));
  }
  override frobeniusNorm(): tf.Scalar {
    const d = this.dim;
    return tf.tidy(() => this.r(tf.sqrt(tf.sum(tf.mul(tf.square(this.coeffs), tf.tensor1d(Array.from({ length: d }, (_, k) => d - k))))) as tf.Scalar));
  }
}

/** The StructureClass of a Toeplitz kind, given the matrix constructor. */
export function toeplitzClass(kind: string, make: (coeffs: tf.Tensor1D, p: Precision) => Structured): StructureClass {
  const build = (d: number, p: Precision, fn: () => Parts, inputs: tf.Tensor[] = []) => {
    if (!Number.isInteger(d) || d < 1) throw new RangeError(`${kind}: dimension must be a positive integer, got ${d}`);
    return make(tidyParts(fn, p, inputs).coeffs as tf.Tensor1D, p);
  };
  return {
    kind,
    eye: (d, p = 'float32') => build(d, p, () => ({ coeffs: tf.tensor1d(Array.from({ length: d }, (_, k) => (k === 0 ? 1 : 0))) })),
    zeros: (d, p = 'float32') => build(d, p, () => ({ coeffs: tf.zeros([d]) })),
    fromDense: (m, p = 'float32') => build(m.shape[0], p, () => ({ coeffs: projectToeplitz(m) }), [m]),
    fromMatInner: (x, p = 'float32') => build(x.shape[0], p, () => ({ coeffs: projectToeplitz(mmNT(x, x)) }), [x]),
    fromTensors: (d, t, p = 'float32') => make(checkParts(kind, t, { coeffs: [d] }).coeffs as tf.Tensor1D, p),
    storageBytes: (d) => 4 * d,
  };
}
