import * as tf from '@tensorflow/tfjs-core';
import type { GraftingType, ShampooOptions } from './options.js';

/**
 * Grafting (SPEC §5.6, docs/shampoo.md): the grafted diagonal method keeps its own accumulator of
 * the raw gradient (parameter precision, float32) and supplies either the whole direction (before
 * `startPreconditioningStep`) or the norm the Shampoo direction is rescaled to. Everything here
 * works on one block (the whole parameter when it is not blocked).
 */
export function graftHasState(type: GraftingType): boolean {
  return type !== 'none' && type !== 'sgd' && type !== 'lars';
}

/** LARS/LAMB: the trust ratio ‖p‖/‖direction‖ after decoupled weight decay (reference `_compute_param_norm_rescalings`). */
export function graftUsesTrustRatio(type: GraftingType): boolean {
  return type === 'lars' || type === 'lamb';
}

const normalized = (type: GraftingType) => type === 'adagradNormalized' || type === 'rmspropNormalized' || type === 'adamNormalized';
const summed = (type: GraftingType) => type === 'adagrad' || type === 'adagradNormalized';
const biasCorrected = (type: GraftingType) => type === 'adam' || type === 'adamNormalized' || type === 'lamb';

/**
 * AdaGrad: a + g²; RMSProp/Adam/LAMB: β·a + (1 − β)·g², or the plain sum when β = 1. The
 * normalized variants accumulate (g/‖g‖)² with the block's norm; an all-zero block adds nothing
 * (the reference divides 0 by 0 there and turns the accumulator NaN).
 */
export function updateGraftAccumulator(acc: tf.Tensor, g: tf.Tensor, o: ShampooOptions): tf.Tensor {
  let x = g;
  if (normalized(o.grafting)) {
    const n = tf.norm(g);
    x = tf.div(g, tf.where(tf.greater(n, 0), n, tf.onesLike(n)));
  }
  const g2 = tf.square(x);
  const beta = summed(o.grafting) ? 1 : o.graftingBeta2;
  return beta === 1 ? tf.add(acc, g2) : tf.add(tf.mul(acc, beta), tf.mul(g2, 1 - beta));
}

/**
 * The grafted method's direction for the (filtered) gradient `g` at 1-based step `t`:
 * SGD/LARS: g; AdaGrad/RMSProp (and normalized): g/(√a + ε); Adam/LAMB (and normalized):
 * g/(√(a/(1 − β^t)) + ε) (bias-corrected only when β < 1).
 */
export function graftDirection(g: tf.Tensor, acc: tf.Tensor | undefined, o: ShampooOptions, t: number): tf.Tensor {
  if (!graftHasState(o.grafting) || acc === undefined) return g;
  const c = biasCorrected(o.grafting) && o.graftingBeta2 < 1 ? 1 - o.graftingBeta2 ** t : 1;
  const v = c === 1 ? acc : tf.div(acc, c);
  return tf.div(g, tf.add(tf.sqrt(v), o.graftingEpsilon));
}

/** `dir` scaled by ‖p‖/‖dir‖; unchanged when either norm is 0. */
export function applyTrustRatio(dir: tf.Tensor, p: tf.Tensor): tf.Tensor {
  const pn = tf.norm(p);
  const dn = tf.norm(dir);
  const ok = tf.logicalAnd(tf.greater(pn, 0), tf.greater(dn, 0));
  return tf.mul(dir, tf.where(ok, tf.div(pn, tf.where(ok, dn, tf.onesLike(dn))), tf.onesLike(dn)));
}
