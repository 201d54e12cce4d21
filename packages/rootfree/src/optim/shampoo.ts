import * as tf from '@tensorflow/tfjs-core';
import { applyTrustRatio, graftHasState, graftUsesTrustRatio } from './shampoo/grafting.js';
import { kroneckerDirection } from './shampoo/kronecker.js';
import { resolveShampooOptions, type ShampooOptions } from './shampoo/options.js';
import { planFor, slotName } from './shampoo/plan.js';
import type { Method, State } from './types.js';

export type { ShampooOptions, GraftingType, ShampooPrecision, LargeDimMethod, InverseRootInfo, GpuRoot } from './shampoo/options.js';

/**
 * Root-based Shampoo, the paper's baseline: Meta's Distributed Shampoo as vendored by the paper,
 * single device (SPEC §5.3, docs/shampoo.md). Per step t (1-based):
 * 1. (L2 mode) G ← G + κ·p.
 * 2. Per block: factors L_k ← β2·L_k + (1 − β2)·unf_k(G)unf_k(G)ᵀ (plain sum when β2 = 1); grafting accumulator.
 * 3. If t mod frequency = 0 and t >= start: L_k^inv = (L_k/c2)^(−η/p) (float64 eigen or Newton).
 * 4. G ← F/c1 with F ← β1·F + (1 − β1)·G (β1 ≠ 0).
 * 5. Per block: t < start: grafted direction; else P = G ×_1 L_1^inv … ×_N L_N^inv, rescaled to the
 *    block's grafted direction's norm when grafting.
 * 6. Decoupled decay (p·(1 − lr·κ) when μ = 0 and not LARS/LAMB, else P + κ·p; LARS/LAMB then scale
 *    P by ‖p‖/‖P‖), heavy-ball momentum, p ← p − lr·P.
 *
 * State slots: `L<k>`/`X<k>` (factor / inverse root per axis; `B<b>L<k>`/`B<b>X<k>` per block of a
 * blocked parameter; a diagonal factor is a vector with no root), `F` (filtered gradient), `graft`
 * (grafting accumulator), `mom` (momentum), `diag` (AdaGrad accumulator, largeDimMethod 'adagrad').
 */
export const shampooMethod: Method<ShampooOptions> = {
  id: 'shampoo',
  resolve: resolveShampooOptions,
  init([info], o) {
    const plan = planFor(info.shape, o);
    const s: State = {};
    if (plan.kind === 'kronecker') {
      plan.blocks.forEach((blk, b) =>
        plan.axes.forEach((kind, k) => {
          const d = blk.size[k];
          s[slotName('L', plan, b, k)] = tf.zeros(kind === 'full' ? [d, d] : [d]);
          if (kind === 'full') s[slotName('X', plan, b, k)] = tf.zeros([d, d]);
        }),
      );
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
    const next: State = {};
    const g = !o.decoupledWeightDecay && o.weightDecay !== 0 ? tf.add(grad, tf.mul(p, o.weightDecay)) : grad;
    const c1 = o.biasCorrection ? 1 - o.beta1 ** t : 1;
    const c2 = o.biasCorrection && o.beta2 < 1 ? 1 - o.beta2 ** t : 1;

    let dir: tf.Tensor;
    if (plan.kind === 'adagrad') {
      // Reference AdagradPreconditioner: own filtering, √ of the bias-corrected accumulator, ε
      // outside, no grafting and no start step.
      const g2 = tf.square(g);
      next.diag = o.beta2 === 1 ? tf.add(state.diag, g2) : tf.add(tf.mul(state.diag, o.beta2), tf.mul(g2, 1 - o.beta2));
      let gf = g;
      if (o.beta1 !== 0) {
        next.F = tf.add(tf.mul(state.F, o.beta1), tf.mul(g, 1 - o.beta1));
        gf = c1 === 1 ? next.F : tf.div(next.F, c1);
      }
      const v = c2 === 1 ? next.diag : tf.div(next.diag, c2);
      dir = tf.div(gf, tf.add(tf.sqrt(v), o.epsilon));
    } else {
      dir = kroneckerDirection(g, state, next, plan, o, { t, c1, c2 }, info.name);
    }

    let p1: tf.Tensor = p;
    const trust = graftUsesTrustRatio(o.grafting);
    if (o.decoupledWeightDecay && o.weightDecay !== 0) {
      if (o.momentum === 0 && !trust) p1 = tf.mul(p, 1 - ctx.lr * o.weightDecay);
      else dir = tf.add(dir, tf.mul(p, o.weightDecay));
      // The reference applies the LARS/LAMB trust ratio only inside its decoupled-decay branch.
      if (trust) dir = applyTrustRatio(dir, p);
    }
    if (o.momentum !== 0) {
      next.mom = tf.add(tf.mul(state.mom, o.momentum), dir);
      dir = o.nesterov ? tf.add(dir, tf.mul(next.mom, o.momentum)) : next.mom;
    }
    return { params: [tf.sub(p1, tf.mul(dir, ctx.lr))], state: next };
  },
};
