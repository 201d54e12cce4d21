import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../../src/backend/setup.js';
import { floorLog4, paperUpdateSteps } from '../../src/optim/ifShampoo/index.js';
import { IFShampoo, type IFShampooConfig } from '../../src/tfjs/ifShampoo.js';
import { randomProblem, tolRatio } from '../core/helpers.js';
import { runReference, type Hyper } from './reference.js';

const range = (a: number, b: number, step = 1) => Array.from({ length: Math.floor((b - a) / step) + 1 }, (_, i) => a + i * step);

describe('[RS] log4 schedule (SPEC §2.5, G7)', () => {
  it('floorLog4 is exact at and around powers of 4', () => {
    for (let k = 0; k <= 12; k++) {
      expect(floorLog4(4 ** k)).toBe(k);
      expect(floorLog4(4 ** k - 1)).toBe(k === 0 ? 0 : k - 1);
    }
  });

  it('T = 2: every step until 15, then every other (odd) step', () => {
    expect(paperUpdateSteps(2, 40)).toEqual([...range(0, 15), ...range(17, 39, 2)]);
  });

  it('T = 3: 0..15, then 17, 19, …, 63, then 66, 69, …', () => {
    expect(paperUpdateSteps(3, 80)).toEqual([...range(0, 15), ...range(17, 63, 2), ...range(66, 78, 3)]);
  });

  it('T = 4 switches to interval 4 at step 255', () => {
    const s = paperUpdateSteps(4, 270);
    expect(s.filter((t) => t >= 250)).toEqual([252, 255, 259, 263, 267]);
  });
});

describe.each(['wasm', 'cpu'] as const)('update decisions inside the optimizer on %s', (backend) => {
  beforeAll(async () => {
    await useBackend(backend);
  });

  const h: Hyper = { lr: 0.05, beta2: 0.3, alpha1: 0.5, alpha2: 0.4, lam: 1e-2, kappa: 0, B: 4 };
  const opts = (extra: IFShampooConfig): IFShampooConfig => ({ lr: h.lr, beta2: h.beta2, alpha1: h.alpha1, alpha2: h.alpha2, lam: h.lam, batchSize: h.B, ...extra });

  /** Runs one [4, 3] parameter named `name` for `steps` steps; returns its values after each step. */
  function run(config: IFShampooConfig, name: string, steps: number, seed = 1): { got: number[][]; prob: ReturnType<typeof randomProblem> } {
    const prob = randomProblem(seed, steps, [[4, 3]]);
    const v = tf.variable(tf.tensor(prob.init[0], [4, 3]), true, `${name}_${Math.random().toString(36).slice(2)}`);
    const opt = new IFShampoo(config);
    const got: number[][] = [];
    for (const g of prob.grads) {
      const t = tf.tensor(g[0], [4, 3]);
      opt.applyGradients([{ name: v.name, tensor: t }]);
      t.dispose();
      got.push(Array.from(v.dataSync()));
    }
    opt.dispose();
    v.dispose();
    return { got, prob };
  }

  it('paperSchedule with T = 2 follows the log4 update steps over 24 steps', () => {
    const steps = new Set(paperUpdateSteps(2, 24));
    const { got, prob } = run(opts({ T: 2, paperSchedule: true }), 'w', 24);
    const ref = runReference(prob.init[0], [4, 3], prob.grads.map((g) => g[0]), { ...h, update: (t) => steps.has(t) });
    expect(tolRatio(got, ref.params, 2e-5, 1e-5)).toBeLessThanOrEqual(1);
    const modular = runReference(prob.init[0], [4, 3], prob.grads.map((g) => g[0]), { ...h, update: (t) => t % 2 === 0 });
    expect(tolRatio(got, modular.params, 2e-5, 1e-5)).toBeGreaterThan(1);
  });

  it('T as a function of the step', () => {
    const when = (t: number) => t === 0 || t === 3 || t === 4;
    const { got, prob } = run(opts({ T: when }), 'w', 7);
    const ref = runReference(prob.init[0], [4, 3], prob.grads.map((g) => g[0]), { ...h, update: when });
    expect(tolRatio(got, ref.params, 2e-5, 1e-5)).toBeLessThanOrEqual(1);
  });

  it('discountPatterns quarters β2 for names containing norm/proj/bias only', () => {
    const config = opts({ discountPatterns: true });
    const biasLike = run(config, 'layer/bias', 5);
    const plain = run(config, 'layer/kernel', 5);
    const refQuarter = runReference(biasLike.prob.init[0], [4, 3], biasLike.prob.grads.map((g) => g[0]), { ...h, beta2: h.beta2 / 4 });
    const refFull = runReference(plain.prob.init[0], [4, 3], plain.prob.grads.map((g) => g[0]), h);
    expect(tolRatio(biasLike.got, refQuarter.params, 2e-5, 1e-5)).toBeLessThanOrEqual(1);
    expect(tolRatio(plain.got, refFull.params, 2e-5, 1e-5)).toBeLessThanOrEqual(1);
    // default off: a bias-named parameter keeps the full β2
    expect(tolRatio(run(opts({}), 'layer/bias', 5).got, refFull.params, 2e-5, 1e-5)).toBeLessThanOrEqual(1);
  });

  it('validates options with the option name in the message', () => {
    expect(() => new IFShampoo({ T: 0 })).toThrow(/T/);
    expect(() => new IFShampoo({ T: (() => true) as never, paperSchedule: true })).toThrow(/paperSchedule/);
    expect(() => new IFShampoo({ beta2: 0 })).toThrow(/beta2/);
    expect(() => new IFShampoo({ alpha1: 1 })).toThrow(/alpha1/);
    expect(() => new IFShampoo({ structures: 'nonsense' })).toThrow(/structures/);
    expect(() => new IFShampoo({ structures: { 2: ['dense'] } })).toThrow(/structures\.2/);
    expect(() => new IFShampoo({ preconditionerDtypes: 'int8' })).toThrow(/preconditionerDtypes/);
    expect(() => new IFShampoo({ combineParams: ['nope' as never] })).toThrow(/combineParams\[0\]/);
    expect(() => new IFShampoo({ weightDecay: 0.1 } as never)).toThrow(/weightDecay/);
  });
});
