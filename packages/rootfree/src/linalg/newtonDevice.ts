import * as tf from '@tensorflow/tfjs-core';
import { maybeRound, type Precision } from '../precision/index.js';
import { matPowRounded, type NewtonOptions } from './newton.js';

/**
 * The coupled inverse Newton iteration of {@link newtonInverseRootTf} (SPEC §5.5) without reading
 * the device: it runs `maxIterations` iterations and freezes X and M on the device (`where`) from
 * the iteration where max|M − I| <= tolerance (or turns non-finite) on, so the result is the one
 * the host-checked loop stops at, computed by the same ops in the same order. For webgl/webgpu,
 * where a read-back per iteration stalls the pipeline (and can lose a WebGPU device). Costs the
 * full iteration count every time; a NaN/Inf result is left to the caller's device check.
 * Returns ≈ (A + εI)^(−1/p) in `precision`, owned by the caller.
 */
export function newtonInverseRootDevice(a: tf.Tensor2D, p: number, epsilon: number | tf.Scalar, precision: Precision, options: NewtonOptions = {}): tf.Tensor2D {
  if (!Number.isInteger(p) || p < 1) throw new RangeError(`Newton inverse root: root must be a positive integer, got ${p}`);
  const n = a.shape[0];
  if (a.shape[1] !== n) throw new RangeError(`Newton inverse root: expected a square matrix, got [${a.shape}]`);
  const maxIter = options.maxIterations ?? 1000;
  const tol = options.tolerance ?? 1e-6;
  const alpha = -1 / p;
  const r = <T extends tf.Tensor>(t: T): T => maybeRound(t, precision);
  return tf.tidy(() => {
    const eye = tf.eye(n);
    // Continue while tolerance < max|M − I| < ∞ (NaN compares false: stop, as the host loop does).
    const running = (m: tf.Tensor): tf.Tensor =>
      tf.tidy(() => {
        const err = tf.max(tf.abs(tf.sub(m, eye)));
        return tf.logicalAnd(tf.greater(err, tol), tf.less(err, Infinity));
      });
    const ae = r(tf.add(r(a), r(tf.mul(eye, epsilon)))) as tf.Tensor2D;
    const z = r(tf.div(p + 1, r(tf.mul(r(tf.norm(ae)), 2))));
    let x = r(tf.mul(eye, r(tf.pow(z, 1 / p)))) as tf.Tensor2D;
    let m = r(tf.mul(ae, z)) as tf.Tensor2D;
    let go = running(m);
    for (let k = 0; k < maxIter; k++) {
      const [x1, m1, go1] = tf.tidy(() => {
        const mp = r(tf.add(r(tf.mul(m, alpha)), tf.mul(eye, 1 - alpha))) as tf.Tensor2D;
        const xNext = tf.where(go, r(tf.matMul(x, mp)), x) as tf.Tensor2D;
        const mNext = tf.where(go, r(tf.matMul(matPowRounded(mp, p, r), m)), m) as tf.Tensor2D;
        return [xNext, mNext, tf.logicalAnd(go, running(mNext))];
      });
      x.dispose();
      m.dispose();
      go.dispose();
      [x, m, go] = [x1, m1, go1];
    }
    return x;
  });
}
