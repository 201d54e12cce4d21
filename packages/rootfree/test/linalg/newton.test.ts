import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../../src/backend/setup.js';
import { matrixInverseRoot } from '../../src/linalg/inverseRoot.js';
import { newtonInverseRoot64, newtonInverseRootTf } from '../../src/linalg/newton.js';
import { bf16 } from '../core/helpers.js';
import { ALPHA_BETA, maxAbs, randomSymmetric, sub, tridiagFamily1, tridiagFamily2 } from './helpers.js';

describe('coupled inverse Newton, float64 (SPEC §5.5)', () => {
  it('G5: [[2,1],[1,2]], p = 4, tol 1e-6 → 5 iterations, error 5.70e-7, reference X', () => {
    const r = newtonInverseRoot64([2, 1, 1, 2], 2, 4, 0);
    expect(r.iterations).toBe(5);
    expect(r.converged).toBe(true);
    expect(r.error.toExponential(2)).toBe('5.70e-7');
    [0.8799177344788128, -0.12008226552118732, -0.12008226552118732, 0.8799177344788128].forEach((w, i) => expect(Math.abs(r.x[i] - w)).toBeLessThan(1e-12));
  });

  it('invariant M = Xᵖ(A + εI) holds at exit', () => {
    const n = 6;
    const a = randomSymmetric(n, 5);
    for (let i = 0; i < n; i++) a[i * n + i] += 8; // SPD
    const r = newtonInverseRoot64(a, n, 3, 0.1, { tolerance: 1e-13 });
    expect(r.converged).toBe(true);
    const eig = matrixInverseRoot(a, n, { root: 3, epsilon: 0.1 });
    expect(maxAbs(sub(r.x, eig))).toBeLessThan(1e-12);
  });

  describe.each([10, 100])('tridiagonal families, n = %i', (n) => {
    it.each(ALPHA_BETA.filter(([a, b]) => 2 * b < a))('α = %s, β = %s: converges (M_tol 1e-6) and agrees with eigen, roots 2, 4, 8', (alpha, beta) => {
      for (const fam of [tridiagFamily1, tridiagFamily2]) {
        const { a } = fam(n, alpha, beta);
        for (const p of [2, 4, 8]) {
          const r = newtonInverseRoot64(a, n, p, 0, { tolerance: 1e-6 });
          expect(r.converged).toBe(true);
          const e = matrixInverseRoot(a, n, { root: p, epsilon: 0 });
          // ‖M − I‖ <= 1e-6 bounds the relative error of X by ~1e-6/p.
          expect(maxAbs(sub(r.x, e)) / maxAbs(e)).toBeLessThan(2e-6);
        }
      }
    });
  });

  it('stops at maxIterations and says so', () => {
    const r = newtonInverseRoot64([2, 1, 1, 2], 2, 4, 0, { maxIterations: 2 });
    expect(r.iterations).toBe(2);
    expect(r.converged).toBe(false);
  });
});

describe.each(['cpu', 'wasm'] as const)('coupled inverse Newton with tfjs ops on %s', (backend) => {
  beforeAll(async () => {
    await useBackend(backend);
  });

  /** A well-conditioned SPD test matrix (eigenvalues in [1, ~3]). */
  function spd(n: number): Float64Array {
    const b = randomSymmetric(n, 21, 0.3 / Math.sqrt(n));
    for (let i = 0; i < n; i++) b[i * n + i] += 2;
    return Float64Array.from(b, (x) => Math.fround(x));
  }

  it('float32: G5 in 5 iterations, and a 32×32 SPD root within 1e-5 of float64 eigen', () => {
    const before = tf.memory().numTensors;
    const g5 = tf.tensor2d([2, 1, 1, 2], [2, 2]);
    const r = newtonInverseRootTf(g5, 4, 0, 'float32');
    expect(r.iterations).toBe(5);
    const x = r.x.dataSync();
    [0.8799177344788128, -0.12008226552118732].forEach((w, i) => expect(Math.abs(x[i] - w)).toBeLessThan(1e-6));
    r.x.dispose();
    g5.dispose();

    const n = 32;
    const a = spd(n);
    const at = tf.tensor2d(Float32Array.from(a), [n, n]);
    const r2 = newtonInverseRootTf(at, 4, 1e-6, 'float32');
    expect(r2.converged).toBe(true);
    const e = matrixInverseRoot(a, n, { root: 4, epsilon: 1e-6 });
    expect(maxAbs(sub(r2.x.dataSync(), e))).toBeLessThan(1e-5);
    r2.x.dispose();
    at.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('bfloat16: cannot reach the 1e-6 tolerance, its root is off by percent, every value is a bf16 number (SPEC §5.7)', () => {
    const n = 32;
    const a = spd(n);
    const at = tf.tensor2d(Float32Array.from(a), [n, n]);
    const r = newtonInverseRootTf(at, 4, 1e-6, 'bfloat16', { maxIterations: 50 });
    expect(r.converged).toBe(false);
    expect(r.iterations).toBe(50);
    expect(r.error).toBeGreaterThan(1e-3);
    const x = r.x.dataSync();
    x.forEach((v) => expect(bf16(v)).toBe(v));
    const e = matrixInverseRoot(a, n, { root: 4, epsilon: 1e-6 });
    const relErr = maxAbs(sub(x, e)) / maxAbs(e);
    expect(relErr).toBeGreaterThan(1e-3);
    r.x.dispose();
    at.dispose();
  });
});
