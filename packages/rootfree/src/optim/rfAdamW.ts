import * as tf from '@tensorflow/tfjs-core';
import { maybeRound, parsePrecision } from '../precision/index.js';
import { resolveLr } from './common.js';
import { batchFactor } from './rfRmsprop.js';
import type { Method, State } from './types.js';
import type { RFAdamWOptions } from './diagonalOptions.js';
import { checkBoolean, checkKnownKeys, checkNumber } from './validate.js';
import { flushFused } from './fused/batch.js';
import { rfAdamWInPlace } from './fused/methods.js';

const KEYS = ['lr', 'beta1', 'beta2', 'damping', 'weightDecay', 'batchAveraged', 'biasCorrection', 'stateDtype', 'dummyInit', 'dummyScaling'];

export const rfAdamWMethod: Method<RFAdamWOptions> = {
  id: 'rfadamw',
  resolve(raw) {
    checkKnownKeys('RFAdamW', raw, KEYS);
    return {
      lr: resolveLr(raw, 1e-3),
      beta1: checkNumber('beta1', raw.beta1 ?? 0.9, { min: 0, max: 1, maxExclusive: true }),
      beta2: checkNumber('beta2', raw.beta2 ?? 0.999, { min: 0, max: 1, maxExclusive: true }),
      damping: checkNumber('damping', raw.damping ?? 1e-4, { min: 0 }),
      weightDecay: checkNumber('weightDecay', raw.weightDecay ?? 0, { min: 0 }),
      batchAveraged: checkBoolean('batchAveraged', raw.batchAveraged ?? true),
      biasCorrection: checkBoolean('biasCorrection', raw.biasCorrection ?? false),
      stateDtype: parsePrecision(raw.stateDtype ?? 'float32', 'stateDtype'),
      dummyInit: checkBoolean('dummyInit', raw.dummyInit ?? false),
      dummyScaling: checkBoolean('dummyScaling', raw.dummyScaling ?? false),
    };
  },
  init([p], o, ctx) {
    const v0 = o.dummyInit ? 0 : 1 / batchFactor(o, ctx);
    return { m: tf.zeros(p.shape), v: maybeRound(tf.fill(p.shape, v0), o.stateDtype) };
  },
  applyInPlace: rfAdamWInPlace,
  gpuInPlace: true,
  endStep: flushFused,
  apply([p], [g], state, o, ctx) {
    const r = <T extends tf.Tensor>(x: T): T => maybeRound(x, o.stateDtype);
    const t = ctx.unitStep + 1;
    const decayed = o.weightDecay !== 0 ? tf.mul(p, 1 - ctx.lr * o.weightDecay) : p;
    const gh = r(g);
    const c1 = o.biasCorrection ? 1 - o.beta1 ** t : 1;
    const c2 = o.biasCorrection ? 1 - o.beta2 ** t : 1;
    const m = r(tf.add(r(tf.mul(state.m, o.beta1)), tf.mul(gh, 1 - o.beta1)));
    const v = r(tf.add(r(tf.mul(state.v, o.beta2)), tf.mul(tf.square(gh), 1 - o.beta2)));
    const F = batchFactor(o, ctx);
    const den = r(tf.add(r(tf.div(r(tf.mul(v, F)), c2)), o.damping));
    const p1 = tf.sub(decayed, tf.mul(tf.div(m, den), ctx.lr / c1));
    const next: State = { m, v };
    return { params: [p1], state: next };
  },
};

export type { RFAdamWOptions };
