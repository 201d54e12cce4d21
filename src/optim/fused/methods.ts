import type * as tf from '@tensorflow/tfjs-core';
import { storageAccess, type Span, type StorageAccess } from '../../backend/fusedKernels.js';
import type { AdamWOptions } from '../adamw.js';
import type { RFAdamWOptions } from '../rfAdamW.js';
import type { RFRMSpropOptions } from '../rfRmsprop.js';
import type { RMSpropOptions } from '../rmsprop.js';
import type { SGDOptions } from '../sgd.js';
import type { StepContext } from '../types.js';
import { adamwKernel, rfAdamWKernel, rfRmspropKernel, rmspropKernel, sgdKernel } from './kernels.js';
import { adamwProgram, rfAdamWProgram, rfRmspropProgram, rmspropProgram, runSimd, sgdProgram } from './programs.js';
import { rounderFor } from './round.js';

/**
 * `Method.applyInPlace` implementations of the diagonal methods: one pass over memory per
 * parameter, writing the parameter and state variables' storage in place. Every storage view is
 * acquired before anything is written, so returning false (unsupported backend, shared storage)
 * leaves everything unchanged and the driver falls back to `apply`.
 */

type Vars = Record<string, tf.Variable>;
const fr = Math.fround;

/** Write views of the named variables (absent slot → null entry); undefined when any is not writable. */
function writable(acc: StorageAccess, vars: Array<tf.Variable | undefined>): Array<Span | null> | undefined {
  const out: Array<Span | null> = [];
  for (const v of vars) {
    if (v === undefined) {
      out.push(null);
      continue;
    }
    const s = acc.write(v);
    if (s === null) return undefined;
    out.push(s);
  }
  return out;
}

function batchFactor(o: { batchAveraged: boolean; dummyScaling: boolean }, ctx: StepContext): number {
  return o.dummyScaling || !o.batchAveraged ? 1 : ctx.batchSize;
}

export function sgdInPlace([p]: tf.Variable[], [g]: tf.Tensor[], state: Vars, o: SGDOptions, ctx: StepContext): boolean {
  const acc = storageAccess();
  if (acc === null) return false;
  const G = acc.read(g);
  const w = writable(acc, [p, o.momentum > 0 ? state.momentum : undefined]);
  if (G === null || w === undefined) return false;
  const [P, B] = w;
  const c = { lr: fr(ctx.lr), wd: fr(o.weightDecay), mu: fr(o.momentum), damp1: fr(1 - o.dampening), nesterov: o.nesterov, first: ctx.unitStep === 0 };
  const f = { wd: c.wd !== 0, momentum: B !== null, first: c.first, nesterov: c.nesterov };
  const spans = B ? [P!, G, B] : [P!, G];
  if (!runSimd(acc, `sgd${+f.wd}${+f.momentum}${+f.first}${+f.nesterov}`, () => sgdProgram(f), p.size, spans, [c.lr, c.wd, c.mu, c.damp1])) {
    sgdKernel(p.size, P!.arr, P!.off, G.arr, G.off, B?.arr ?? null, B?.off ?? 0, c);
  }
  acc.written(p);
  return true;
}

export function adamwInPlace([p]: tf.Variable[], [g]: tf.Tensor[], state: Vars, o: AdamWOptions, ctx: StepContext): boolean {
  const acc = storageAccess();
  if (acc === null) return false;
  const G = acc.read(g);
  const w = writable(acc, [p, state.m, state.v, o.amsgrad ? state.vmax : undefined]);
  if (G === null || w === undefined) return false;
  const [P, M, V, X] = w;
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
  const f = { decay: c.hasDecay, amsgrad: X !== null };
  const spans = X ? [P!, G, M!, V!, X] : [P!, G, M!, V!];
  if (!runSimd(acc, `adamw${+f.decay}${+f.amsgrad}`, () => adamwProgram(f), p.size, spans, [c.decay, c.b1, c.ob1, c.b2, c.ob2, c.sc2, c.eps, c.step])) {
    adamwKernel(p.size, P!.arr, P!.off, G.arr, G.off, M!.arr, M!.off, V!.arr, V!.off, X?.arr ?? null, X?.off ?? 0, c);
  }
  acc.written(p);
  return true;
}

export function rmspropInPlace([p]: tf.Variable[], [g]: tf.Tensor[], state: Vars, o: RMSpropOptions, ctx: StepContext): boolean {
  const acc = storageAccess();
  if (acc === null) return false;
  const G = acc.read(g);
  const w = writable(acc, [p, state.v, o.centered ? state.gAvg : undefined, o.momentum > 0 ? state.momentum : undefined]);
  if (G === null || w === undefined) return false;
  const [P, V, A, B] = w;
  const c = { lr: fr(ctx.lr), wd: fr(o.weightDecay), alpha: fr(o.alpha), oalpha: fr(1 - o.alpha), eps: fr(o.epsilon), mu: fr(o.momentum) };
  const f = { wd: c.wd !== 0, centered: A !== null, momentum: B !== null };
  const spans = [P!, G, V!, ...(A ? [A] : []), ...(B ? [B] : [])];
  if (!runSimd(acc, `rmsprop${+f.wd}${+f.centered}${+f.momentum}`, () => rmspropProgram(f), p.size, spans, [c.lr, c.wd, c.alpha, c.oalpha, c.eps, c.mu])) {
    rmspropKernel(p.size, P!.arr, P!.off, G.arr, G.off, V!.arr, V!.off, A?.arr ?? null, A?.off ?? 0, B?.arr ?? null, B?.off ?? 0, c);
  }
  acc.written(p);
  return true;
}

export function rfRmspropInPlace([p]: tf.Variable[], [g]: tf.Tensor[], state: Vars, o: RFRMSpropOptions, ctx: StepContext): boolean {
  const acc = storageAccess();
  if (acc === null) return false;
  const G = acc.read(g);
  const w = writable(acc, [p, state.v, o.momentum > 0 ? state.momentum : undefined]);
  if (G === null || w === undefined) return false;
  const [P, V, B] = w;
  const c = { lr: fr(ctx.lr), wd: fr(o.weightDecay), alpha: fr(o.alpha), rho: fr(1 - o.alpha), F: fr(batchFactor(o, ctx)), damping: fr(o.damping), mu: fr(o.momentum) };
  const f = { wd: c.wd !== 0, momentum: B !== null, bf16: o.stateDtype === 'bfloat16' };
  const spans = B ? [P!, G, V!, B] : [P!, G, V!];
  // fp16 rounding has no SIMD form here: the JS loop handles it.
  const simd = o.stateDtype !== 'float16' && runSimd(acc, `rfrmsprop${+f.wd}${+f.momentum}${+f.bf16}`, () => rfRmspropProgram(f), p.size, spans, [c.lr, c.wd, c.alpha, c.rho, c.F, c.damping, c.mu]);
  if (!simd) rfRmspropKernel(p.size, P!.arr, P!.off, G.arr, G.off, V!.arr, V!.off, B?.arr ?? null, B?.off ?? 0, c, rounderFor(o.stateDtype));
  acc.written(p);
  return true;
}

export function rfAdamWInPlace([p]: tf.Variable[], [g]: tf.Tensor[], state: Vars, o: RFAdamWOptions, ctx: StepContext): boolean {
  const acc = storageAccess();
  if (acc === null) return false;
  const G = acc.read(g);
  const w = writable(acc, [p, state.m, state.v]);
  if (G === null || w === undefined) return false;
  const [P, M, V] = w;
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
  const simd =
    o.stateDtype !== 'float16' &&
    runSimd(acc, `rfadamw${+f.decay}${+f.bf16}`, () => rfAdamWProgram(f), p.size, [P!, G, M!, V!], [c.decay, c.b1, c.ob1, c.b2, c.ob2, c.F, c.c2, c.damping, c.step]);
  if (!simd) rfAdamWKernel(p.size, P!.arr, P!.off, G.arr, G.off, M!.arr, M!.off, V!.arr, V!.off, c, rounderFor(o.stateDtype));
  acc.written(p);
  return true;
}
