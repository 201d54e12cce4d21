import * as tf from '@tensorflow/tfjs-core';
import { maybeRound, type Precision } from '../precision/index.js';
import type { Structured, StructureClass } from './types.js';

/** Unstructured d×d matrix; everything by dense algebra (SPEC §3.2 "Dense"). */
export class DenseMatrix implements Structured {
  readonly kind = 'dense';
  readonly dim: number;
  constructor(readonly mat: tf.Tensor2D, readonly precision: Precision = 'float32') {
    this.dim = mat.shape[0];
  }
  private r<T extends tf.Tensor>(x: T): T {
    return maybeRound(x, this.precision);
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
    // wasm matMul is fast only untransposed: transpose explicitly (TFJS-FINDINGS §1.1).
    return this.r(tf.matMul(tf.transpose(this.mat), x) as tf.Tensor2D);
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
    if (!x) return new DenseMatrix(this.r(tf.matMul(tf.transpose(this.mat), this.mat) as tf.Tensor2D), this.precision);
    const s = this.rmatmat(x);
    return new DenseMatrix(this.r(tf.matMul(s, tf.transpose(s)) as tf.Tensor2D), this.precision);
  }
  diagAdd(c: number | tf.Scalar) {
    return new DenseMatrix(this.r(tf.add(this.mat, tf.mul(tf.eye(this.dim), c)) as tf.Tensor2D), this.precision);
  }
  averageTrace() {
    return this.r(tf.div(tf.sum(tf.mul(this.mat, tf.eye(this.dim))), this.dim)) as tf.Scalar;
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
  fromMatInner: (x, p = 'float32') => new DenseMatrix(maybeRound(tf.matMul(x, tf.transpose(x)) as tf.Tensor2D, p), p),
  fromTensors: (_d, t, p = 'float32') => new DenseMatrix(t.mat as tf.Tensor2D, p),
  storageBytes: (d) => 4 * d * d,
};
