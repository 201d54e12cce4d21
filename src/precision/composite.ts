import * as tf from '@tensorflow/tfjs-core';
import type { Precision } from './types.js';

/**
 * Round-to-nearest-even with plain tfjs ops (any backend). The Veltkamp split
 * c = x·(2^s + 1); r = c − (c − x) keeps the top (24 − s) significand bits of a float32 with RNE
 * (TFJS-FINDINGS §5). Range handling (overflow of x·(2^s+1), half-format subnormals and
 * overflow to Inf) is done with `where` on magnitude bands.
 */
export function roundComposite(x: tf.Tensor, precision: Precision): tf.Tensor {
  if (precision === 'float32') return x.clone();
  return tf.tidy(() => (precision === 'bfloat16' ? roundBf16(x) : roundFp16(x)));
}

function veltkamp(x: tf.Tensor, splitter: number): tf.Tensor {
  const c = tf.mul(x, splitter);
  return tf.sub(c, tf.sub(c, x));
}

/** Rounds |x| < 2^lo to multiples of 2^quantumExp with ties to even (tf.round is half-to-even). */
function roundToQuantum(x: tf.Tensor, quantumExp: number): tf.Tensor {
  // Two exact power-of-two scalings so that neither factor overflows float32.
  const half = Math.trunc(-quantumExp / 2);
  const rest = -quantumExp - half;
  const up = tf.mul(tf.mul(x, 2 ** half), 2 ** rest);
  return tf.mul(tf.mul(tf.round(up), 2 ** -half), 2 ** -rest);
}

function roundBf16(x: tf.Tensor): tf.Tensor {
  const ax = tf.abs(x);
  const normal = veltkamp(x, 65537);
  // x·65537 overflows above ~2^111.9: scale down by 2^64 (exact), round, scale back.
  const big = tf.mul(veltkamp(tf.mul(x, 2 ** -64), 65537), 2 ** 64);
  const sub = roundToQuantum(x, -133);
  let r = tf.where(tf.greater(ax, 2 ** 100), big, normal);
  r = tf.where(tf.less(ax, 2 ** -126), sub, r);
  return r;
}

const FP16_MAX = 65504;
/** Values at or above this round to Inf under RNE (max finite + half an ulp). */
const FP16_OVERFLOW = 65520;

function roundFp16(x: tf.Tensor): tf.Tensor {
  const ax = tf.abs(x);
  const normal = veltkamp(x, 8193);
  const sub = roundToQuantum(x, -24);
  let r = tf.where(tf.less(ax, 2 ** -14), sub, normal);
  r = tf.where(tf.greaterEqual(ax, FP16_OVERFLOW), tf.mul(tf.sign(x), Infinity), r);
  return r;
}

export { FP16_MAX };
