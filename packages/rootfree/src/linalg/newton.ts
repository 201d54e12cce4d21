import * as tf from '@tensorflow/tfjs-core';
import { maybeRound, type Precision } from '../precision/index.js';
import { frobeniusNorm64, identity64, matmul64, matpow64, maxAbsDiffIdentity64 } from './dense64.js';

/**
 * Coupled inverse Newton iteration for A^(−1/p) (SPEC §5.5, Distributed Shampoo's
 * `_matrix_inverse_root_newton`). Matmul-only, so it can run in emulated half precision, which is
 * how root-based Shampoo's instability in bf16 is demonstrated (SPEC §5.7).
 */
export interface NewtonOptions {
  /** Iteration cap. Default 1000 (the reference's). */
  maxIterations?: number;
  /** Stop when max|M − I| <= tolerance. Default 1e-6 (the reference's). */
  tolerance?: number;
}

export interface NewtonResult64 {
  /** ≈ (A + εI)^(−1/p), row-major n×n. */
  x: Float64Array;
  /** Final M = Xᵖ(A + εI) (→ I). */
  m: Float64Array;
  iterations: number;
  /** Final max|M − I|. */
  error: number;
  converged: boolean;
}

function checkRoot(p: number): void {
  if (!Number.isInteger(p) || p < 1) throw new RangeError(`Newton inverse root: root must be a positive integer, got ${p}`);
}

/** Float64 version on a row-major n×n matrix (not modified). */
export function newtonInverseRoot64(a: ArrayLike<number>, n: number, p: number, epsilon: number, options: NewtonOptions = {}): NewtonResult64 {
  checkRoot(p);
  const maxIter = options.maxIterations ?? 1000;
  const tol = options.tolerance ?? 1e-6;
  const alpha = -1 / p;
  const ae = Float64Array.from(a);
  for (let i = 0; i < n; i++) ae[i * n + i] += epsilon;
  const z = (p + 1) / (2 * frobeniusNorm64(ae));
  let x: Float64Array = identity64(n, z ** (1 / p));
  let m: Float64Array = ae.map((v) => z * v);
  let error = maxAbsDiffIdentity64(m, n);
  let k = 0;
  while (error > tol && k < maxIter) {
    k++;
    const mp = m.map((v) => alpha * v);
    for (let i = 0; i < n; i++) mp[i * n + i] += 1 - alpha;
    x = matmul64(x, mp, n);
    m = matmul64(matpow64(mp, n, p), m, n);
    error = maxAbsDiffIdentity64(m, n);
  }
  return { x, m, iterations: k, error, converged: error <= tol };
}

export interface NewtonResultTf {
  /** ≈ (A + εI)^(−1/p) in `precision` (values representable in it). Owned by the caller. */
  x: tf.Tensor2D;
  iterations: number;
  error: number;
  converged: boolean;
}

/**
 * The same iteration with tfjs ops, every intermediate rounded to `precision` (2-D untransposed
 * matMuls only). Reads max|M − I| back once per iteration to test convergence, so it belongs on
 * preconditioner-update steps only.
 */
export function newtonInverseRootTf(a: tf.Tensor2D, p: number, epsilon: number, precision: Precision, options: NewtonOptions = {}): NewtonResultTf {
  checkRoot(p);
  const n = a.shape[0];
  if (a.shape[1] !== n) throw new RangeError(`Newton inverse root: expected a square matrix, got [${a.shape}]`);
  const maxIter = options.maxIterations ?? 1000;
  const tol = options.tolerance ?? 1e-6;
  const alpha = -1 / p;
  const r = <T extends tf.Tensor>(t: T): T => maybeRound(t, precision);
  const eye = tf.eye(n);
  let x: tf.Tensor2D;
  let m: tf.Tensor2D;
  let error: number;
  [x, m, error] = tf.tidy(() => {
    const ae = r(tf.add(r(a), r(tf.mul(eye, epsilon)))) as tf.Tensor2D;
    const z = r(tf.div(p + 1, r(tf.mul(r(tf.norm(ae)), 2))));
    const x0 = r(tf.mul(eye, r(tf.pow(z, 1 / p)))) as tf.Tensor2D;
    const m0 = r(tf.mul(ae, z)) as tf.Tensor2D;
    return [x0, m0, maxDiffIdentity(m0, eye)] as [tf.Tensor2D, tf.Tensor2D, number];
  });
  let k = 0;
  while (error > tol && k < maxIter && Number.isFinite(error)) {
    k++;
    const [x1, m1] = tf.tidy(() => {
      const mp = r(tf.add(r(tf.mul(m, alpha)), tf.mul(eye, 1 - alpha))) as tf.Tensor2D;
      const xNext = r(tf.matMul(x, mp));
      const mNext = r(tf.matMul(matPowRounded(mp, p, r), m));
      return [xNext, mNext] as [tf.Tensor2D, tf.Tensor2D];
    });
    x.dispose();
    m.dispose();
    x = x1;
    m = m1;
    error = maxDiffIdentity(m, eye);
  }
  m.dispose();
  eye.dispose();
  return { x, iterations: k, error, converged: error <= tol };
}

function maxDiffIdentity(m: tf.Tensor2D, eye: tf.Tensor2D): number {
  const v = tf.tidy(() => tf.max(tf.abs(tf.sub(m, eye))));
  const e = v.dataSync()[0];
  v.dispose();
  return Number.isNaN(e) ? Infinity : e;
}

/** Binary powering (torch.linalg.matrix_power order), rounding after every product. */
export function matPowRounded(a: tf.Tensor2D, p: number, r: <T extends tf.Tensor>(t: T) => T): tf.Tensor2D {
  let result: tf.Tensor2D | null = null;
  let base = a;
  let e = p;
  while (e > 0) {
    if (e & 1) result = result === null ? base : r<tf.Tensor2D>(tf.matMul(result as tf.Tensor2D, base));
    e >>>= 1;
    if (e > 0) base = r<tf.Tensor2D>(tf.matMul(base, base));
  }
  return result ?? tf.reshape(tf.eye(a.shape[0]), [a.shape[0], a.shape[0]]);
}

