import * as tf from '@tensorflow/tfjs-core';
import { maybeRound, type Precision } from '../../precision/index.js';
import type { WeightLayout } from './options.js';

/**
 * The reference's quintic Newton–Schulz iteration (`zeropower_via_newtonschulz5`): X = G/(‖G‖_F + ε)
 * (on Gᵀ when G is tall, only to work with the smaller Gram matrix), then `steps` times
 * A = XXᵀ, B = bA + cA², X = aX + BX. In bfloat16 every operation's result is rounded once to
 * bf16 (products accumulated in float32), the float32-opmath behaviour of GPUs; the scalar
 * coefficients are not pre-rounded (v3 README §6.3 describes torch-CPU's differences).
 */
export function newtonSchulz(g: tf.Tensor2D, steps: number, [a, b, c]: [number, number, number], eps: number, p: Precision): tf.Tensor2D {
  return tf.tidy(() => {
    const r = <T extends tf.Tensor>(x: T): T => maybeRound(x, p);
    const tall = g.shape[0] > g.shape[1];
    let X = r(tall ? tf.transpose(g) : g) as tf.Tensor2D;
    const norm = r(tf.add(r(tf.norm(X)), eps));
    X = r(tf.div(X, norm));
    for (let k = 0; k < steps; k++) {
      const A = r(tf.matMul(X, X, false, true));
      const B = r(tf.add(r(tf.mul(A, b)), r(tf.mul(r(tf.matMul(A, A)), c))));
      X = r(tf.add(r(tf.mul(X, a)), r(tf.matMul(B, X))));
    }
    return tall ? tf.transpose(X) : X;
  });
}

/** The matrix a weight is orthogonalized as (a row/column permutation of the reference's view). */
export function muonMatrix(x: tf.Tensor, layout: WeightLayout): tf.Tensor2D {
  if (x.rank === 2) return x as tf.Tensor2D;
  // tfjs [kh, kw, in, out] → [kh·kw·in, out]: the reference's [out, in·kh·kw] transposed and
  // row-permuted, which Newton–Schulz commutes with.
  return (layout === 'tfjs' ? tf.reshape(x, [-1, x.shape[3] as number]) : tf.reshape(x, [x.shape[0], -1])) as tf.Tensor2D;
}

/**
 * √max(1, rows/cols) of the reference, from `G.size(-2)/G.size(-1)` of its [out, in] or
 * [out, in, kh, kw] gradient: out/in for a matrix, kh/kw for a 4-D filter (not the matrix Newton–
 * Schulz sees; §7.2 quirk).
 */
export function aspectScale(shape: number[], layout: WeightLayout): number {
  const [num, den]: number[] =
    shape.length === 2 ? (layout === 'tfjs' ? [shape[1], shape[0]] : [shape[0], shape[1]]) : layout === 'tfjs' ? [shape[0], shape[1]] : [shape[2], shape[3]];
  return Math.sqrt(Math.max(1, num / den));
}
