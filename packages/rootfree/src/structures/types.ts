import type * as tf from '@tensorflow/tfjs-core';
import type { Precision } from '../precision/index.js';

/**
 * A structured square matrix (SPEC §3), immutable: every operation returns new tensors or a new
 * structure; callers manage disposal with `tf.tidy`. Each result that the reference stores in the
 * structure's dtype is rounded to `precision` (SPEC §6.3); dense inputs `X` are used as given.
 * No operation may fall back to a hidden dense d×d computation unless SPEC §3.3 says so.
 */
export interface Structured {
  readonly kind: string;
  /** d: the represented matrix is d×d. */
  readonly dim: number;
  readonly precision: Precision;
  /** The stored tensors by name (state slots; names without '/'). */
  tensors(): Record<string, tf.Tensor>;
  /** The represented dense d×d matrix. */
  toDense(): tf.Tensor2D;
  /** K·X for dense X (d×m). */
  matmul(x: tf.Tensor2D): tf.Tensor2D;
  /** Kᵀ·X for dense X (d×m). */
  rmatmat(x: tf.Tensor2D): tf.Tensor2D;
  /** Structured product K·L (L of the same class and dimension). */
  mul(other: Structured): Structured;
  /** K + α·L, entrywise on stored tensors. */
  add(other: Structured, alpha?: number): Structured;
  /** c·K (c a number or a scalar tensor). */
  scale(c: number | tf.Scalar): Structured;
  /** Π(Kᵀ X Xᵀ K); with no X: Π(Kᵀ K). */
  fromInner(x?: tf.Tensor2D): Structured;
  /** K + c·I (c a number or a scalar tensor). */
  diagAdd(c: number | tf.Scalar): Structured;
  /** tr(K)/d as a scalar tensor. */
  averageTrace(): tf.Scalar;
  /** ‖K‖_F of the represented matrix. */
  frobeniusNorm(): tf.Scalar;
  /** Max absolute stored entry (= ‖K‖_max). */
  maxNorm(): tf.Scalar;
  /** Same structure with stored tensors rounded to `p` (and `precision` = p). */
  withPrecision(p: Precision): Structured;
}

/** The class-level operations of one structure kind. */
export interface StructureClass {
  readonly kind: string;
  eye(d: number, precision?: Precision): Structured;
  zeros(d: number, precision?: Precision): Structured;
  /** Projection Π(M) of a (symmetric) dense d×d matrix onto the structure. */
  fromDense(m: tf.Tensor2D, precision?: Precision): Structured;
  /**
   * Π(X Xᵀ) for X of shape d×m. `xT`, when the caller already holds Xᵀ (a matrix's two
   * unfoldings are each other's transposes), saves a dense structure the transpose.
   */
  fromMatInner(x: tf.Tensor2D, precision?: Precision, xT?: tf.Tensor2D): Structured;
  /** Rebuilds a structure from `tensors()` output (state restore). */
  fromTensors(d: number, t: Record<string, tf.Tensor>, precision?: Precision): Structured;
  /** Bytes of stored float32 data for dimension d (reported by benchmarks). */
  storageBytes(d: number): number;
}
