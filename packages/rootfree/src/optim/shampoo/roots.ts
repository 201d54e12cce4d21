import * as tf from '@tensorflow/tfjs-core';
import { EighError } from '../../linalg/eigh.js';
import { NonFiniteError } from '../../errors.js';
import { matrixInverseRoot } from '../../linalg/inverseRoot.js';
import { newtonInverseRootTf } from '../../linalg/newton.js';
import { GPU_BACKENDS } from '../../backend/gpu/names.js';
import { deviceInverseRoot } from './deviceRoot.js';
import { maybeRound, type Precision } from '../../precision/index.js';
import type { ShampooOptions, ShampooPrecision } from './options.js';

/** Rounding precision of tfjs-held values (float64 factors live in float32 tensors). */
export function tensorPrecision(p: ShampooPrecision): Precision {
  return p === 'float64' ? 'float32' : p;
}

/**
 * New inverse root of the factor L/c2 (Distributed Shampoo `compute_root_inverse`). The factor is
 * read back (one sync per factor, on precondition steps only). NaN/Inf in the factor or in the
 * result throws; any other failure (eigensolver not converging) keeps the previous root, as the
 * reference's `use_protected_eigh` does.
 */
export function refreshInverseRoot(factor: tf.Tensor2D, c2: number, root: number, o: ShampooOptions, previous: tf.Tensor2D, where: string): tf.Tensor2D {
  if (o.gpuRoot === 'newton' && GPU_BACKENDS.includes(tf.getBackend())) return deviceInverseRoot(factor, c2, root, o, where);
  const d = factor.shape[0];
  const prec = tensorPrecision(o.preconditionerPrecision);
  if (o.rootMethod === 'newton' && o.preconditionerPrecision !== 'float64' && d > 1) {
    return tf.tidy(() => {
      const a = maybeRound(c2 === 1 ? factor : tf.div(factor, c2), prec) as tf.Tensor2D;
      const values = a.dataSync();
      checkFinite(values, `${where}: bias-corrected factor`);
      const epsilon = effectiveEpsilon(values, o);
      const r = newtonInverseRootTf(a, root, epsilon, prec, { maxIterations: o.newtonMaxIterations, tolerance: o.newtonTolerance });
      checkFinite(r.x.dataSync(), `${where}: inverse root (Newton, ${o.preconditionerPrecision})`);
      o.onInverseRoot?.({ where, method: 'newton', precision: o.preconditionerPrecision, dim: d, epsilon, iterations: r.iterations, residual: r.error, converged: r.converged });
      return r.x;
    });
  }
  const data = factor.dataSync();
  // float32 matMuls make U·Uᵀ symmetric only up to summation order; like torch.linalg.eigh
  // (which reads one triangle) the root must not depend on that, so average the triangles.
  const a = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j <= i; j++) {
      const v = (0.5 * (data[i * d + j] + data[j * d + i])) / c2;
      a[i * d + j] = v;
      a[j * d + i] = v;
    }
  }
  checkFinite(a, `${where}: bias-corrected factor`);
  const epsilon = effectiveEpsilon(a, o);
  let x: Float64Array;
  try {
    x = matrixInverseRoot(a, d, {
      root,
      epsilon,
      exponentMultiplier: o.exponentMultiplier,
      method: o.rootMethod,
      newton: { maxIterations: o.newtonMaxIterations, tolerance: o.newtonTolerance },
    });
  } catch (e) {
    if (e instanceof EighError) {
      console.warn(`rootfree Shampoo: ${where}: ${e.message}; keeping the previous inverse root`);
      return previous.clone();
    }
    if (e instanceof NonFiniteError) throw new NonFiniteError(`${where}: ${e.message}`);
    throw new Error(`${where}: ${(e as Error).message}`);
  }
  o.onInverseRoot?.({ where, method: o.rootMethod, precision: o.preconditionerPrecision, dim: d, epsilon });
  const t = tf.tensor2d(Float32Array.from(x), [d, d]);
  if (prec === 'float32') return t;
  const rounded = maybeRound(t, prec);
  t.dispose();
  return rounded;
}

/** ε, or ε·‖A‖_F with `relativeEpsilon` (a zero factor keeps ε: its root is then (εI)^(−1/p)). */
function effectiveEpsilon(a: ArrayLike<number>, o: ShampooOptions): number {
  if (!o.relativeEpsilon) return o.epsilon;
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * a[i];
  return s > 0 ? o.epsilon * Math.sqrt(s) : o.epsilon;
}

function checkFinite(a: ArrayLike<number>, what: string): void {
  for (let i = 0; i < a.length; i++) {
    if (!Number.isFinite(a[i])) {
      throw new NonFiniteError(`${what} contains NaN or Inf (entry ${i}); check for non-finite gradients, lower the learning rate or raise epsilon`);
    }
  }
}
