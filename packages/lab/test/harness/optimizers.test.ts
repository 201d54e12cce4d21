import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { SEARCH_SPACE, hparamsFor } from '../../src/harness/hparams.js';
import { OPTIMIZERS, buildOptimizer, type Hp } from '../../src/harness/optimizers.js';
import { InverseRootLog } from '../../src/harness/train/inverseRootLog.js';
import { harnessBackend } from './helpers.js';

/** A few steps on a fixed least-squares problem with a 6×4 matrix weight; returns the weights. */
function train(name: string, hp: Hp): Float32Array {
  const opt = buildOptimizer(name, hp, { lr: hp.lr, batchSize: 8, precision: 'float32' });
  const w = tf.variable(tf.reshape(tf.linspace(-1, 1, 24), [6, 4]), true, 'w');
  const x = tf.reshape(tf.sin(tf.linspace(0, 20, 48)), [8, 6]);
  const y = tf.reshape(tf.cos(tf.linspace(0, 9, 32)), [8, 4]);
  for (let s = 0; s < 6; s++) {
    const { grads, value } = tf.variableGrads(() => tf.mean(tf.square(tf.sub(tf.matMul(x, w), y))), [w]);
    opt.applyGradients(grads, { batchSize: 8 });
    tf.dispose([value, ...Object.values(grads)]);
  }
  const out = Float32Array.from(w.dataSync());
  tf.dispose([w, x, y]);
  opt.dispose();
  return out;
}

describe('harness optimizer table', () => {
  beforeAll(() => harnessBackend('wasm'));

  it('every optimizer has defaults and a search space over exactly the hyper-parameters it uses', () => {
    for (const [name, e] of Object.entries(OPTIMIZERS)) {
      const hp = hparamsFor('fmnist-cnn', name).hp;
      for (const k of e.uses) expect(hp[k], `${name}.${k}`).toBeTypeOf('number');
      expect(Object.keys(SEARCH_SPACE[name] ?? {}).sort(), name).toEqual([...e.uses].sort());
    }
  });

  it('shampoo-newton is Shampoo with the Newton root: same hyper-parameters, nearly the same weights as the eigen root in fp32', () => {
    const hp = { ...hparamsFor('fmnist-cnn', 'shampoo').hp, lr: 0.05 };
    expect(hparamsFor('fmnist-cnn', 'shampoo-newton').hp).toEqual(hparamsFor('fmnist-cnn', 'shampoo').hp);
    const opt = buildOptimizer('shampoo-newton', hp, { lr: 0.05, batchSize: 8, precision: 'float32' });
    expect(opt.getConfig().rootMethod).toBe('newton');
    opt.dispose();
    const start = tf.tidy(() => Float32Array.from(tf.linspace(-1, 1, 24).dataSync()));
    const eigen = train('shampoo', hp);
    const newton = train('shampoo-newton', hp);
    const moved = Math.max(...eigen.map((v, i) => Math.abs(v - start[i])));
    const apart = Math.max(...eigen.map((v, i) => Math.abs(v - newton[i])));
    expect(moved).toBeGreaterThan(0.05); // the optimizer did something
    expect(apart).toBeLessThan(1e-3 * moved); // Newton ≈ eigen root in float32
    expect(apart).toBeGreaterThan(0); // ... but it is a different algorithm, not an alias
  });

  it("shampoo-newton-fair: Newton at tolerance 2^-5 with ε = 1e-2·‖L‖_F, every refresh reported to the run's log", () => {
    const hp = { ...hparamsFor('fmnist-cnn', 'shampoo-newton-fair').hp, lr: 0.05 };
    const log = new InverseRootLog();
    for (const precision of ['float32', 'bfloat16'] as const) {
      const opt = buildOptimizer('shampoo-newton-fair', hp, { lr: 0.05, batchSize: 8, precision, onInverseRoot: log.record });
      expect(opt.getConfig()).toMatchObject({ rootMethod: 'newton', newtonTolerance: 2 ** -5, epsilon: 1e-2, relativeEpsilon: true, preconditionerPrecision: precision });
      const w = tf.variable(tf.reshape(tf.linspace(-1, 1, 24), [6, 4]), true, 'w');
      const x = tf.reshape(tf.sin(tf.linspace(0, 20, 48)), [8, 6]);
      for (let s = 0; s < 4; s++) {
        const { grads, value } = tf.variableGrads(() => tf.mean(tf.square(tf.matMul(x, w))), [w]);
        opt.applyGradients(grads, { batchSize: 8 });
        tf.dispose([value, ...Object.values(grads)]);
      }
      tf.dispose([w, x]);
      opt.dispose();
      // T = 2 → refreshes at steps 2 and 4, two factors (6×6, 4×4) each.
      const s = log.take()!;
      expect(s.refreshes).toBe(4);
      expect(s.newton!.count).toBe(4);
      expect(s.newton!.iterationsMax).toBeLessThanOrEqual(50);
      expect(s.newton!.residualMax).toBeGreaterThan(0);
      // Relative ε: 1e-2 times the (positive) factor norm, not the option's 1e-2 itself.
      expect(s.epsilonMax).toBeGreaterThan(0);
      expect(s.epsilonMax).not.toBe(1e-2);
      if (precision === 'float32') expect(s.newton!.notConverged).toBe(0);
    }
    expect(log.take()).toBeUndefined();
  });
});

describe('InverseRootLog', () => {
  it('summarises Newton iterations and residuals per period (median, max, non-converged; NaN counts as worst)', () => {
    const log = new InverseRootLog();
    const base = { where: 'w', precision: 'bfloat16' as const, dim: 4 };
    log.record({ ...base, method: 'newton', epsilon: 1e-3, iterations: 3, residual: 4e-3, converged: true });
    log.record({ ...base, method: 'newton', epsilon: 2e-3, iterations: 50, residual: NaN, converged: false });
    log.record({ ...base, method: 'newton', epsilon: 1e-3, iterations: 7, residual: 1e-2, converged: false });
    log.record({ ...base, method: 'eigen', epsilon: 5e-3 });
    expect(log.take()).toEqual({
      refreshes: 4,
      epsilonMax: 5e-3,
      newton: { count: 3, iterationsMean: 20, iterationsMax: 50, residualMedian: 1e-2, residualMax: Infinity, notConverged: 2 },
    });
    expect(log.take()).toBeUndefined();
  });
});
