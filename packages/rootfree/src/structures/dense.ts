import * as tf from '@tensorflow/tfjs-core';
import { maybeRound, type Precision } from '../precision/index.js';
import { diagPart, plusIdentity } from './ops.js';
import type { Structured, StructureClass } from './types.js';

/** Unstructured d×d matrix; everything by dense algebra (SPEC §3.2 "Dense"). */
export class DenseMatrix implements Structured {
  readonly kind = 'dense';
  readonly dim: number;
  constructor(readonly mat: tf.Tensor2D, readonly precision: Precision = 'float32') {
    this.dim = mat.shape[0];
  }
  /** Kᵀ, materialised once per tfjs scope (see `transposed`). */
  private memoT: tf.Tensor2D | null = null;
  private r<T extends tf.Tensor>(x: T): T {
    return maybeRound(x, this.precision);
  }
  /**
   * Kᵀ as a tensor. wasm matMul is fast only untransposed (TFJS-FINDINGS §1.1), so products with
   * Kᵀ need it materialised; one step uses it up to three times (rmatmat, fromInner, X·Kᵀ).
   * The memo belongs to the tfjs scope that made it: once that scope disposes it, it is rebuilt.
   */
  transposed(): tf.Tensor2D {
    if (this.memoT === null || this.memoT.isDisposed) this.memoT = tf.transpose(this.mat);
    return this.memoT;
  }
  /** X·K for dense X (m×d): a mode product on the last axis without transposing X. */
  matmulRight(x: tf.Tensor2D): tf.Tensor2D {
    return this.r(tf.matMul(x, this.mat) as tf.Tensor2D);
  }
  /** X·Kᵀ for dense X (m×d). */
  matmulRightT(x: tf.Tensor2D): tf.Tensor2D {
    return this.r(tf.matMul(x, this.transposed()) as tf.Tensor2D);
  }
  tensors() {
    return { mat: this.mat };
  }
  toDense() {
    return this.mat;
  }
  matmul(x: tf.Tensor2D): tf.Tensor2D {
    return this.r(tf.matMul(this.mat, x) as tf.Tensor2D);
  }
  rmatmat(x: tf.Tensor2D): tf.Tensor2D {
    return this.r(tf.matMul(this.transposed(), x) as tf.Tensor2D);
  }
  mul(other: Structured) {
    return new DenseMatrix(this.r(tf.matMul(this.mat, asDense(other).mat) as tf.Tensor2D), this.precision);
  }
  add(other: Structured, alpha = 1) {
    const o = asDense(other).mat;
    return new DenseMatrix(this.r((alpha === 1 ? tf.add(this.mat, o) : tf.add(this.mat, tf.mul(o, alpha))) as tf.Tensor2D), this.precision);
  }
  scale(c: number | tf.Scalar) {
    return new DenseMatrix(this.r(tf.mul(this.mat, c) as tf.Tensor2D), this.precision);
  }
  fromInner(x?: tf.Tensor2D) {
    if (!x) return new DenseMatrix(this.r(tf.matMul(this.transposed(), this.mat) as tf.Tensor2D), this.precision);
    const s = this.rmatmat(x);
    return new DenseMatrix(this.r(tf.matMul(s, tf.transpose(s)) as tf.Tensor2D), this.precision);
  }
  diagAdd(c: number | tf.Scalar) {
    return new DenseMatrix(this.r(plusIdentity(this.mat, c)), this.precision);
  }
  averageTrace() {
    return this.r(tf.div(tf.sum(diagPart(this.mat)), this.dim)) as tf.Scalar;
  }
  frobeniusNorm() {
    return this.r(tf.sqrt(tf.sum(tf.square(this.mat)))) as tf.Scalar;
  }
  maxNorm() {
    return tf.max(tf.abs(this.mat)) as tf.Scalar;
  }
  withPrecision(p: Precision) {
    return new DenseMatrix(maybeRound(this.mat, p), p);
  }
}

function asDense(s: Structured): DenseMatrix {
  if (!(s instanceof DenseMatrix)) throw new TypeError(`dense: cannot combine with a '${s.kind}' matrix`);
  return s;
}

export const Dense: StructureClass = {
  kind: 'dense',
  eye: (d, p = 'float32') => new DenseMatrix(tf.eye(d), p),
  zeros: (d, p = 'float32') => new DenseMatrix(tf.zeros([d, d]), p),
  fromDense: (m, p = 'float32') => new DenseMatrix(maybeRound(m, p), p),
  fromMatInner: (x, p = 'float32', xT) => new DenseMatrix(maybeRound(tf.matMul(x, xT ?? tf.transpose(x)) as tf.Tensor2D, p), p),
  fromTensors: (_d, t, p = 'float32') => new DenseMatrix(t.mat as tf.Tensor2D, p),
  storageBytes: (d) => 4 * d * d,
};
