import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import type { Structured, StructureClass } from '../../src/structures/index.js';

/** Plain float64 matrices: the independent reference for every structured operation. */
export type Mat = number[][];

export async function setBackend(name: 'cpu' | 'wasm'): Promise<void> {
  tf.env().set('IS_TEST', true);
  await tf.setBackend(name);
  await tf.ready();
}

/** Deterministic uniform(−1, 1) stream (mulberry32). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) / 4294967296) * 2 - 1;
  };
}

export const randMat = (r: number, c: number, next: () => number): Mat => Array.from({ length: r }, () => Array.from({ length: c }, next));
export const eye = (d: number): Mat => Array.from({ length: d }, (_, i) => Array.from({ length: d }, (_, j) => (i === j ? 1 : 0)));
export const zerosM = (r: number, c: number): Mat => Array.from({ length: r }, () => new Array<number>(c).fill(0));
export const T = (a: Mat): Mat => (a.length === 0 ? [] : a[0].map((_, j) => a.map((r) => r[j])));
export const matmul = (a: Mat, b: Mat): Mat => a.map((r) => (b[0] ?? []).map((_, j) => r.reduce((s, v, k) => s + v * b[k][j], 0)));
export const addM = (a: Mat, b: Mat, alpha = 1): Mat => a.map((r, i) => r.map((v, j) => v + alpha * b[i][j]));
export const scaleM = (a: Mat, c: number): Mat => a.map((r) => r.map((v) => v * c));
export const sym = (a: Mat): Mat => addM(scaleM(a, 0.5), scaleM(T(a), 0.5));

export function toMat(t: tf.Tensor): Mat {
  return t.arraySync() as Mat;
}
export function toTensor(a: Mat, rowsN = a.length, colsN = a[0]?.length ?? 0): tf.Tensor2D {
  return tf.tensor2d(a.flat(), [rowsN, colsN]);
}

/** max |a − b| ≤ atol + rtol·max|b| (scale-relative: entries are O(1) here). */
export function expectClose(actual: Mat | number, expected: Mat | number, rtol: number, atol: number, what = ''): void {
  const a = typeof actual === 'number' ? [[actual]] : actual;
  const e = typeof expected === 'number' ? [[expected]] : expected;
  if (a.length !== e.length || a.some((r, i) => r.length !== e[i].length)) {
    throw new Error(`${what}: shape mismatch ${a.length}x${a[0]?.length} vs ${e.length}x${e[0]?.length}`);
  }
  let scale = 0;
  let worst = 0;
  for (let i = 0; i < e.length; i++) for (let j = 0; j < e[i].length; j++) {
    scale = Math.max(scale, Math.abs(e[i][j]));
    worst = Math.max(worst, Math.abs(a[i][j] - e[i][j]));
    if (!Number.isFinite(a[i][j])) throw new Error(`${what}: non-finite entry at (${i},${j})`);
  }
  if (worst > atol + rtol * scale) throw new Error(`${what}: max abs diff ${worst} > ${atol} + ${rtol}·${scale}\nactual ${JSON.stringify(a)}\nexpected ${JSON.stringify(e)}`);
}

/** True when every entry is a bfloat16 value (low 16 bits of the float32 pattern zero). */
export function isBf16(t: tf.Tensor): boolean {
  const bits = new Uint32Array(Float32Array.from(t.dataSync() as Float32Array).buffer);
  return bits.every((u) => (u & 0xffff) === 0);
}

/** Round-to-nearest-even float32 → bfloat16 of a float64 matrix (SPEC §6.3, via float32). */
export function bf16(a: Mat): Mat {
  const f = new Float32Array(1);
  const u = new Uint32Array(f.buffer);
  return a.map((r) => r.map((v) => {
    f[0] = v;
    u[0] = (u[0] + 0x7fff + ((u[0] >>> 16) & 1)) & 0xffff0000;
    return f[0];
  }));
}

/**
 * A non-symmetric structured K: two updates K ← K(I − η·Π(S)) from the identity with random
 * symmetric S (SPEC §8.5 item 5), built with the structure's own ops and then read back densely.
 */
export function updatedK(cls: StructureClass, d: number, next: () => number, eta = 0.3): Structured {
  let k = cls.eye(d);
  for (let step = 0; step < 2; step++) {
    const s = toTensor(sym(randMat(d, d, next)));
    const p = cls.fromDense(s);
    const i = cls.eye(d);
    const step_ = i.add(p, -eta);
    const kNew = k.mul(step_);
    for (const x of [s, ...Object.values(p.tensors()), ...Object.values(i.tensors()), ...Object.values(step_.tensors()), ...Object.values(k.tensors())]) x.dispose();
    k = kNew;
  }
  return k;
}

export function disposeS(...ss: Structured[]): void {
  for (const s of ss) for (const t of Object.values(s.tensors())) t.dispose();
}
