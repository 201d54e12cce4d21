import type * as tf from '@tensorflow/tfjs-core';

/**
 * A fixed, seeded training problem: every run of the demo starts from the same parameters and
 * sees the same batches in the same order, so trajectories differ only by the optimizer.
 */
export interface HalfprecProblem {
  /** 'lstsq' | 'mlp'. */
  name: string;
  /** One line for the table header and the JSON. */
  description: string;
  /** Parameter names (variable name stems), shapes and initial values. */
  params: Array<{ name: string; shape: number[]; init: Float32Array }>;
  /** Batch size B handed to the optimizers (IF-Shampoo scales its Fisher estimate by it). */
  batchSize: number;
  /** Mean loss of the batch used by optimizer step `step` (0-based). */
  stepLoss(params: tf.Tensor[], step: number): tf.Scalar;
  /** Mean loss over the whole fixed training pool (the reported loss). */
  fullLoss(params: tf.Tensor[]): tf.Scalar;
  /** Frees the data tensors. */
  dispose(): void;
}
