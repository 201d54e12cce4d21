import * as tf from '@tensorflow/tfjs-core';
import { resolveLr } from './common.js';
import type { Method, State } from './types.js';
import type { SGDOptions } from './diagonalOptions.js';
import { checkBoolean, checkKnownKeys, checkNumber, OptionError } from './validate.js';
import { flushFused } from './fused/batch.js';
import { sgdInPlace } from './fused/methods.js';

const KEYS = ['lr', 'momentum', 'dampening', 'weightDecay', 'nesterov'];

export const sgdMethod: Method<SGDOptions> = {
  id: 'sgd',
  resolve(raw) {
    checkKnownKeys('SGD', raw, KEYS);
    const o: SGDOptions = {
      lr: resolveLr(raw, 1e-3),
      momentum: checkNumber('momentum', raw.momentum ?? 0, { min: 0, max: 1, maxExclusive: true }),
      dampening: checkNumber('dampening', raw.dampening ?? 0, { min: 0, max: 1 }),
      weightDecay: checkNumber('weightDecay', raw.weightDecay ?? 0, { min: 0 }),
      nesterov: checkBoolean('nesterov', raw.nesterov ?? false),
    };
    if (o.nesterov && (o.momentum <= 0 || o.dampening !== 0)) {
      throw new OptionError('nesterov', true, 'false unless momentum > 0 and dampening = 0');
    }
    return o;
  },
  init(params, o) {
    const s: State = {};
    if (o.momentum > 0) s.momentum = tf.zeros(params[0].shape);
    return s;
  },
  applyInPlace: sgdInPlace,
  gpuInPlace: true,
  endStep: flushFused,
  apply([p], [g], state, o, ctx) {
    let d = o.weightDecay !== 0 ? tf.add(g, tf.mul(p, o.weightDecay)) : g;
    const next: Record<string, tf.Tensor> = {};
    if (o.momentum > 0) {
      // PyTorch copies d into the buffer on the first step; with zero init that equals
      // μ·0 + d only when dampening = 0, so the first step is special-cased.
      const buf = ctx.unitStep === 0 ? d : tf.add(tf.mul(state.momentum, o.momentum), tf.mul(d, 1 - o.dampening));
      next.momentum = buf;
      d = o.nesterov ? tf.add(d, tf.mul(buf, o.momentum)) : buf;
    }
    return { params: [tf.sub(p, tf.mul(d, ctx.lr))], state: next };
  },
};

export type { SGDOptions };
