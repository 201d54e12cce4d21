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
    if (g.tensor !== null && g.tensor.size > 0) present.push(i);
  });
  if (present.length === 0) return -1;
  const tensors = present.map((i) => list[i].tensor!);
  const fast = fused ? firstNonFinite(tensors) : null;
  const idx = fast ?? tf.tidy(() => tf.stack(tensors.map((t) => tf.any(tf.logicalNot(tf.isFinite(t))))).dataSync()).findIndex((b) => b !== 0);
  return idx < 0 ? -1 : present[idx];
}
