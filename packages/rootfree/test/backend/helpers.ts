import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients.js';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';

/** Deterministic uniform(-1, 1) values (mulberry32), so failures reproduce. */
export function randomValues(n: number, seed: number): Float32Array {
  let a = seed >>> 0;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = (((t ^ (t >>> 14)) >>> 0) / 4294967296) * 2 - 1;
  }
  return out;
}

export interface Spec { shape: number[]; seed: number; dtype?: 'float32' | 'int32'; values?: number[] }

/** Runs `fn` on `backend` with fresh inputs; returns every output's values. */
export async function runOn(backend: string, specs: Spec[], fn: (...xs: tf.Tensor[]) => tf.Tensor | tf.Tensor[]): Promise<Float32Array[]> {
  await tf.setBackend(backend);
  const xs = specs.map((s) =>
    s.values ? tf.tensor(s.values, s.shape, s.dtype ?? 'float32') : tf.tensor(randomValues(s.shape.reduce((a, b) => a * b, 1), s.seed), s.shape),
  );
  const out = fn(...xs);
  const list = Array.isArray(out) ? out : [out];
  const values = list.map((t) => Float32Array.from(t.dataSync()));
  tf.dispose([...xs, ...list]);
  return values;
}

/** max |a − b| / max |b|: relative to the reference's scale, so near-zero entries do not dominate. */
export function relDiff(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return Infinity;
  let num = 0;
  let den = 1e-30;
  for (let i = 0; i < a.length; i++) {
    num = Math.max(num, Math.abs(a[i] - b[i]));
    den = Math.max(den, Math.abs(b[i]));
  }
  return num / den;
}

/** Largest relative difference between wasm (patched) and cpu (stock) over all outputs. */
export async function wasmVsCpu(specs: Spec[], fn: (...xs: tf.Tensor[]) => tf.Tensor | tf.Tensor[]): Promise<number> {
  const ref = await runOn('cpu', specs, fn);
  const got = await runOn('wasm', specs, fn);
  if (ref.length !== got.length) return Infinity;
  return Math.max(...ref.map((r, i) => relDiff(got[i], r)));
}

export function wasmDataIds(): number {
  return (tf.findBackend('wasm') as unknown as { numDataIds(): number }).numDataIds();
}

/**
 * Runs `step` once (warm-up: kernels may cache), then three more times, and asserts that neither
 * tfjs tensors nor wasm storage entries grew. Returns nothing; fails the test through `expect`.
 */
export function expectNoWasmLeak(step: () => tf.Tensor, expect: (v: unknown) => { toBe(x: unknown): void }): void {
  tf.dispose(step());
  const tensors = tf.memory().numTensors;
  const ids = wasmDataIds();
  for (let i = 0; i < 3; i++) tf.dispose(step());
  expect(tf.memory().numTensors).toBe(tensors);
  expect(wasmDataIds()).toBe(ids);
}
