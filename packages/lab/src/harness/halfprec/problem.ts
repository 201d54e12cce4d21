import type * as tf from '@tensorflow/tfjs-core';
import type { KfacLayerSpec } from 'rootfree';

/**
 * Computes a layer's pre-activation output (`forward`) from its input; SINGD's `capture` records
 * both, everything else just calls `forward`.
 */
export type LayerCapture = (layer: string, input: tf.Tensor, forward: () => tf.Tensor) => tf.Tensor;
export const noCapture: LayerCapture = (_layer, _input, forward) => forward();

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
  /**
   * Dense layers for SINGD: `weight`/`bias` are parameter names (the run maps them to its
   * variable names).
   */
  layers: KfacLayerSpec[];
  /** Mean loss of the batch used by optimizer step `step` (0-based). */
  stepLoss(params: tf.Tensor[], step: number, capture?: LayerCapture): tf.Scalar;
  /** Mean loss over the whole fixed training pool (the reported loss). */
  fullLoss(params: tf.Tensor[]): tf.Scalar;
  /** Frees the data tensors. */
  dispose(): void;
}
