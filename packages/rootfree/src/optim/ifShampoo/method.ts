import * as tf from '@tensorflow/tfjs-core';
import { storageAccess } from '../../backend/fusedKernels.js';
import type { Precision } from '../../precision/index.js';
import type { Structured } from '../../structures/index.js';
import { compositeTail, fusedTail, type TailOptions } from '../fused/tail.js';
import type { Method, ParamInfo, State, StepContext } from '../types.js';
import { partitionParams } from './combine.js';
import { layoutFor, readFactors, unitMemory, writeFactors } from './layout.js';
import { resolveIFShampoo, type IFShampooOptions } from './options.js';
import { factorScale, precondition, scaledOuter } from './precondition.js';
import { isUpdateStep } from './schedule.js';
import { updateFactors } from './update.js';
import { gpuStep } from './gpuTail.js';

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
  memoryEstimate: unitMemory,
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
    const { parts, updated, pv } = directions(grads, state, o, ctx, infos);
    const next: State = { ...updated };
    // Steps that skip the factor update carry the factors (and cached P) over unchanged.
    for (const [k, t] of Object.entries(state)) if (!k.startsWith('buf') && !(k in next)) next[k] = tf.clone(t);
    const out = params.map((p, i) => {
      const t = compositeTail(p, parts[i], o.alpha1 > 0 ? state[`buf${i}`] : null, tailOptions(o, ctx, pv));
      if (t.buf) next[`buf${i}`] = t.buf;
      return t.p;
    });
    return { params: out, state: next };
  },
  gpuInPlace: true,
  applyInPlace(params, grads, state, o, ctx, infos) {
    // The factor work stays in tfjs ops; the elementwise tail (κ·p, momentum, update) runs as one
    // fused pass per parameter. Checked first so an unsupported backend changes nothing.
    const acc = storageAccess();
    const bufs = params.map((_, i) => (o.alpha1 > 0 ? state[`buf${i}`] : null));
    if (acc === null) return gpuStep(params, bufs, state, ctx, () => directions(grads, state, o, ctx, infos), (pv) => tailOptions(o, ctx, pv));
    if (params.some((p) => acc.write(p) === null) || bufs.some((b) => b !== null && (b === undefined || acc.write(b) === null))) return false;
    tf.tidy(() => {
      const { parts, updated, pv } = directions(grads, state, o, ctx, infos);
      for (const [k, t] of Object.entries(updated)) state[k].assign(t);
      const to = tailOptions(o, ctx, pv);
      params.forEach((p, i) => {
        if (fusedTail(p, parts[i], bufs[i], to)) return;
        const t = compositeTail(p, parts[i], bufs[i], to);
        p.assign(t.p);
        if (t.buf) bufs[i]!.assign(t.buf);
      });
    });
    return true;
  },
};

/** [SF] adds κ·p into the preconditioned direction, which is in the last factor's dtype; the momentum buffer is float32. */
function tailOptions(o: IFShampooOptions, ctx: StepContext, pv: Precision): TailOptions {
  return { lr: ctx.lr, kappa: o.kappa, alpha1: o.alpha1, directionPrecision: pv };
}

/**
 * Factor update (on update steps) and preconditioning: the preconditioned gradient of each of the
 * unit's parameters, and the state slots that got new values (factors, momenta, cached P).
 */
function directions(grads: tf.Tensor[], state: State, o: IFShampooOptions, ctx: StepContext, infos: ParamInfo[]): { parts: tf.Tensor[]; updated: State; pv: Precision } {
  const layout = layoutFor(infos, o);
  const { dims, precisions } = layout;
  const g = tf.reshape(layout.rule.group(grads, infos), dims);
  let K = readFactors(state, 'K', layout);
  const updated: State = {};
  let P: Array<tf.Tensor2D | null> = dims.map((_, a) => (layout.cacheP[a] ? (state[`P${a}`] as tf.Tensor2D) : null));
  if (isUpdateStep(o, ctx.step)) {
    const m: Array<Structured | null> = o.alpha2 > 0 ? readFactors(state, 'm', layout) : dims.map(() => null);
    const up = updateFactors(g, K, m, layout, { lam: o.lam, alpha2: o.alpha2, beta2: layout.beta2, batchSize: ctx.batchSize }, { kScaling: o.scalingTricks });
    K = up.K;
    if (o.alpha2 > 0) writeFactors(updated, 'm', up.m as Structured[]);
    P = P.map((old, a) => (old ? scaledOuter(K[a], factorScale(K[a], precisions[a], o.scalingTricks)) : null));
    writeFactors(updated, 'K', K);
    P.forEach((t, a) => {
      if (t) updated[`P${a}`] = t;
    });
  }
  const v = precondition(g, K, P, layout, o.scalingTricks);
  const parts = layout.rule.ungroup(tf.reshape(v, layout.groupedShape), infos);
  return { parts, updated, pv: precisions[precisions.length - 1] };
}
