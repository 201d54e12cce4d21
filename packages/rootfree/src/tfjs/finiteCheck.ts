import * as tf from '@tensorflow/tfjs-core';
import { firstNonFinite } from '../optim/fused/finite.js';
import type { GradList } from './gradients.js';

/**
 * Index in `list` of the first present gradient holding NaN or ±Inf, or -1. Reads the backend's
 * storage directly where the fused path can (cpu/wasm), else one `dataSync` of a per-gradient flag.
 */
export function firstNonFiniteGradient(list: GradList, fused: boolean): number {
  const present: number[] = [];
  list.forEach((g, i) => {
    if (g.tensor !== null) present.push(i);
  });
  const idx = firstNonFiniteTensor(present.map((i) => list[i].tensor!), fused);
  return idx < 0 ? -1 : present[idx];
}

/**
 * Index of the first tensor holding NaN or ±Inf, or -1. Empty tensors are finite (and never reach
 * a tfjs reduction: tfjs-wasm's `any` of an empty tensor returns garbage). `direct` allows the
 * storage read of the cpu/wasm backends; otherwise, or when storage is not readable, one
 * `dataSync` of a per-tensor flag.
 */
export function firstNonFiniteTensor(tensors: tf.Tensor[], direct = true): number {
  const present: number[] = [];
  tensors.forEach((t, i) => {
    if (t.size > 0) present.push(i);
  });
  if (present.length === 0) return -1;
  const ts = present.map((i) => tensors[i]);
  const fast = direct ? firstNonFinite(ts) : null;
  const idx = fast ?? tf.tidy(() => tf.stack(ts.map((t) => tf.any(tf.logicalNot(tf.isFinite(t))))).dataSync()).findIndex((b) => b !== 0);
  return idx < 0 ? -1 : present[idx];
}

/** max |x| over the tensors (for error messages; reads the values back). */
export function maxAbs(tensors: Array<tf.Tensor | null>): number {
  let m = 0;
  for (const t of tensors) {
    if (t === null || t.size === 0) continue;
    for (const x of t.dataSync() as Float32Array) m = Math.max(m, Math.abs(x));
  }
  return m;
}
