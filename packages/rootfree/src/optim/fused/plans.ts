import type { AdamWOptions, RFAdamWOptions, RFRMSpropOptions, RMSpropOptions, SGDOptions } from '../diagonalOptions.js';
import type { StepContext } from '../types.js';
import type { AdamWConsts, RfAdamWConsts, RfRmspropConsts, RmspropConsts, SgdConsts } from './kernels.js';
import { adamwProgram, rfAdamWProgram, rfRmspropProgram, rmspropProgram, sgdProgram } from './programs.js';
import type { Program } from './simd.js';

/**
 * The float32 constants and program of each diagonal method's step, shared by the wasm SIMD /
 * JS loops (`methods.ts`) and the GPU programs (`gpuMethods.ts`).
 */

const fr = Math.fround;

/** What a step needs besides the tensors: constants, program, buffer count, SIMD scalars. */
export interface Plan<C> {
  c: C;
  key: string;
  build: () => Program;
  buffers: number;
  scalars: number[];
  /** False when the JS loop must run (fp16 state has no SIMD form). */
  simd: boolean;
}

export function batchFactor(o: { batchAveraged: boolean; dummyScaling: boolean }, ctx: StepContext): number {
  return o.dummyScaling || !o.batchAveraged ? 1 : ctx.batchSize;
}

export function sgdPlan(o: SGDOptions, ctx: StepContext): Plan<SgdConsts> {
  const c = { lr: fr(ctx.lr), wd: fr(o.weightDecay), mu: fr(o.momentum), damp1: fr(1 - o.dampening), nesterov: o.nesterov, first: ctx.unitStep === 0 };
  const f = { wd: c.wd !== 0, momentum: o.momentum > 0, first: c.first, nesterov: c.nesterov };
  return { c, key: `sgd${+f.wd}${+f.momentum}${+f.first}${+f.nesterov}`, build: () => sgdProgram(f), buffers: f.momentum ? 3 : 2, scalars: [c.lr, c.wd, c.mu, c.damp1], simd: true };
}

export function adamwPlan(o: AdamWOptions, ctx: StepContext): Plan<AdamWConsts> {
  const t = ctx.unitStep + 1;
  const c = {
    hasDecay: o.weightDecay !== 0,
    decay: fr(1 - ctx.lr * o.weightDecay),
    b1: fr(o.beta1),
    ob1: fr(1 - o.beta1),
    b2: fr(o.beta2),
    ob2: fr(1 - o.beta2),
    sc2: fr(Math.sqrt(1 - o.beta2 ** t)),
    eps: fr(o.epsilon),
    step: fr(ctx.lr / (1 - o.beta1 ** t)),
  };
  const f = { decay: c.hasDecay, amsgrad: o.amsgrad };
  return { c, key: `adamw${+f.decay}${+f.amsgrad}`, build: () => adamwProgram(f), buffers: f.amsgrad ? 5 : 4, scalars: [c.decay, c.b1, c.ob1, c.b2, c.ob2, c.sc2, c.eps, c.step], simd: true };
}

export function rmspropPlan(o: RMSpropOptions, ctx: StepContext): Plan<RmspropConsts> {
  const c = { lr: fr(ctx.lr), wd: fr(o.weightDecay), alpha: fr(o.alpha), oalpha: fr(1 - o.alpha), eps: fr(o.epsilon), mu: fr(o.momentum) };
  const f = { wd: c.wd !== 0, centered: o.centered, momentum: o.momentum > 0 };
  return { c, key: `rmsprop${+f.wd}${+f.centered}${+f.momentum}`, build: () => rmspropProgram(f), buffers: 3 + +f.centered + +f.momentum, scalars: [c.lr, c.wd, c.alpha, c.oalpha, c.eps, c.mu], simd: true };
}

export function rfRmspropPlan(o: RFRMSpropOptions, ctx: StepContext): Plan<RfRmspropConsts> {
  const c = { lr: fr(ctx.lr), wd: fr(o.weightDecay), alpha: fr(o.alpha), rho: fr(1 - o.alpha), F: fr(batchFactor(o, ctx)), damping: fr(o.damping), mu: fr(o.momentum) };
  const f = { wd: c.wd !== 0, momentum: o.momentum > 0, bf16: o.stateDtype === 'bfloat16' };
  // fp16 rounding has no SIMD form here: the JS loop handles it.
  return { c, key: `rfrmsprop${+f.wd}${+f.momentum}${+f.bf16}`, build: () => rfRmspropProgram(f), buffers: f.momentum ? 4 : 3, scalars: [c.lr, c.wd, c.alpha, c.rho, c.F, c.damping, c.mu], simd: o.stateDtype !== 'float16' };
}

export function rfAdamWPlan(o: RFAdamWOptions, ctx: StepContext): Plan<RfAdamWConsts> {
  const t = ctx.unitStep + 1;
  const c1 = o.biasCorrection ? 1 - o.beta1 ** t : 1;
  const c2 = o.biasCorrection ? 1 - o.beta2 ** t : 1;
  const c = {
    hasDecay: o.weightDecay !== 0,
    decay: fr(1 - ctx.lr * o.weightDecay),
    b1: fr(o.beta1),
    ob1: fr(1 - o.beta1),
    b2: fr(o.beta2),
    ob2: fr(1 - o.beta2),
    F: fr(batchFactor(o, ctx)),
    c2: fr(c2),
    damping: fr(o.damping),
    step: fr(ctx.lr / c1),
  };
  const f = { decay: c.hasDecay, bf16: o.stateDtype === 'bfloat16' };
  return { c, key: `rfadamw${+f.decay}${+f.bf16}`, build: () => rfAdamWProgram(f), buffers: 4, scalars: [c.decay, c.b1, c.ob1, c.b2, c.ob2, c.F, c.c2, c.damping, c.step], simd: o.stateDtype !== 'float16' };
}
