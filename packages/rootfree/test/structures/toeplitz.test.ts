import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../../src/backend/setup.js';
import { diagonalSumsHost, diagonalSumsOps, toeplitzDenseHost, toeplitzDenseOps } from '../../src/structures/toeplitzBase.js';
import { structureSuite } from './suite.js';

structureSuite(['trilToeplitz', 'triuToeplitz'], [1, 2, 7, 16]);

// cpu/wasm build Toeplitz matrices and diagonal sums in host memory; webgl/webgpu use tfjs ops.
// Both paths run here (on cpu and wasm) and must agree with each other and with the definition.

describe.each(['cpu', 'wasm'] as const)('Toeplitz host path vs op path on %s', (backend) => {
  beforeAll(async () => {
    await useBackend(backend);
  });

  it.each([2, 3, 8, 33])('d = %i: dense matrices equal c_{i−j} (lower) / c_{j−i} (upper); diagonal sums agree', (d) => {
    const c = Float32Array.from({ length: d }, (_, k) => 1 + k + 0.25 * Math.sin(k));
    const m = Float32Array.from({ length: d * d }, (_, k) => Math.cos(0.7 * k) * (1 + (k % 5)));
    tf.tidy(() => {
      const ct = tf.tensor1d(c);
      for (const lower of [true, false]) {
        const host = toeplitzDenseHost(ct, lower).dataSync();
        const ops = toeplitzDenseOps(ct, lower).dataSync();
        for (let i = 0; i < d; i++) {
          for (let j = 0; j < d; j++) {
            const want = lower ? (i >= j ? c[i - j] : 0) : j >= i ? c[j - i] : 0;
            expect(host[i * d + j], `host ${lower ? 'lower' : 'upper'} (${i},${j})`).toBe(want);
            expect(ops[i * d + j], `ops ${lower ? 'lower' : 'upper'} (${i},${j})`).toBe(want);
          }
        }
      }
      const mt = tf.tensor2d(m, [d, d]);
      const hs = diagonalSumsHost(mt).dataSync();
      const os = diagonalSumsOps(mt).dataSync();
      for (let k = -(d - 1); k < d; k++) {
        let want = 0;
        for (let i = 0; i < d; i++) if (i - k >= 0 && i - k < d) want += m[i * d + (i - k)];
        expect(Math.abs(hs[d - 1 + k] - want), `host sum k=${k}`).toBeLessThanOrEqual(1e-5 * (1 + Math.abs(want)));
        expect(Math.abs(os[d - 1 + k] - want), `ops sum k=${k}`).toBeLessThanOrEqual(1e-4 * (1 + Math.abs(want)));
      }
    });
  });
});
