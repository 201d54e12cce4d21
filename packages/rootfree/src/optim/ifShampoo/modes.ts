import * as tf from '@tensorflow/tfjs-core';

/**
 * Mode products through 2-D matmuls only (wasm's fast path). A tensor with axes (0..N−1) is kept
 * in a "rotation r" layout: axes (r, r+1, …, N−1, 0, …, r−1) row-major, viewed as the 2-D
 * [d_r, n/d_r] matrix, which is a mode-r unfolding. Multiplying a d_r×d_r matrix from the left
 * and transposing the 2-D result gives rotation r+1, so all N mode products cost N matmuls and
 * N plain 2-D transposes, and rotation N is the original layout again.
 */
export function prod(dims: readonly number[]): number {
  return dims.reduce((a, b) => a * b, 1);
}

/**
 * Applies `f(a, X_a)` to every axis in turn, X_a the mode-a unfolding [d_a, n/d_a] of the
 * current tensor; `f` must return a [d_a, n/d_a] matrix (a product from the left). Input and
 * output are in the original layout, as [d_0, n/d_0].
 */
export function cycleModes(x: tf.Tensor, dims: readonly number[], f: (a: number, xa: tf.Tensor2D) => tf.Tensor2D): tf.Tensor2D {
  const n = prod(dims);
  let cur = tf.reshape(x, [dims[0], n / dims[0]]) as tf.Tensor2D;
  if (dims.length === 1) return f(0, cur);
  for (let a = 0; a < dims.length; a++) {
    const y = f(a, tf.reshape(cur, [dims[a], n / dims[a]]) as tf.Tensor2D);
    cur = tf.transpose(y);
  }
  return tf.reshape(cur, [dims[0], n / dims[0]]) as tf.Tensor2D;
}

/** All N mode-a unfoldings of a tensor given in the original layout (N − 1 transposes). */
export function unfoldings(x: tf.Tensor, dims: readonly number[]): tf.Tensor2D[] {
  const n = prod(dims);
  const out: tf.Tensor2D[] = [tf.reshape(x, [dims[0], n / dims[0]]) as tf.Tensor2D];
  for (let a = 1; a < dims.length; a++) out.push(tf.reshape(tf.transpose(out[a - 1]), [dims[a], n / dims[a]]) as tf.Tensor2D);
  return out;
}
