import * as tf from '@tensorflow/tfjs-core';
import { matPowRounded } from '../../linalg/newton.js';
import { newtonInverseRootDevice } from '../../linalg/newtonDevice.js';
import { maybeRound, type Precision } from '../../precision/index.js';
import type { ShampooOptions, ShampooPrecision } from './options.js';

/** Rounding precision of tfjs-held values (float64 factors live in float32 tensors). */
const tensorPrecision = (p: ShampooPrecision): Precision => (p === 'float64' ? 'float32' : p);

/**
 * webgl/webgpu (`gpuRoot: 'newton'`): the inverse root of L/c2 without reading the device
 * (docs/GPU.md). d = 1: (a/c2 + ε)^(−η/p). rootMethod 'newton': the host's Newton iteration, same
 * ops and precision (newtonDevice.ts freezes it where the host loop stops). rootMethod 'eigen':
 * Newton in float32, the result rounded to the factor precision as the eigen root is. The eigen
 * path first shifts the spectrum up by −min(λ_min, 0), which in float32 is rounding noise of a
 * rank-deficient factor; Newton diverges on such a negative eigenvalue, so the spectrum is shifted
 * by the rounding bound d·2⁻²⁴·‖A‖_F instead. `relativeEpsilon` scales ε by ‖A‖_F on the device.
 * No finite check here: a NaN/Inf factor or root is a non-finite new state value, which the
 * step's device check rejects (tfjs/devicePolicy.ts).
 */
export function deviceInverseRoot(factor: tf.Tensor2D, c2: number, root: number, o: ShampooOptions, where: string): tf.Tensor2D {
  const prec = tensorPrecision(o.preconditionerPrecision);
  const d = factor.shape[0];
  const x = tf.tidy(() => {
    const a = maybeRound(c2 === 1 ? factor : tf.div(factor, c2), prec) as tf.Tensor2D;
    // As the host path: ε·‖A‖_F, or ε for an all-zero factor.
    const norm = tf.norm(a);
    const epsilon: number | tf.Scalar = o.relativeEpsilon ? (tf.where(tf.greater(norm, 0), tf.mul(norm, o.epsilon), tf.scalar(o.epsilon)) as tf.Scalar) : o.epsilon;
    if (d === 1) return maybeRound(tf.pow(tf.add(a, epsilon), -o.exponentMultiplier / root), prec) as tf.Tensor2D;
    const newton = { maxIterations: o.newtonMaxIterations, tolerance: o.newtonTolerance };
    if (o.rootMethod === 'newton') return newtonInverseRootDevice(a, root, epsilon, prec, newton);
    // A^(−η/p) with η = k/m: (A^(−1/(p·m)))^k.
    const eta = rational(o.exponentMultiplier);
    if (eta === null || !Number.isInteger(root)) {
      throw new Error(
        `${where}: the device inverse root on ${tf.getBackend()} (gpuRoot: 'newton') computes A^(−k/(m·p)) for an integer root p and exponentMultiplier k/m (m <= ${MAX_DENOMINATOR}) only, ` +
          `got exponentMultiplier ${o.exponentMultiplier} and root ${root}; set gpuRoot: 'host' (reads each factor back)`,
      );
    }
    const shifted = tf.add(a, tf.mul(tf.eye(d), tf.mul(norm, d * 2 ** -24))) as tf.Tensor2D;
    const x = newtonInverseRootDevice(shifted, root * eta.m, epsilon, 'float32', newton);
    return maybeRound(eta.k === 1 ? x : matPowRounded(x, eta.k, (t) => t), prec) as tf.Tensor2D;
  });
  o.onInverseRoot?.({ where, method: d === 1 ? o.rootMethod : 'newton', precision: o.preconditionerPrecision, dim: d, epsilon: o.epsilon, device: true });
  return x;
}

const MAX_DENOMINATOR = 64;

/** η as k/m with the smallest m <= MAX_DENOMINATOR, or null. */
function rational(eta: number): { k: number; m: number } | null {
  for (let m = 1; m <= MAX_DENOMINATOR; m++) {
    const k = Math.round(eta * m);
    if (k >= 1 && Math.abs(eta * m - k) <= 1e-9 * m) return { k, m };
  }
  return null;
}
