import * as tf from '@tensorflow/tfjs-core';
import type { RootfreeOptimizer } from '../../src/tfjs/RootfreeOptimizer.js';

/** Seeded PRNG (mulberry32) with a Box-Muller normal, so references and tfjs see the same data. */
export function rng(seed: number): { uniform(): number; normal(): number; normals(n: number, scale?: number): number[] } {
  let a = seed >>> 0;
  const uniform = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const normal = (): number => {
    const u = Math.max(uniform(), 1e-12);
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * uniform());
  };
  return { uniform, normal, normals: (n, scale = 1) => Array.from({ length: n }, () => normal() * scale) };
}

/** Values as float32 would store them (the tfjs inputs are float32, so the reference starts there). */
export const f32 = (xs: number[]): number[] => Array.from(Float32Array.from(xs));

let nameCounter = 0;
/** A trainable float32 variable with a unique name (tfjs variable names are global). */
export function makeVar(values: number[], shape: number[], base = 'p'): tf.Variable {
  const init = tf.tensor(values, shape, 'float32');
  const v = tf.variable(init, true, `${base}_${++nameCounter}_${Math.random().toString(36).slice(2, 8)}`);
  init.dispose();
  return v;
}

export interface Problem {
  shapes: number[][];
  init: number[][];
  /** grads[step][param] (already float32-representable). */
  grads: number[][][];
}

export function randomProblem(seed: number, steps: number, shapes: number[][] = [[4, 3], [4]], gradScale = 0.5): Problem {
  const r = rng(seed);
  const size = (s: number[]) => s.reduce((a, b) => a * b, 1);
  return {
    shapes,
    init: shapes.map((s) => f32(r.normals(size(s)))),
    grads: Array.from({ length: steps }, () => shapes.map((s) => f32(r.normals(size(s), gradScale)))),
  };
}

/**
 * Runs `opt` over the problem through `applyGradients`; returns the parameters after every step
 * and the variables (caller disposes them with the optimizer).
 */
export function runTf(
  opt: RootfreeOptimizer<any>,
  prob: Problem,
  stepOptions: (step: number) => { batchSize?: number } = () => ({}),
): { history: number[][][]; vars: tf.Variable[] } {
  const vars = prob.shapes.map((s, i) => makeVar(prob.init[i], s, `w${i}`));
  const history: number[][][] = [];
  prob.grads.forEach((gs, t) => {
    const grads = gs.map((g, i) => ({ name: vars[i].name, tensor: tf.tensor(g, prob.shapes[i], 'float32') }));
    opt.applyGradients(grads, stepOptions(t));
    grads.forEach((g) => g.tensor.dispose());
    history.push(vars.map((v) => Array.from(v.dataSync())));
  });
  return { history, vars };
}

/** max over all entries of |a − b| / (atol + rtol·|b|); <= 1 means within tolerance. */
export function tolRatio(a: number[][][] | number[][], b: number[][][] | number[][], atol: number, rtol: number): number {
  const fa = (a as unknown[]).flat(2) as number[];
  const fb = (b as unknown[]).flat(2) as number[];
  if (fa.length !== fb.length) throw new Error(`length mismatch ${fa.length} vs ${fb.length}`);
  let worst = 0;
  for (let i = 0; i < fa.length; i++) {
    const r = Math.abs(fa[i] - fb[i]) / (atol + rtol * Math.abs(fb[i]));
    if (!(r <= worst)) worst = Number.isNaN(r) ? Infinity : Math.max(worst, r);
  }
  return worst;
}

export function maxAbsDiff(a: number[][][] | number[][], b: number[][][] | number[][]): number {
  const fa = (a as unknown[]).flat(2) as number[];
  const fb = (b as unknown[]).flat(2) as number[];
  return fa.reduce((m, x, i) => Math.max(m, Math.abs(x - fb[i])), 0);
}

/** Round-to-nearest-even float32 → bfloat16 (SPEC §6.3), via float32 first (rule 5). */
const u32 = new Uint32Array(1);
const fl32 = new Float32Array(u32.buffer);
export function bf16(x: number): number {
  fl32[0] = x;
  const u = u32[0];
  if (Number.isNaN(fl32[0])) return NaN;
  u32[0] = (u + 0x7fff + ((u >>> 16) & 1)) & 0xffff0000;
  return fl32[0];
}

/** Size of one bf16 ulp at |x| (for "within k ulps" checks). */
export function bf16Ulp(x: number): number {
  const a = Math.abs(x);
  if (a === 0) return 2 ** -133;
  return 2 ** (Math.floor(Math.log2(a)) - 7);
}

/** Optimizer state slot from getWeights(): `<unit>/<names>/<slot>` → values per unit. */
export async function stateSlot(opt: RootfreeOptimizer<any>, slot: string): Promise<number[][]> {
  const w = await opt.getWeights();
  return w.filter((x) => x.name.endsWith(`/${slot}`)).map((x) => Array.from(x.tensor.dataSync()));
}

/**
 * `useBackend` sets tfjs's IS_TEST flag to silence the Node banner; IS_TEST also turns on the
 * engine's per-kernel leak check, which throws inside wasm's fusedMatMul-with-activation
 * (tfjs-layers dense layers). Until setup.ts uses PROD instead, layers tests switch it off.
 */
export function allowLayersOnWasm(): void {
  tf.env().set('IS_TEST', false);
  tf.env().set('PROD', true);
}

/** Round-to-nearest-even float32 → IEEE half (subnormals, overflow to ±Inf), via float32 first. */
export function fp16(x: number): number {
  const v = Math.fround(x);
  if (Number.isNaN(v) || !Number.isFinite(v) || v === 0) return v;
  const a = Math.abs(v);
  if (a >= 65520) return Math.sign(v) * Infinity;
  const quantum = a < 2 ** -14 ? 2 ** -24 : 2 ** (Math.floor(Math.log2(a)) - 10);
  const q = a / quantum;
  let n = Math.floor(q);
  const rest = q - n;
  if (rest > 0.5 || (rest === 0.5 && n % 2 === 1)) n++;
  return Math.sign(v) * n * quantum;
}

export function fp16Ulp(x: number): number {
  const a = Math.abs(x);
  return a < 2 ** -14 ? 2 ** -24 : 2 ** (Math.floor(Math.log2(a)) - 10);
}
