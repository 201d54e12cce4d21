import * as tf from '@tensorflow/tfjs-core';
import type { Method, ParamInfo, StepContext } from '../../src/optim/types.js';
import { rng } from '../core/helpers.js';

/** mulberry32 + Box-Muller (the core tests' generator): the same data on every backend and run. */
export function normals(seed: number): (n: number, scale?: number) => Float32Array {
  const r = rng(seed);
  return (n, scale = 1) => Float32Array.from(r.normals(n, scale));
}

/** A variable that is the only owner of its storage (the init tensor is disposed). */
export function ownVar(t: tf.Tensor): tf.Variable {
  const v = tf.variable(t, false);
  t.dispose();
  return v;
}

export interface Copy {
  params: tf.Variable[];
  state: Record<string, tf.Variable>;
}

export function makeCopy<O>(method: Method<O>, o: O, init: Float32Array[], info: ParamInfo[], ctx: StepContext): Copy {
  const params = init.map((x, i) => ownVar(tf.tensor(x.slice(), info[i].shape)));
  const s = tf.tidy(() => method.init(info, o, ctx));
  const state: Record<string, tf.Variable> = {};
  for (const [k, t] of Object.entries(s)) state[k] = ownVar(t);
  return { params, state };
}

export function disposeCopy(c: Copy): void {
  c.params.forEach((v) => v.dispose());
  Object.values(c.state).forEach((v) => v.dispose());
}

/** One composite step, as the driver does it. */
export function compositeStep<O>(method: Method<O>, c: Copy, grads: tf.Tensor[], o: O, ctx: StepContext, info: ParamInfo[]): void {
  tf.tidy(() => {
    const out = method.apply(c.params, grads, c.state, o, ctx, info);
    out.params.forEach((t, k) => c.params[k].assign(t));
    for (const [slot, v] of Object.entries(c.state)) v.assign(out.state[slot]);
  });
}

/** Largest |a − b| / max(|b|, tiny) over all elements; NaN in both at the same place counts as equal. */
export function maxRelDiff(a: Float32Array, b: Float32Array): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++) {
    if (Number.isNaN(a[i]) && Number.isNaN(b[i])) continue;
    if (a[i] === b[i]) continue;
    const d = Math.abs(a[i] - b[i]) / Math.max(Math.abs(b[i]), 1e-30);
    worst = Math.max(worst, Number.isNaN(d) ? Infinity : d);
  }
  return worst;
}

/** Number of elements whose float32 bit patterns differ (NaNs count as equal). */
export function bitMismatches(a: Float32Array, b: Float32Array): number {
  let n = 0;
  for (let i = 0; i < a.length; i++) if (!(Object.is(a[i], b[i]) || (Number.isNaN(a[i]) && Number.isNaN(b[i])))) n++;
  return n;
}
