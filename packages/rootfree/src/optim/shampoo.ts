import * as tf from '@tensorflow/tfjs-core';
import { modeGrams, multiModeProduct } from '../linalg/modeProduct.js';
import { maybeRound } from '../precision/index.js';
import { graftDirection, graftHasState, updateGraftAccumulator } from './shampoo/grafting.js';
import { resolveShampooOptions, type ShampooOptions } from './shampoo/options.js';
import { planFor } from './shampoo/plan.js';
import { refreshInverseRoot, tensorPrecision } from './shampoo/roots.js';
import type { Method, State } from './types.js';

export type { ShampooOptions, GraftingType, ShampooPrecision } from './shampoo/options.js';

/**
 * Root-based Shampoo, the paper's baseline: Meta's Distributed Shampoo as vendored by the paper,
 * single device (SPEC §5.3). Per step t (1-based):
 * 1. (L2 mode) G ← G + κ·p.
 * 2. Factors L_k ← β2·L_k + (1 − β2)·unf_k(G)unf_k(G)ᵀ (plain sum when β2 = 1); grafting accumulator.
 * 3. If t mod frequency = 0 and t >= start: L_k^inv = (L_k/c2)^(−η/p) (float64 eigen or Newton).
 * 4. G ← F/c1 with F ← β1·F + (1 − β1)·G (β1 ≠ 0).
 * 5. t < start: grafted direction; else P = G ×_1 L_1^inv … ×_N L_N^inv, rescaled to the grafted
 *    direction's norm when grafting.
 * 6. Decoupled decay (p·(1 − lr·κ) when μ = 0, else P + κ·p), heavy-ball momentum, p ← p − lr·P.
 *
 * State slots: `L<k>`/`X<k>` (factor / inverse root per axis), `F` (filtered gradient), `graft`
 * (grafting accumulator), `mom` (momentum), `diag` (AdaGrad accumulator for too-large parameters).
 */
export const shampooMethod: Method<ShampooOptions> = {
  id: 'shampoo',
  resolve: resolveShampooOptions,
  init([info], o) {
    const plan = planFor(info.shape, o);
    const s: State = {};
    if (plan.kind === 'kronecker') {
      plan.dims.forEach((d, k) => {
        s[`L${k}`] = tf.zeros([d, d]);
        s[`X${k}`] = tf.zeros([d, d]);
      });
      if (graftHasState(o.grafting)) s.graft = tf.zeros(info.shape);
    } else {
      s.diag = tf.zeros(info.shape);
    }
    if (o.beta1 !== 0) s.F = tf.zeros(info.shape);
    if (o.momentum !== 0) s.mom = tf.zeros(info.shape);
    return s;
  },
  apply([p], [grad], state, o, ctx, [info]) {
    const t = ctx.unitStep + 1;
    const plan = planFor(info.shape, o);
    const prec = tensorPrecision(o.preconditionerPrecision);
    const next: State = {};
    const g = !o.decoupledWeightDecay && o.weightDecay !== 0 ? tf.add(grad, tf.mul(p, o.weightDecay)) : grad;
    const c1 = o.biasCorrection ? 1 - o.beta1 ** t : 1;
    const c2 = o.biasCorrection && o.beta2 < 1 ? 1 - o.beta2 ** t : 1;
    const ema = (old: tf.Tensor, x: tf.Tensor, beta: number): tf.Tensor => (beta === 1 ? tf.add(old, x) : tf.add(tf.mul(old, beta), tf.mul(x, 1 - beta)));

    let dir: tf.Tensor;
    if (plan.kind === 'diagonal') {
      // Reference AdagradPreconditioner: own filtering, √ of the bias-corrected accumulator, ε outside.
      next.diag = ema(state.diag, tf.square(g), o.beta2);
      let gf = g;
      if (o.beta1 !== 0) {
        next.F = ema(state.F, g, o.beta1);
        gf = c1 === 1 ? next.F : tf.div(next.F, c1);
      }
      const v = c2 === 1 ? next.diag : tf.div(next.diag, c2);
      dir = tf.div(gf, tf.add(tf.sqrt(v), o.epsilon));
    } else {
      const { dims, root } = plan;
      const grams = modeGrams(g, dims);
      const factors = grams.map((gram, k) => {
        // Rounded where the reference stores into preconditioner_dtype: the cast outer product,
        // the in-place β2 scaling and the fused add.
        const old = state[`L${k}`];
        const gr = maybeRound(gram, prec);
        const f = o.beta2 === 1 ? tf.add(old, gr) : tf.add(maybeRound(tf.mul(old, o.beta2), prec), tf.mul(gr, 1 - o.beta2));
        return maybeRound(f, prec) as tf.Tensor2D;
      });
      factors.forEach((f, k) => (next[`L${k}`] = f));
      if (graftHasState(o.grafting)) next.graft = updateGraftAccumulator(state.graft, g, o);

      const refresh = t % o.preconditionFrequency === 0 && t >= o.startPreconditioningStep;
      const roots = factors.map((f, k) => {
        const prev = state[`X${k}`] as tf.Tensor2D;
        return refresh ? refreshInverseRoot(f, c2, root, o, prev, `Shampoo '${info.name}' factor ${k} (${dims[k]}×${dims[k]})`) : tf.clone(prev);
      });
      roots.forEach((x, k) => (next[`X${k}`] = x));

      let gf = g;
      if (o.beta1 !== 0) {
        next.F = maybeRound(ema(state.F, g, o.beta1), prec);
        gf = c1 === 1 ? next.F : tf.div(next.F, c1);
      }
      if (t < o.startPreconditioningStep) {
        dir = graftDirection(gf, next.graft, o, t);
      } else {
        dir = multiModeProduct(gf, dims, roots);
        if (o.grafting !== 'none') {
          const graftNorm = tf.norm(graftDirection(gf, next.graft, o, t));
          dir = tf.mul(dir, tf.div(graftNorm, tf.add(tf.norm(dir), 1e-16)));
        }
      }
    }

    let p1: tf.Tensor = p;
    if (o.decoupledWeightDecay && o.weightDecay !== 0) {
      if (o.momentum === 0) p1 = tf.mul(p, 1 - ctx.lr * o.weightDecay);
      else dir = tf.add(dir, tf.mul(p, o.weightDecay));
    }
    if (o.momentum !== 0) {
      next.mom = tf.add(tf.mul(state.mom, o.momentum), dir);
      dir = o.nesterov ? tf.add(dir, tf.mul(next.mom, o.momentum)) : next.mom;
    }
    return { params: [tf.sub(p1, tf.mul(dir, ctx.lr))], state: next };
  },
};
