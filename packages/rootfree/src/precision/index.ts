import * as tf from '@tensorflow/tfjs-core';
import { hasRoundKernel, registerRoundKernel, roundWithKernel, ROUND_KERNEL_BACKENDS } from '../backend/roundKernel.js';
import { roundComposite } from './composite.js';
import type { Precision } from './types.js';

export type { Precision } from './types.js';
export { parsePrecision, PRECISIONS } from './types.js';
export { roundArray, toBf16Bits, fromBf16Bits, toFp16Bits, fromFp16Bits } from './array.js';
export { roundComposite } from './composite.js';

/**
 * Rounds every element of `x` to `precision` (round-to-nearest-even); returns a new float32
 * tensor. `float32` returns a clone so callers can dispose the input uniformly.
 * Uses the `RootfreeRound` kernel on cpu/wasm (registered on first use if `useBackend` did not),
 * else the composite of plain tfjs ops (webgl, webgpu, custom backends).
 */
export function roundTensor(x: tf.Tensor, precision: Precision): tf.Tensor {
  if (precision === 'float32') return x.clone();
  const backend = tf.getBackend();
  if (hasRoundKernel(backend) || (ROUND_KERNEL_BACKENDS.includes(backend) && registerRoundKernel(backend))) {
    if (x.dtype === 'float32') return roundWithKernel(x, precision);
    return tf.tidy(() => roundWithKernel(tf.cast(x, 'float32'), precision));
  }
  return roundComposite(x, precision);
}

/** Rounds `x` unless `precision` is float32, in which case `x` itself is returned (no copy). */
export function maybeRound<T extends tf.Tensor>(x: T, precision: Precision): T {
  return precision === 'float32' ? x : (roundTensor(x, precision) as T);
}

/**
 * Emulated half-precision matmul: inputs are assumed to be already representable in
 * `precision`, so their products are exact in fp32; accumulation in fp32; the result is rounded
 * once (SPEC §6.3 rule 3).
 */
export function matMulP(a: tf.Tensor2D, b: tf.Tensor2D, precision: Precision): tf.Tensor2D {
  if (precision === 'float32') return tf.matMul(a, b);
  return tf.tidy(() => roundTensor(tf.matMul(a, b), precision) as tf.Tensor2D);
}
