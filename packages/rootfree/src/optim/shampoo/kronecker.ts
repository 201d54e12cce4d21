import * as tf from '@tensorflow/tfjs-core';
import { maybeRound } from '../../precision/index.js';
import type { State } from '../types.js';
import { catBlocks, splitBlocks } from './blocks.js';
import { applyAxisOps, modeStats, type AxisOp } from './factors.js';
import { graftDirection, graftHasState, updateGraftAccumulator } from './grafting.js';
import type { ShampooOptions } from './options.js';
import { slotName, type ShampooPlan } from './plan.js';
import { refreshInverseRoot, tensorPrecision } from './roots.js';

type KroneckerPlan = Extract<ShampooPlan, { kind: 'kronecker' }>;

/** Step-level values shared by every block of a parameter. */
export interface StepScalars {
  /** 1-based step. */
  t: number;
  /** Bias corrections of the filtered gradient (c1) and of the factors (c2); 1 when off. */
  c1: number;
  c2: number;
}

const ema = (old: tf.Tensor, x: tf.Tensor, beta: number): tf.Tensor => (beta === 1 ? tf.add(old, x) : tf.add(tf.mul(old, beta), tf.mul(x, 1 - beta)));

/**
 * Steps 2–5 of SPEC §5.3 for a Kronecker-preconditioned parameter: factor (and grafting) updates per
 * block, inverse-root refresh, gradient filtering, and the per-block direction (grafted before the
 * start step, else the preconditioned block rescaled to its own grafting norm). Writes the new
 * factor, root, `graft` and `F` slots into `next`; returns the direction with the gradient's shape.
 */
export function kroneckerDirection(g: tf.Tensor, state: State, next: State, plan: KroneckerPlan, o: ShampooOptions, s: StepScalars, name: string): tf.Tensor {
  const prec = tensorPrecision(o.preconditionerPrecision);
  const gBlocks = splitBlocks(g, plan.dims, plan.blocks);
  gBlocks.forEach((gb, b) => {
    modeStats(gb, plan.blocks[b].size, plan.axes).forEach((stat, k) => {
      const slot = slotName('L', plan, b, k);
      const old = state[slot];
      // Diagonal factors live in the parameters' dtype (reference); full ones are rounded where
      // the reference stores into preconditioner_dtype: the cast outer product, the in-place β2
      // scaling and the fused add.
      if (plan.axes[k] === 'diag') {
        next[slot] = ema(old, stat, o.beta2);
        return;
      }
      const gr = maybeRound(stat, prec);
      const f = o.beta2 === 1 ? tf.add(old, gr) : tf.add(maybeRound(tf.mul(old, o.beta2), prec), tf.mul(gr, 1 - o.beta2));
      next[slot] = maybeRound(f, prec);
    });
  });
  if (graftHasState(o.grafting)) {
    const acc = splitBlocks(state.graft, plan.dims, plan.blocks).map((a, b) => updateGraftAccumulator(a, gBlocks[b], o));
    next.graft = catBlocks(acc, plan.blocks, g.shape);
  }

  const refresh = s.t % o.preconditionFrequency === 0 && s.t >= o.startPreconditioningStep;
  plan.blocks.forEach((blk, b) => {
    plan.axes.forEach((kind, k) => {
      if (kind !== 'full') return;
      const prev = state[slotName('X', plan, b, k)] as tf.Tensor2D;
      const d = blk.size[k];
      const where = `Shampoo '${name}'${plan.blocks.length > 1 ? ` block ${b}` : ''} factor ${k} (${d}×${d})`;
      next[slotName('X', plan, b, k)] = refresh ? refreshInverseRoot(next[slotName('L', plan, b, k)] as tf.Tensor2D, s.c2, plan.root, o, prev, where) : tf.clone(prev);
    });
  });

  let gf = g;
  if (o.beta1 !== 0) {
    next.F = maybeRound(ema(state.F, g, o.beta1), prec);
    gf = s.c1 === 1 ? next.F : tf.div(next.F, s.c1);
  }
  const gfBlocks = splitBlocks(gf, plan.dims, plan.blocks);
  const accBlocks = next.graft ? splitBlocks(next.graft, plan.dims, plan.blocks) : [];
  const dirs = gfBlocks.map((gb, b) => {
    if (s.t < o.startPreconditioningStep) return graftDirection(gb, accBlocks[b], o, s.t);
    const ops: AxisOp[] = plan.axes.map((kind, k) =>
      kind === 'full'
        ? { kind, x: next[slotName('X', plan, b, k)] as tf.Tensor2D }
        : { kind, s: tf.pow(tf.add(s.c2 === 1 ? next[slotName('L', plan, b, k)] : tf.div(next[slotName('L', plan, b, k)], s.c2), o.epsilon), -o.exponentMultiplier / plan.root) },
    );
    const dir = applyAxisOps(gb, plan.blocks[b].size, ops);
    if (o.grafting === 'none') return dir;
    const graftNorm = tf.norm(graftDirection(gb, accBlocks[b], o, s.t));
    return tf.mul(dir, tf.div(graftNorm, tf.add(tf.norm(dir), 1e-16)));
  });
  return catBlocks(dirs, plan.blocks, g.shape);
}
