import * as tf from '@tensorflow/tfjs-core';
import type { AxisKind } from './plan.js';

/** How one axis of a block is preconditioned: a d×d inverse root or a length-d scaling. */
export type AxisOp = { kind: 'full'; x: tf.Tensor2D } | { kind: 'diag'; s: tf.Tensor };

/**
 * Per axis of G (viewed with shape `dims`): the mode-k Gram unf_k(G)·unf_k(G)ᵀ ('full') or its
 * diagonal, the squared row norms of unf_k(G) ('diag'). Cyclic scheme as in `modeGrams`: viewed as
 * [d_k, rest] the current layout is the mode-k unfolding, and its transpose leads with axis k+1.
 */
export function modeStats(g: tf.Tensor, dims: readonly number[], axes: readonly AxisKind[]): tf.Tensor[] {
  const size = g.size;
  let cur: tf.Tensor = g;
  return dims.map((d, k) => {
    const u = tf.reshape(cur, [d, size / d]) as tf.Tensor2D;
    const ut = tf.transpose(u);
    cur = ut;
    return axes[k] === 'full' ? tf.matMul(u, ut) : tf.sum(tf.square(u), 1);
  });
}

/** G ×_1 op_1 … ×_N op_N (full: tensordot with the symmetric root; diag: scale along the axis); G's shape. */
export function applyAxisOps(g: tf.Tensor, dims: readonly number[], ops: readonly AxisOp[]): tf.Tensor {
  const size = g.size;
  let cur: tf.Tensor = g;
  dims.forEach((d, k) => {
    const u = tf.reshape(cur, [d, size / d]) as tf.Tensor2D;
    const op = ops[k];
    cur = op.kind === 'full' ? tf.matMul(tf.transpose(u), op.x) : tf.transpose(tf.mul(u, tf.reshape(op.s, [d, 1])));
  });
  return tf.reshape(cur, g.shape);
}
