import type * as tf from '@tensorflow/tfjs-core';
import { storageAccess, type Span, type StorageAccess } from '../../backend/fusedKernels.js';
import type { AdamWOptions } from '../adamw.js';
import type { RFAdamWOptions } from '../rfAdamW.js';
import type { RFRMSpropOptions } from '../rfRmsprop.js';
import type { RMSpropOptions } from '../rmsprop.js';
import type { SGDOptions } from '../sgd.js';
import type { StepContext } from '../types.js';
import { adamwKernel, rfAdamWKernel, rfRmspropKernel, rmspropKernel, sgdKernel } from './kernels.js';
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
  sgdKernel(p.size, P!.arr, P!.off, G.arr, G.off, B?.arr ?? null, B?.off ?? 0, {
    lr: fr(ctx.lr),
    wd: fr(o.weightDecay),
    mu: fr(o.momentum),
    damp1: fr(1 - o.dampening),
    nesterov: o.nesterov,
    first: ctx.unitStep === 0,
  });
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
  adamwKernel(p.size, P!.arr, P!.off, G.arr, G.off, M!.arr, M!.off, V!.arr, V!.off, X?.arr ?? null, X?.off ?? 0, {
    hasDecay: o.weightDecay !== 0,
    decay: fr(1 - ctx.lr * o.weightDecay),
    b1: fr(o.beta1),
    ob1: fr(1 - o.beta1),
    b2: fr(o.beta2),
    ob2: fr(1 - o.beta2),
    sc2: fr(Math.sqrt(1 - o.beta2 ** t)),
    eps: fr(o.epsilon),
    step: fr(ctx.lr / (1 - o.beta1 ** t)),
  });
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
  rmspropKernel(p.size, P!.arr, P!.off, G.arr, G.off, V!.arr, V!.off, A?.arr ?? null, A?.off ?? 0, B?.arr ?? null, B?.off ?? 0, {
    lr: fr(ctx.lr),
    wd: fr(o.weightDecay),
    alpha: fr(o.alpha),
    oalpha: fr(1 - o.alpha),
    eps: fr(o.epsilon),
    mu: fr(o.momentum),
  });
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
  rfRmspropKernel(
    p.size, P!.arr, P!.off, G.arr, G.off, V!.arr, V!.off, B?.arr ?? null, B?.off ?? 0,
    {
      lr: fr(ctx.lr),
      wd: fr(o.weightDecay),
      alpha: fr(o.alpha),
      rho: fr(1 - o.alpha),
      F: fr(batchFactor(o, ctx)),
      damping: fr(o.damping),
      mu: fr(o.momentum),
    },
    rounderFor(o.stateDtype),
  );
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
  rfAdamWKernel(
    p.size, P!.arr, P!.off, G.arr, G.off, M!.arr, M!.off, V!.arr, V!.off,
    {
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
    },
    rounderFor(o.stateDtype),
  );
  acc.written(p);
  return true;
}
