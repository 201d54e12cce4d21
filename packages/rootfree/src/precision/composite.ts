import * as tf from '@tensorflow/tfjs-core';
import type { Precision } from './types.js';

/**
 * Round-to-nearest-even with plain tfjs ops (any backend), bit-exact with `roundArray` on
 * backends with IEEE float32 arithmetic incl. subnormals (cpu, wasm; GPUs that flush
 * subnormals to zero lose the subnormal band).
 *
 * Works on |x| and restores the sign bit at the end (so -0 and negatives that round to zero stay
 * -0). Bands:
 * - normal: Veltkamp split c = a·(2^s + 1); r = c − (c − a) keeps the top (24 − s) significand
 *   bits with RNE (TFJS-FINDINGS §5). Each op is one float32 rounding on cpu too (its float64
 *   intermediates are exact here).
 * - subnormal of the target format: (a + C) − C with C = 2^23 · quantum; the float32 add rounds
 *   a to a multiple of the quantum with ties to even. (`tf.round` is avoided: its tie rule is
 *   backend-dependent, and a ± C needs no scaling that could underflow.)
 * - bf16 above 2^100: a·65537 overflows past ~2^111.9, so scale by 2^-64 (exact), split, scale
 *   back; values that round past the max finite become 2^64·2^64 = Inf as required.
 * - fp16 at or above 65520 (max finite 65504 + half an ulp, a tie that goes to the even Inf): Inf.
 * - Inf: kept (the split would give Inf − Inf = NaN). NaN propagates through every band.
 */
export function roundComposite(x: tf.Tensor, precision: Precision): tf.Tensor {
  if (precision === 'float32') return x.clone();
  return tf.tidy(() => {
    const xf = x.dtype === 'float32' ? x : tf.cast(x, 'float32');
    const a = tf.abs(xf);
    const r = precision === 'bfloat16' ? roundAbsBf16(a) : roundAbsFp16(a);
    // 1/x carries the sign of ±0 (as ±Inf); x < 0 covers -Inf (1/-Inf is -0). NaN compares false.
    const negative = tf.logicalOr(tf.less(xf, 0), tf.less(tf.div(1, xf), 0));
    return tf.where(negative, tf.neg(r), r);
  });
}

function veltkamp(a: tf.Tensor, splitter: number): tf.Tensor {
  const c = tf.mul(a, splitter);
  return tf.sub(c, tf.sub(c, a));
}

function addSub(a: tf.Tensor, c: number): tf.Tensor {
  return tf.sub(tf.add(a, c), c);
}

const BF16_MIN_NORMAL = 2 ** -126;
/** 2^23 · 2^-133 (bf16 subnormal quantum). */
const BF16_SUB_MAGIC = 2 ** -110;
const BF16_BIG = 2 ** 100;

function roundAbsBf16(a: tf.Tensor): tf.Tensor {
  const normal = veltkamp(a, 65537);
  const big = tf.mul(veltkamp(tf.mul(a, 2 ** -64), 65537), 2 ** 64);
  const sub = addSub(a, BF16_SUB_MAGIC);
  let r = tf.where(tf.greater(a, BF16_BIG), big, normal);
  r = tf.where(tf.less(a, BF16_MIN_NORMAL), sub, r);
  return tf.where(tf.equal(a, Infinity), a, r);
}

export const FP16_MAX = 65504;
/** Values at or above this round to Inf under RNE (max finite + half an ulp). */
export const FP16_OVERFLOW = 65520;
const FP16_MIN_NORMAL = 2 ** -14;
/** 2^23 · 2^-24 (fp16 subnormal quantum). */
const FP16_SUB_MAGIC = 0.5;

function roundAbsFp16(a: tf.Tensor): tf.Tensor {
  const normal = veltkamp(a, 8193);
  const sub = addSub(a, FP16_SUB_MAGIC);
  const r = tf.where(tf.less(a, FP16_MIN_NORMAL), sub, normal);
  // Also covers Inf (the split of Inf is NaN).
  return tf.where(tf.greaterEqual(a, FP16_OVERFLOW), tf.fill(a.shape, Infinity), r);
}
