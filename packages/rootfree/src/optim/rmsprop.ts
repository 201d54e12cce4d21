import * as tf from '@tensorflow/tfjs-core';
import { resolveLr } from './common.js';
import type { Method, State } from './types.js';
import type { RMSpropOptions } from './diagonalOptions.js';
import { checkBoolean, checkKnownKeys, checkNumber } from './validate.js';
import { flushFused } from './fused/batch.js';
import { rmspropInPlace } from './fused/methods.js';

const KEYS = ['lr', 'alpha', 'epsilon', 'weightDecay', 'momentum', 'centered'];

export const rmspropMethod: Method<RMSpropOptions> = {
  id: 'rmsprop',
  resolve(raw) {
    checkKnownKeys('RMSprop', raw, KEYS);
    return {
      lr: resolveLr(raw, 1e-2),
      alpha: checkNumber('alpha', raw.alpha ?? 0.99, { min: 0, max: 1, maxExclusive: true }),
      epsilon: checkNumber('epsilon', raw.epsilon ?? 1e-8, { min: 0 }),
      weightDecay: checkNumber('weightDecay', raw.weightDecay ?? 0, { min: 0 }),
      momentum: checkNumber('momentum', raw.momentum ?? 0, { min: 0, max: 1, maxExclusive: true }),
      centered: checkBoolean('centered', raw.centered ?? false),
    };
  },
  init([p], o) {
    const s: State = { v: tf.zeros(p.shape) };
    if (o.centered) s.gAvg = tf.zeros(p.shape);
    if (o.momentum > 0) s.momentum = tf.zeros(p.shape);
    return s;
  },
  applyInPlace: rmspropInPlace,
  gpuInPlace: true,
  endStep: flushFused,
  apply([p], [g], state, o, ctx) {
    const d = o.weightDecay !== 0 ? tf.add(g, tf.mul(p, o.weightDecay)) : g;
    const v = tf.add(tf.mul(state.v, o.alpha), tf.mul(tf.square(d), 1 - o.alpha));
    const next: State = { v };
    let den: tf.Tensor;
    if (o.centered) {
      const gAvg = tf.add(tf.mul(state.gAvg, o.alpha), tf.mul(d, 1 - o.alpha));
      next.gAvg = gAvg;
      den = tf.add(tf.sqrt(tf.sub(v, tf.square(gAvg))), o.epsilon);
    } else {
      den = tf.add(tf.sqrt(v), o.epsilon);
    }
    let u = tf.div(d, den);
    if (o.momentum > 0) {
      u = tf.add(tf.mul(state.momentum, o.momentum), u);
      next.momentum = u;
    }
    return { params: [tf.sub(p, tf.mul(u, ctx.lr))], state: next };
  },
};

export type { RMSpropOptions };
