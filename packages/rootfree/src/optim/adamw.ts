import * as tf from '@tensorflow/tfjs-core';
import { resolveLr } from './common.js';
import type { Method, State } from './types.js';
import type { AdamWOptions } from './diagonalOptions.js';
import { checkBoolean, checkKnownKeys, checkNumber } from './validate.js';
import { flushFused } from './fused/batch.js';
import { adamwInPlace } from './fused/methods.js';

const KEYS = ['lr', 'beta1', 'beta2', 'epsilon', 'weightDecay', 'amsgrad'];

export const adamwMethod: Method<AdamWOptions> = {
  id: 'adamw',
  resolve(raw) {
    checkKnownKeys('AdamW', raw, KEYS);
    return {
      lr: resolveLr(raw, 1e-3),
      beta1: checkNumber('beta1', raw.beta1 ?? 0.9, { min: 0, max: 1, maxExclusive: true }),
      beta2: checkNumber('beta2', raw.beta2 ?? 0.999, { min: 0, max: 1, maxExclusive: true }),
      epsilon: checkNumber('epsilon', raw.epsilon ?? 1e-8, { min: 0 }),
      weightDecay: checkNumber('weightDecay', raw.weightDecay ?? 1e-2, { min: 0 }),
      amsgrad: checkBoolean('amsgrad', raw.amsgrad ?? false),
    };
  },
  init([p], o) {
    const s: State = { m: tf.zeros(p.shape), v: tf.zeros(p.shape) };
    if (o.amsgrad) s.vmax = tf.zeros(p.shape);
    return s;
  },
  applyInPlace: adamwInPlace,
  gpuInPlace: true,
  endStep: flushFused,
  apply([p], [g], state, o, ctx) {
    const t = ctx.unitStep + 1;
    const decayed = o.weightDecay !== 0 ? tf.mul(p, 1 - ctx.lr * o.weightDecay) : p;
    const m = tf.add(tf.mul(state.m, o.beta1), tf.mul(g, 1 - o.beta1));
    const v = tf.add(tf.mul(state.v, o.beta2), tf.mul(tf.square(g), 1 - o.beta2));
    const c1 = 1 - o.beta1 ** t;
    const c2 = 1 - o.beta2 ** t;
    const next: State = { m, v };
    let vUsed = v;
    if (o.amsgrad) {
      vUsed = tf.maximum(state.vmax, v);
      next.vmax = vUsed;
    }
    const den = tf.add(tf.div(tf.sqrt(vUsed), Math.sqrt(c2)), o.epsilon);
    const p1 = tf.sub(decayed, tf.mul(tf.div(m, den), ctx.lr / c1));
    return { params: [p1], state: next };
  },
};

export type { AdamWOptions };
