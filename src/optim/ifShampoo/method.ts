import * as tf from '@tensorflow/tfjs-core';
import { maybeRound } from '../../precision/index.js';
import type { Structured } from '../../structures/index.js';
import type { Method, State } from '../types.js';
import { partitionParams } from './combine.js';
import { layoutFor, readFactors, writeFactors } from './layout.js';
import { resolveIFShampoo, type IFShampooOptions } from './options.js';
import { factorScale, precondition, scaledOuter } from './precondition.js';
import { isUpdateStep } from './schedule.js';
import { updateFactors } from './update.js';

/**
 * IF-Shampoo / SIRFShampoo (SPEC §2): one unit = one preconditioned tensor (a parameter, or
 * several combined by a rule), squeezed to dims d_1..d_N with one (structured) Kronecker factor
 * per axis. State slots: `K<a>_<t>` (factor a's stored tensors), `m<a>_<t>` (Riemannian momenta,
 * only when α2 > 0), `P<a>` (cached K̃_aK̃_aᵀ for dense factors when some steps skip the update),
 * `buf<i>` (momentum buffer of the unit's i-th parameter, only when α1 > 0).
 */
export const ifShampooMethod: Method<IFShampooOptions> = {
  id: 'ifshampoo',
  resolve: resolveIFShampoo,
  partition: (params, o) => partitionParams(params, o.combineParams),
  init(infos, o) {
    const layout = layoutFor(infos, o);
    const s: State = {};
    const eye = layout.dims.map((d, a) => layout.classes[a].eye(d, layout.precisions[a]));
    writeFactors(s, 'K', eye);
    if (o.alpha2 > 0) writeFactors(s, 'm', layout.dims.map((d, a) => layout.classes[a].zeros(d, layout.precisions[a])));
    layout.dims.forEach((d, a) => {
      if (layout.cacheP[a]) s[`P${a}`] = tf.eye(d);
    });
    if (o.alpha1 > 0) infos.forEach((info, i) => (s[`buf${i}`] = tf.zeros(info.shape)));
    return s;
  },
  apply(params, grads, state, o, ctx, infos) {
    const layout = layoutFor(infos, o);
    const { dims, precisions } = layout;
    const g = tf.reshape(layout.rule.group(grads, infos), dims);
    let K = readFactors(state, 'K', layout);
    const next: State = {};
    let P: Array<tf.Tensor2D | null> = dims.map((_, a) => (layout.cacheP[a] ? (state[`P${a}`] as tf.Tensor2D) : null));
    if (isUpdateStep(o, ctx.step)) {
      const m: Array<Structured | null> = o.alpha2 > 0 ? readFactors(state, 'm', layout) : dims.map(() => null);
      const up = updateFactors(g, K, m, layout, { lam: o.lam, alpha2: o.alpha2, beta2: layout.beta2, batchSize: ctx.batchSize }, { kScaling: o.scalingTricks });
      K = up.K;
      if (o.alpha2 > 0) writeFactors(next, 'm', up.m as Structured[]);
      P = P.map((old, a) => (old ? scaledOuter(K[a], factorScale(K[a], precisions[a], o.scalingTricks)) : null));
      writeFactors(next, 'K', K);
    } else {
      for (const [k, t] of Object.entries(state)) if (!k.startsWith('buf') && !k.startsWith('P')) next[k] = tf.clone(t);
    }
    P.forEach((t, a) => {
      if (t) next[`P${a}`] = t === state[`P${a}`] ? tf.clone(t) : t;
    });
    const v = precondition(g, K, P, layout, o.scalingTricks);
    const parts = layout.rule.ungroup(tf.reshape(v, layout.groupedShape), infos);
    const pv = precisions[precisions.length - 1];
    const out = params.map((p, i) => {
      // [SF] adds κ·p into the preconditioned direction, which is in the last factor's dtype.
      const d = o.kappa === 0 ? parts[i] : maybeRound(tf.add(parts[i], tf.mul(p, o.kappa)), pv);
      let u = d;
      if (o.alpha1 > 0) {
        u = tf.add(tf.mul(state[`buf${i}`], o.alpha1), d);
        next[`buf${i}`] = u;
      }
      return tf.sub(p, tf.mul(u, ctx.lr));
    });
    return { params: out, state: next };
  },
};
