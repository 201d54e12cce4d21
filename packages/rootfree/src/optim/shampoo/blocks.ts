import * as tf from '@tensorflow/tfjs-core';
import type { Block } from './plan.js';

/** The blocks of `x` (viewed with shape `dims`), in the plan's order; the tensor itself when unblocked. */
export function splitBlocks(x: tf.Tensor, dims: readonly number[], blocks: readonly Block[]): tf.Tensor[] {
  const v = tf.reshape(x, dims as number[]);
  if (blocks.length === 1) return [v];
  return blocks.map((b) => tf.slice(v, b.start, b.size));
}

/**
 * Inverse of {@link splitBlocks} (the reference's `multi_dim_cat`): blocks are row-major over the
 * block grid, so concatenating the runs that share all leading starts along the last axis, then
 * along the one before, and so on, rebuilds the tensor. Returned with `shape`.
 */
export function catBlocks(parts: readonly tf.Tensor[], blocks: readonly Block[], shape: readonly number[]): tf.Tensor {
  if (parts.length === 1) return tf.reshape(parts[0], shape as number[]);
  let cur = parts.map((t, i) => ({ key: blocks[i].start, t }));
  for (let axis = blocks[0].start.length - 1; axis >= 0; axis--) {
    const runs: Array<{ key: number[]; ts: tf.Tensor[] }> = [];
    for (const { key, t } of cur) {
      const prefix = key.slice(0, axis);
      const last = runs[runs.length - 1];
      if (last && last.key.every((v, i) => v === prefix[i])) last.ts.push(t);
      else runs.push({ key: prefix, ts: [t] });
    }
    cur = runs.map((r) => ({ key: r.key, t: r.ts.length === 1 ? r.ts[0] : tf.concat(r.ts, axis) }));
  }
  return tf.reshape(cur[0].t, shape as number[]);
}
