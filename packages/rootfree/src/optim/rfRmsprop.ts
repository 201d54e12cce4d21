import * as tf from '@tensorflow/tfjs-core';
import { maybeRound, parsePrecision } from '../precision/index.js';
import { resolveLr } from './common.js';
import type { Method, State, StepContext } from './types.js';
import type { RFRMSpropOptions } from './diagonalOptions.js';
import { checkBoolean, checkKnownKeys, checkNumber } from './validate.js';
import { flushFused } from './fused/batch.js';
import { rfRmspropInPlace } from './fused/methods.js';

const KEYS = ['lr', 'alpha', 'damping', 'weightDecay', 'momentum', 'batchAveraged', 'stateDtype', 'dummyInit', 'dummyScaling'];

/** The scalar F of SPEC §1.1. */
export function batchFactor(o: { batchAveraged: boolean; dummyScaling: boolean }, ctx: StepContext): number {
  return o.dummyScaling || !o.batchAveraged ? 1 : ctx.batchSize;
}

export const rfRmspropMethod: Method<RFRMSpropOptions> = {
  id: 'rfrmsprop',
  resolve(raw) {
    checkKnownKeys('RFRMSprop', raw, KEYS);
    return {
      lr: resolveLr(raw, 1e-3),
      alpha: checkNumber('alpha', raw.alpha ?? 0.99, { min: 0, max: 1, maxExclusive: true }),
      damping: checkNumber('damping', raw.damping ?? 1e-4, { min: 0 }),
      weightDecay: checkNumber('weightDecay', raw.weightDecay ?? 0, { min: 0 }),
      momentum: checkNumber('momentum', raw.momentum ?? 0, { min: 0, max: 1, maxExclusive: true }),
      batchAveraged: checkBoolean('batchAveraged', raw.batchAveraged ?? true),
      stateDtype: parsePrecision(raw.stateDtype ?? 'float32', 'stateDtype'),
      dummyInit: checkBoolean('dummyInit', raw.dummyInit ?? false),
      dummyScaling: checkBoolean('dummyScaling', raw.dummyScaling ?? false),
    };
  },
  init([p], o, ctx) {
    const v0 = o.dummyInit ? 0 : 1 / batchFactor(o, ctx);
    const s: State = { v: maybeRound(tf.fill(p.shape, v0), o.stateDtype) };
    if (o.momentum > 0) s.momentum = tf.zeros(p.shape);
    return s;
  },
  applyInPlace: rfRmspropInPlace,
  gpuInPlace: true,
  endStep: flushFused,
  apply([p], [g], state, o, ctx) {
    // Each `r(...)` is one reference op whose result is stored in `stateDtype` (SPEC §6.3).
    const r = <T extends tf.Tensor>(x: T): T => maybeRound(x, o.stateDtype);
    const rho = 1 - o.alpha;
    const F = batchFactor(o, ctx);
    const gh = r(g);
    const v = r(tf.add(r(tf.mul(state.v, o.alpha)), tf.mul(tf.square(gh), rho)));
    let d = r(tf.div(gh, r(tf.add(r(tf.mul(v, F)), o.damping))));
    if (o.weightDecay !== 0) d = r(tf.add(d, tf.mul(p, o.weightDecay)));
    const next: State = { v };
    let u = d;
    if (o.momentum > 0) {
      u = r(tf.add(r(tf.mul(state.momentum, o.momentum)), d));
      next.momentum = u;
    }
    return { params: [tf.sub(p, tf.mul(u, ctx.lr))], state: next };
  },
};

export type { RFRMSpropOptions };
