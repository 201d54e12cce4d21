import type * as tf from '@tensorflow/tfjs-core';
import { storageAccess, type Span, type StorageAccess } from '../../backend/fusedKernels.js';
import type { AdamWOptions, RFAdamWOptions, RFRMSpropOptions, RMSpropOptions, SGDOptions } from '../diagonalOptions.js';
import type { StepContext } from '../types.js';
import { adamwKernel, rfAdamWKernel, rfRmspropKernel, rmspropKernel, sgdKernel, type AdamWConsts, type RfAdamWConsts, type RfRmspropConsts, type RmspropConsts, type SgdConsts } from './kernels.js';
import { enqueue } from './batch.js';
import { fusedSimdEnabled, simdKernel, simdMany } from './programs.js';
import type { ManyKernel, Kernel } from './simd.js';
import { rounderFor } from './round.js';
import { adamwPlan, rfAdamWPlan, rfRmspropPlan, rmspropPlan, sgdPlan, type Plan } from './plans.js';
import { adamwGpu, rfAdamWGpu, rfRmspropGpu, rmspropGpu, sgdGpu } from './gpuMethods.js';

/**
 * `Method.applyInPlace` implementations of the diagonal methods: one pass over memory per
 * parameter, writing the parameter and state variables' storage in place. Every storage view is
 * acquired before anything is written, so returning false (unsupported backend, shared storage)
 * leaves everything unchanged and the driver falls back to `apply`.
 *
 * The driver calls these once per parameter, and a step's parameters share the options object,
 * lr, unit step and batch size: the float32 constants, the SIMD kernel and its argument array are
 * computed once per step and options object (`prepared`), so a small tensor costs the storage
 * lookups, one wasm call and the XNNPACK cache notification, and no allocations.
 */

type Vars = Record<string, tf.Variable>;


interface Prepared<C> {
  acc: StorageAccess;
  lr: number;
  unitStep: number;
  batchSize: number;
  simdOn: boolean;
  c: C;
  kernel: Kernel | null;
  /** The batched form of `kernel` (wasm): updates are queued and run at the end of the step. */
  many: ManyKernel | null;
  scalars: number[];
  stride: number;
  /** [n, byte offset of each buffer, scalars…]: n and offsets are filled in per tensor. */
  args: number[];
}

function prepared<O extends object, C>(cache: WeakMap<O, Prepared<C>>, acc: StorageAccess, o: O, ctx: StepContext, plan: (o: O, ctx: StepContext) => Plan<C>): Prepared<C> {
  const simdOn = fusedSimdEnabled();
  let s = cache.get(o);
  if (s === undefined || s.acc !== acc || s.lr !== ctx.lr || s.unitStep !== ctx.unitStep || s.batchSize !== ctx.batchSize || s.simdOn !== simdOn) {
    const p = plan(o, ctx);
    const kernel = p.simd ? simdKernel(acc, p.key, p.build) : null;
    const many = kernel !== null && acc.scratch ? simdMany(acc, p.key, p.build) : null;
    const args = [0];
    for (let k = 0; k < p.buffers; k++) args.push(0);
    args.push(...p.scalars);
    s = { acc, lr: ctx.lr, unitStep: ctx.unitStep, batchSize: ctx.batchSize, simdOn, c: p.c, kernel, many, scalars: p.scalars, stride: p.buffers + 1, args };
    cache.set(o, s);
  }
  return s;
}

/**
 * Runs the prepared kernel over the spans (in program buffer order) and marks `p` written; with a
 * batched kernel the update is queued for the end of the step instead (`batch.ts`).
 */
function run(s: Prepared<unknown>, p: tf.Variable, a: Span, b: Span, c?: Span | null, d?: Span | null, e?: Span | null): void {
  const n = p.size;
  if (s.many !== null) {
    enqueue(s, s.acc, s.many, s.scalars, s.stride, p, n, [a, b, c, d, e]);
    return;
  }
  const args = s.args;
  args[0] = n;
  args[1] = a.off * 4;
  args[2] = b.off * 4;
  let k = 3;
  if (c) args[k++] = c.off * 4;
  if (d) args[k++] = d.off * 4;
  if (e) args[k++] = e.off * 4;
  s.kernel!(...(args as [number, ...number[]]));
  s.acc.written(p);
}

/**
 * The storage of `g` (read), `p` and each wanted state variable (write), all acquired before
 * anything is written; null when the backend has no storage access or any of them is unavailable
 * (the caller then returns false and nothing has changed). Unwanted slots (null) give null spans.
 */
function acquire(g: tf.Tensor, p: tf.Variable, ...slots: Array<tf.Variable | null>): { acc: StorageAccess; G: Span; P: Span; S: Array<Span | null> } | null {
  const acc = storageAccess();
  if (acc === null) return null;
  const G = acc.read(g);
  const P = acc.write(p);
  if (G === null || P === null) return null;
  const S: Array<Span | null> = [];
  for (const v of slots) {
    const span = v === null ? null : acc.write(v);
    if (v !== null && span === null) return null;
    S.push(span);
  }
  return { acc, G, P, S };
}


const sgdPrepared = new WeakMap<SGDOptions, Prepared<SgdConsts>>();

export function sgdInPlace([p]: tf.Variable[], [g]: tf.Tensor[], state: Vars, o: SGDOptions, ctx: StepContext): boolean {
  const a = acquire(g, p, o.momentum > 0 ? state.momentum : null);
  if (a === null) return sgdGpu(p, g, state, o, ctx);
  const { acc, G, P, S: [B] } = a;
  const s = prepared(sgdPrepared, acc, o, ctx, sgdPlan);
  if (s.kernel !== null) run(s, p, P, G, B);
  else {
    sgdKernel(p.size, P.arr, P.off, G.arr, G.off, B?.arr ?? null, B?.off ?? 0, s.c);
    acc.written(p);
  }
  return true;
}

const adamwPrepared = new WeakMap<AdamWOptions, Prepared<AdamWConsts>>();

export function adamwInPlace([p]: tf.Variable[], [g]: tf.Tensor[], state: Vars, o: AdamWOptions, ctx: StepContext): boolean {
  const a = acquire(g, p, state.m, state.v, o.amsgrad ? state.vmax : null);
  if (a === null) return adamwGpu(p, g, state, o, ctx);
  const { acc, G, P } = a;
  const [M, V, X] = [a.S[0]!, a.S[1]!, a.S[2]];
  const s = prepared(adamwPrepared, acc, o, ctx, adamwPlan);
  if (s.kernel !== null) run(s, p, P, G, M, V, X);
  else {
    adamwKernel(p.size, P.arr, P.off, G.arr, G.off, M.arr, M.off, V.arr, V.off, X?.arr ?? null, X?.off ?? 0, s.c);
    acc.written(p);
  }
  return true;
}

const rmspropPrepared = new WeakMap<RMSpropOptions, Prepared<RmspropConsts>>();

export function rmspropInPlace([p]: tf.Variable[], [g]: tf.Tensor[], state: Vars, o: RMSpropOptions, ctx: StepContext): boolean {
  const a = acquire(g, p, state.v, o.centered ? state.gAvg : null, o.momentum > 0 ? state.momentum : null);
  if (a === null) return rmspropGpu(p, g, state, o, ctx);
  const { acc, G, P } = a;
  const [V, A, B] = [a.S[0]!, a.S[1], a.S[2]];
  const s = prepared(rmspropPrepared, acc, o, ctx, rmspropPlan);
  if (s.kernel !== null) run(s, p, P, G, V, A ?? B, A ? B : null);
  else {
    rmspropKernel(p.size, P.arr, P.off, G.arr, G.off, V.arr, V.off, A?.arr ?? null, A?.off ?? 0, B?.arr ?? null, B?.off ?? 0, s.c);
    acc.written(p);
  }
  return true;
}

const rfRmspropPrepared = new WeakMap<RFRMSpropOptions, Prepared<RfRmspropConsts>>();

export function rfRmspropInPlace([p]: tf.Variable[], [g]: tf.Tensor[], state: Vars, o: RFRMSpropOptions, ctx: StepContext): boolean {
  const a = acquire(g, p, state.v, o.momentum > 0 ? state.momentum : null);
  if (a === null) return rfRmspropGpu(p, g, state, o, ctx);
  const { acc, G, P } = a;
  const [V, B] = [a.S[0]!, a.S[1]];
  const s = prepared(rfRmspropPrepared, acc, o, ctx, rfRmspropPlan);
  if (s.kernel !== null) run(s, p, P, G, V, B);
  else {
    rfRmspropKernel(p.size, P.arr, P.off, G.arr, G.off, V.arr, V.off, B?.arr ?? null, B?.off ?? 0, s.c, rounderFor(o.stateDtype));
    acc.written(p);
  }
  return true;
}

const rfAdamWPrepared = new WeakMap<RFAdamWOptions, Prepared<RfAdamWConsts>>();

export function rfAdamWInPlace([p]: tf.Variable[], [g]: tf.Tensor[], state: Vars, o: RFAdamWOptions, ctx: StepContext): boolean {
  const a = acquire(g, p, state.m, state.v);
  if (a === null) return rfAdamWGpu(p, g, state, o, ctx);
  const { acc, G, P } = a;
  const [M, V] = [a.S[0]!, a.S[1]!];
  const s = prepared(rfAdamWPrepared, acc, o, ctx, rfAdamWPlan);
  if (s.kernel !== null) run(s, p, P, G, M, V);
  else {
    rfAdamWKernel(p.size, P.arr, P.off, G.arr, G.off, M.arr, M.off, V.arr, V.off, s.c, rounderFor(o.stateDtype));
    acc.written(p);
  }
  return true;
}
