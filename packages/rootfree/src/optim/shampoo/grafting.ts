import * as tf from '@tensorflow/tfjs-core';
import type { GraftingType, ShampooOptions } from './options.js';

/**
 * Grafting (SPEC §5.6): the grafted diagonal method keeps its own accumulator of the raw gradient
 * (parameter precision, float32) and supplies either the whole direction (before
 * `startPreconditioningStep`) or the norm the Shampoo direction is rescaled to.
 */
export function graftHasState(type: GraftingType): boolean {
  return type === 'adagrad' || type === 'rmsprop' || type === 'adam';
}

/** AdaGrad: a + g² (β = 1 always); RMSProp/Adam: β·a + (1 − β)·g², or the plain sum when β = 1. */
export function updateGraftAccumulator(acc: tf.Tensor, g: tf.Tensor, o: ShampooOptions): tf.Tensor {
  const g2 = tf.square(g);
  const beta = o.grafting === 'adagrad' ? 1 : o.graftingBeta2;
  return beta === 1 ? tf.add(acc, g2) : tf.add(tf.mul(acc, beta), tf.mul(g2, 1 - beta));
}

/**
 * The grafted method's direction for the (filtered) gradient `g` at 1-based step `t`:
 * SGD: g; AdaGrad/RMSProp: g/(√a + ε); Adam: g/(√(a/(1 − β^t)) + ε) (bias-corrected only when β < 1).
 */
export function graftDirection(g: tf.Tensor, acc: tf.Tensor | undefined, o: ShampooOptions, t: number): tf.Tensor {
  if (!graftHasState(o.grafting) || acc === undefined) return g;
  const c = o.grafting === 'adam' && o.graftingBeta2 < 1 ? 1 - o.graftingBeta2 ** t : 1;
  const v = c === 1 ? acc : tf.div(acc, c);
  return tf.div(g, tf.add(tf.sqrt(v), o.graftingEpsilon));
}
