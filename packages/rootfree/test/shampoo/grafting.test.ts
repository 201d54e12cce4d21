import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../../src/backend/setup.js';
import { AdamW, RMSprop, SGD, Shampoo, type RootfreeOptimizer } from '../../src/index.js';
import { makeVar, rng } from '../core/helpers.js';

/**
 * SPEC §5.6 / [RS] shampoo_grafting_test: with startPreconditioningStep far away, Shampoo + grafting X
 * is exactly method X, for 5 steps on a 10-d quadratic f(x) = ½xᵀAx − bᵀx.
 */
const D = 10;
const STEPS = 5;
const r = rng(42);
const M = r.normals(D * D);
const A: number[] = new Array(D * D).fill(0);
for (let i = 0; i < D; i++) for (let j = 0; j < D; j++) for (let k = 0; k < D; k++) A[i * D + j] += (M[i * D + k] * M[j * D + k]) / D;
for (let i = 0; i < D; i++) A[i * D + i] += 0.5;
const B = r.normals(D);
const X0 = Array.from(Float32Array.from(r.normals(D)));

const grad64 = (x: number[]) => x.map((_, i) => x.reduce((s, xj, j) => s + A[i * D + j] * xj, 0) - B[i]);

/** Independent float64 reference steps (torch.optim semantics) on the quadratic. */
type Plain = (x: number[], g: number[], t: number) => number[];
function plain(kind: 'sgd' | 'adagrad' | 'rmsprop' | 'adam' | 'adamw', lr: number): Plain {
  const s = new Array(D).fill(0);
  const m = new Array(D).fill(0);
  const [b1, b2, eps, alpha, wd] = [0.9, 0.999, 1e-8, 0.99, 0.01];
  return (x, g, t) => {
    switch (kind) {
      case 'sgd':
        return x.map((xi, i) => xi - lr * g[i]);
      case 'adagrad':
        return x.map((xi, i) => ((s[i] += g[i] * g[i]), xi - (lr * g[i]) / (Math.sqrt(s[i]) + eps)));
      case 'rmsprop':
        return x.map((xi, i) => ((s[i] = alpha * s[i] + (1 - alpha) * g[i] * g[i]), xi - (lr * g[i]) / (Math.sqrt(s[i]) + eps)));
      default: {
        const decay = kind === 'adamw' ? 1 - lr * wd : 1;
        return x.map((xi, i) => {
          m[i] = b1 * m[i] + (1 - b1) * g[i];
          s[i] = b2 * s[i] + (1 - b2) * g[i] * g[i];
          return xi * decay - (lr * (m[i] / (1 - b1 ** t))) / (Math.sqrt(s[i] / (1 - b2 ** t)) + eps);
        });
      }
    }
  };
}

function run64(step: Plain): number[][] {
  let x = X0.slice();
  return Array.from({ length: STEPS }, (_, t) => (x = step(x, grad64(x), t + 1)));
}

function runTfOpt(opt: RootfreeOptimizer<any>): number[][] {
  const x = makeVar(X0, [D], 'q');
  const a = tf.tensor2d(A, [D, D]);
  const b = tf.tensor2d(B, [D, 1]);
  const out: number[][] = [];
  for (let t = 0; t < STEPS; t++) {
    const g = tf.tidy(() => tf.reshape(tf.sub(tf.matMul(a, tf.reshape(x, [D, 1])), b), [D]));
    opt.applyGradients([{ name: x.name, tensor: g }]);
    g.dispose();
    out.push(Array.from(x.dataSync()));
  }
  tf.dispose([x, a, b]);
  opt.dispose();
  return out;
}

const maxDiff = (a: number[][], b: number[][]) => Math.max(...a.flatMap((row, t) => row.map((v, i) => Math.abs(v - b[t][i]))));
const moved = (a: number[][]) => Math.max(...a[STEPS - 1].map((v, i) => Math.abs(v - X0[i])));

const far = { startPreconditioningStep: 1000, epsilon: 1e-12, nonFinite: 'none' as const };

describe.each(['cpu', 'wasm'] as const)('grafting equivalence on %s (start 1000, 5 steps, 10-d quadratic)', (backend) => {
  beforeAll(async () => {
    await useBackend(backend);
  });

  it('SGD grafting (β1 = 0) = SGD: independent float64 and rootfree SGD', () => {
    const got = runTfOpt(new Shampoo({ ...far, lr: 0.05, beta1: 0, grafting: 'sgd' }));
    expect(moved(got)).toBeGreaterThan(0.05);
    expect(maxDiff(got, run64(plain('sgd', 0.05)))).toBeLessThan(1e-6);
    expect(maxDiff(got, runTfOpt(new SGD({ lr: 0.05 })))).toBeLessThan(1e-7);
    // and 'none' grafting steps with the plain gradient as well
    expect(maxDiff(runTfOpt(new Shampoo({ ...far, lr: 0.05, beta1: 0, grafting: 'none' })), got)).toBe(0);
  });

  it('AdaGrad grafting = torch Adagrad (ε outside the root, no decay)', () => {
    const got = runTfOpt(new Shampoo({ ...far, lr: 0.1, beta1: 0, grafting: 'adagrad', graftingEpsilon: 1e-8 }));
    expect(moved(got)).toBeGreaterThan(0.05);
    expect(maxDiff(got, run64(plain('adagrad', 0.1)))).toBeLessThan(1e-6);
  });

  it('RMSProp grafting (graftingBeta2 = α) = torch RMSprop: independent float64 and rootfree RMSprop', () => {
    const got = runTfOpt(new Shampoo({ ...far, lr: 0.01, beta1: 0, grafting: 'rmsprop', graftingBeta2: 0.99, graftingEpsilon: 1e-8 }));
    expect(moved(got)).toBeGreaterThan(0.02);
    expect(maxDiff(got, run64(plain('rmsprop', 0.01)))).toBeLessThan(1e-6);
    expect(maxDiff(got, runTfOpt(new RMSprop({ lr: 0.01, alpha: 0.99, epsilon: 1e-8 })))).toBeLessThan(1e-6);
  });

  it('Adam grafting + β1 filtering with bias correction = Adam; with decoupled decay = AdamW (rootfree AdamW)', () => {
    const adam = { ...far, lr: 0.02, beta1: 0.9, biasCorrection: true, grafting: 'adam' as const, graftingBeta2: 0.999, graftingEpsilon: 1e-8 };
    const got = runTfOpt(new Shampoo(adam));
    expect(moved(got)).toBeGreaterThan(0.05);
    expect(maxDiff(got, run64(plain('adam', 0.02)))).toBeLessThan(1e-6);
    expect(maxDiff(got, runTfOpt(new AdamW({ lr: 0.02, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0 })))).toBeLessThan(1e-6);

    const gotW = runTfOpt(new Shampoo({ ...adam, weightDecay: 0.01, decoupledWeightDecay: true }));
    expect(maxDiff(gotW, run64(plain('adamw', 0.02)))).toBeLessThan(1e-6);
    expect(maxDiff(gotW, runTfOpt(new AdamW({ lr: 0.02, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0.01 })))).toBeLessThan(1e-6);
    // The check can fail: without bias correction the first steps differ by a lot.
    expect(maxDiff(runTfOpt(new Shampoo({ ...adam, biasCorrection: false })), got)).toBeGreaterThan(1e-3);
  });
});
