import * as tf from '@tensorflow/tfjs-core';
import { noCapture, type HalfprecProblem, type LayerCapture } from './problem.js';
import { Rng } from '../rng.js';

export interface LstsqOptions {
  /** Rows m (all used every step: full-batch, deterministic gradients). Default 256. */
  rows?: number;
  /** Inputs d (left Kronecker factor d×d). Default 32. */
  inputs?: number;
  /** Outputs k (right factor k×k). Default 8. */
  outputs?: number;
  /** Condition number κ of the Hessian XᵀX/m (⊗ I). Default 1e4. */
  condition?: number;
  /** Standard deviation of the label noise (sets the attainable loss floor). Default 0.01. */
  noise?: number;
}

/** Random d×d orthogonal matrix (Gram–Schmidt on a Gaussian one), row-major float64. */
function randomOrthogonal(d: number, rng: Rng): Float64Array {
  const q = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    const v = new Float64Array(d).map(() => rng.normal());
    for (let j = 0; j < i; j++) {
      let dot = 0;
      for (let k = 0; k < d; k++) dot += v[k] * q[j * d + k];
      for (let k = 0; k < d; k++) v[k] -= dot * q[j * d + k];
    }
    const norm = Math.hypot(...v);
    for (let k = 0; k < d; k++) q[i * d + k] = v[k] / norm;
  }
  return q;
}

/**
 * Multi-output least squares ½·mean((XW − Y)²) with a controlled condition number: X = Z·S·Qᵀ
 * (Z Gaussian, S = diag of singular values spaced log-uniformly so that cond(XᵀX) ≈ κ, Q a random
 * rotation so the ill-conditioning is not axis-aligned and a diagonal method cannot undo it).
 * The parameter W (d×k) is a matrix, so Shampoo and IF-Shampoo both get two dense factors.
 */
export function lstsqProblem(seed: number, o: LstsqOptions = {}): HalfprecProblem {
  const m = o.rows ?? 256;
  const d = o.inputs ?? 32;
  const k = o.outputs ?? 8;
  const kappa = o.condition ?? 1e4;
  const noise = o.noise ?? 0.01;
  const rng = Rng.salted(seed, 1);
  const q = randomOrthogonal(d, rng);
  const s = Array.from({ length: d }, (_, i) => kappa ** (-i / (2 * (d - 1))));
  const x = new Float32Array(m * d);
  for (let r = 0; r < m; r++) {
    const z = Array.from({ length: d }, (_, i) => rng.normal() * s[i]);
    for (let c = 0; c < d; c++) {
      let v = 0;
      for (let i = 0; i < d; i++) v += z[i] * q[c * d + i];
      x[r * d + c] = v;
    }
  }
  const wStar = new Float64Array(d * k).map(() => rng.normal());
  const y = new Float32Array(m * k);
  for (let r = 0; r < m; r++) {
    for (let c = 0; c < k; c++) {
      let v = 0;
      for (let i = 0; i < d; i++) v += x[r * d + i] * wStar[i * k + c];
      y[r * k + c] = v + noise * rng.normal();
    }
  }
  const init = new Float32Array(d * k).map(() => 0.1 * rng.normal());
  const X = tf.tensor2d(x, [m, d]);
  const Y = tf.tensor2d(y, [m, k]);
  const loss = (params: tf.Tensor[], capture: LayerCapture = noCapture): tf.Scalar =>
    tf.tidy(() => tf.mul(tf.mean(tf.square(tf.sub(capture('W', X, () => tf.matMul(X, params[0] as tf.Tensor2D)), Y))), 0.5));
  return {
    name: 'lstsq',
    description: `least squares ½·mean((XW − Y)²), X ${m}×${d} with cond(XᵀX) = ${kappa.toExponential(0)} (rotated), W ${d}×${k}, label noise σ = ${noise}, full batch`,
    params: [{ name: 'W', shape: [d, k], init }],
    batchSize: m,
    layers: [{ name: 'W', kind: 'dense', weight: 'W' }],
    stepLoss: (params, _step, capture) => loss(params, capture),
    fullLoss: (params) => loss(params),
    dispose: () => {
      X.dispose();
      Y.dispose();
    },
  };
}
