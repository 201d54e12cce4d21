import * as tf from '@tensorflow/tfjs-core';
import { maybeRound, type Precision } from '../../precision/index.js';
import { DenseMatrix } from '../../structures/dense.js';
import type { Structured } from '../../structures/index.js';
import type { UnitLayout } from './layout.js';
import { cycleModes, prod } from './modes.js';

/** s = max(1, √‖K‖_max) of the infinity-norm trick (SPEC §2.4); 1 when the trick is off. */
export function factorScale(K: Structured, p: Precision, on: boolean): tf.Scalar {
  if (!on) return tf.scalar(1);
  return tf.maximum(maybeRound(tf.sqrt(K.maxNorm()), p), 1) as tf.Scalar;
}

/** P = K̃K̃ᵀ with K̃ = K/s, as a dense matrix in the factor's precision. */
export function scaledOuter(K: Structured, s: tf.Scalar): tf.Tensor2D {
  const kt = K.scale(tf.div(1, s) as tf.Scalar);
  return kt.matmul(tf.transpose(kt.toDense()));
}

/**
 * V = G ×_a (K_aK_aᵀ) for all a (SPEC §2.3 step 1) with the infinity-norm trick:
 * V = (Π_a s_a²)·(G ×_a K̃_aK̃_aᵀ). Per axis, a cached P_a is used when given; otherwise a dense
 * factor forms P_a when that is cheaper (d_a³ + n·d_a < 2·n·d_a, i.e. d_a² < n), and any other
 * factor applies K̃_aᵀ then K̃_a ([SF]). Returns V in the squeezed layout as [d_0, n/d_0].
 */
export function precondition(
  g: tf.Tensor,
  K: Structured[],
  P: Array<tf.Tensor2D | null>,
  layout: UnitLayout,
  infNormScaling = true,
): tf.Tensor2D {
  const { dims, precisions: p } = layout;
  const n = prod(dims);
  const s = K.map((k, a) => factorScale(k, p[a], infNormScaling));
  const left = (a: number, x: tf.Tensor2D): tf.Tensor2D => {
    const xr = maybeRound(x, p[a]);
    const cached = P[a];
    if (cached) return maybeRound(tf.matMul(cached, xr), p[a]);
    if (K[a].kind === 'dense' && dims[a] * dims[a] < n) return maybeRound(tf.matMul(scaledOuter(K[a], s[a]), xr), p[a]);
    const kt = K[a].scale(tf.div(1, s[a]) as tf.Scalar);
    return kt.matmul(kt.rmatmat(xr));
  };
  // A matrix with a dense (or cached) second factor: the axis-1 product from the right,
  // X·(K̃K̃ᵀ)ᵀ, instead of rotating X twice.
  const rightOk = dims.length === 2 && (P[1] !== null || K[1] instanceof DenseMatrix);
  const v = rightOk
    ? right(left(0, tf.reshape(g, [dims[0], dims[1]]) as tf.Tensor2D))
    : cycleModes(g, dims, left);
  function right(x: tf.Tensor2D): tf.Tensor2D {
    const xr = maybeRound(x, p[1]);
    const outer = P[1] ?? (dims[1] * dims[1] < n ? scaledOuter(K[1], s[1]) : null);
    if (outer) return maybeRound(tf.matMul(xr, tf.transpose(outer)), p[1]);
    const kt = K[1].scale(tf.div(1, s[1]) as tf.Scalar) as DenseMatrix;
    return kt.matmulRightT(kt.matmulRight(xr));
  }
  if (!infNormScaling) return v;
  const total = s.reduce((acc, sa) => tf.mul(acc, tf.square(sa)), tf.scalar(1) as tf.Tensor);
  return maybeRound(tf.mul(v, total), p[p.length - 1]) as tf.Tensor2D;
}
