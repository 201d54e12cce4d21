import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../../src/backend/setup.js';
import { IFShampoo, type IFShampooConfig } from '../../src/tfjs/ifShampoo.js';

/** Matmul work of one optimizer step in units of one d×d×d matmul (kernel shapes from tf.profile). */
async function matmulEquivalents(config: IFShampooConfig, d: number, steps: number): Promise<number[]> {
  const v = tf.variable(tf.randomNormal([d, d], 0, 1, 'float32', 1), true, `cost_${Math.random().toString(36).slice(2)}`);
  const g = tf.mul(tf.randomNormal([d, d], 0, 1, 'float32', 2), 0.1);
  const opt = new IFShampoo({ batchSize: 32, ...config });
  const out: number[] = [];
  for (let s = 0; s < steps; s++) {
    const prof = await tf.profile(() => opt.applyGradients([{ name: v.name, tensor: g }]));
    out.push(
      prof.kernels
        .filter((k) => k.name === 'BatchMatMul' || k.name === '_FusedMatMul')
        .reduce((acc, k) => {
          const [a, b] = k.inputShapes as number[][];
          expect(a.length, 'only 2-D matmuls').toBe(2);
          return acc + (a[0] * a[1] * b[1]) / d ** 3;
        }, 0),
    );
  }
  opt.dispose();
  [v, g].forEach((t) => t.dispose());
  return out;
}

describe('IF-Shampoo matmul budget (dense d×d weight; op counts, not timings)', () => {
  beforeAll(async () => {
    await useBackend('wasm');
  });

  it('an update step costs at most 15 d³ matmul-equivalents', async () => {
    const [first, second] = await matmulEquivalents({ T: 1 }, 128, 2);
    expect(first).toBeLessThanOrEqual(15);
    expect(second).toBeLessThanOrEqual(15);
  });

  it('with T = 2 a non-update step only applies the cached K̃K̃ᵀ (2 matmuls)', async () => {
    const [update, skip] = await matmulEquivalents({ T: 2 }, 128, 2);
    expect(update).toBeLessThanOrEqual(15);
    expect(skip).toBeCloseTo(2, 6);
  });
});
