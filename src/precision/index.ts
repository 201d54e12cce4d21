import * as tf from '@tensorflow/tfjs-core';
import { roundComposite } from './composite.js';
import type { Precision } from './types.js';

export type { Precision } from './types.js';
export { parsePrecision, PRECISIONS } from './types.js';

/**
 * Rounds every element of `x` to `precision` (round-to-nearest-even); returns a new tensor.
 * `float32` returns a clone so callers can dispose the input uniformly.
 */
export function roundTensor(x: tf.Tensor, precision: Precision): tf.Tensor {
  return roundComposite(x, precision);
}

/** Rounds `x` unless `precision` is float32, in which case `x` itself is returned (no copy). */
export function maybeRound<T extends tf.Tensor>(x: T, precision: Precision): T {
  return precision === 'float32' ? x : (roundTensor(x, precision) as T);
}

/**
 * Emulated half-precision matmul: inputs rounded, products exact in fp32, fp32 accumulation,
 * result rounded once (SPEC §6.3 rule 3). Inputs are assumed to be already representable.
 */
export function matMulP(a: tf.Tensor2D, b: tf.Tensor2D, precision: Precision): tf.Tensor2D {
  return maybeRound(tf.matMul(a, b), precision);
}
