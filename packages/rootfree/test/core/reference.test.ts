import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../../src/backend/setup.js';
import { AdamW, RFAdamW, RFRMSprop, RMSprop, SGD } from '../../src/index.js';
import type { RootfreeOptimizer } from '../../src/tfjs/RootfreeOptimizer.js';
import { bf16, bf16Ulp, fp16, fp16Ulp, randomProblem, runTf, stateSlot, tolRatio } from './helpers.js';
import { refAdamW, refRFAdamW, refRFRMSprop, refRMSprop, refSGD, runRef, type RefOptimizer } from './reference.js';

/**
 * Every optimizer against the float64 plain-JS reference over 20 random steps. Each case also
 * names a "mutant" (the same reference with one semantic switch flipped) that must land far
 * outside the tolerance, which shows the comparison can tell the variants apart.
 */
interface Case {
  name: string;
  make: () => RootfreeOptimizer<any>;
  ref: () => RefOptimizer;
  mutant: () => RefOptimizer;
  batchSize?: number;
}

const STEPS = 20;
const ATOL = 2e-6;
const RTOL = 1e-5;

const cases: Case[] = [
  {
    name: 'SGD plain + weight decay',
    make: () => new SGD({ lr: 0.05, weightDecay: 0.01 }),
    ref: () => refSGD({ lr: 0.05, weightDecay: 0.01 }),
    mutant: () => refSGD({ lr: 0.05 }),
  },
  {
    name: 'SGD momentum + dampening',
    make: () => new SGD({ lr: 0.05, momentum: 0.9, dampening: 0.3, weightDecay: 1e-3 }),
    ref: () => refSGD({ lr: 0.05, momentum: 0.9, dampening: 0.3, weightDecay: 1e-3 }),
    mutant: () => refSGD({ lr: 0.05, momentum: 0.9, dampening: 0, weightDecay: 1e-3 }),
  },
  {
    name: 'SGD nesterov',
    make: () => new SGD({ lr: 0.05, momentum: 0.8, nesterov: true, weightDecay: 1e-3 }),
    ref: () => refSGD({ lr: 0.05, momentum: 0.8, nesterov: true, weightDecay: 1e-3 }),
    mutant: () => refSGD({ lr: 0.05, momentum: 0.8, nesterov: false, weightDecay: 1e-3 }),
  },
  {
    name: 'AdamW',
    make: () => new AdamW({ lr: 0.01, beta1: 0.9, beta2: 0.99, epsilon: 1e-8, weightDecay: 0.1 }),
    ref: () => refAdamW({ lr: 0.01, beta1: 0.9, beta2: 0.99, epsilon: 1e-8, weightDecay: 0.1 }),
    mutant: () => refAdamW({ lr: 0.01, beta1: 0.9, beta2: 0.99, epsilon: 1e-8, weightDecay: 0 }),
  },
  {
    name: 'AdamW amsgrad',
    make: () => new AdamW({ lr: 0.01, beta1: 0.8, beta2: 0.9, epsilon: 1e-6, weightDecay: 0.01, amsgrad: true }),
    ref: () => refAdamW({ lr: 0.01, beta1: 0.8, beta2: 0.9, epsilon: 1e-6, weightDecay: 0.01, amsgrad: true }),
    mutant: () => refAdamW({ lr: 0.01, beta1: 0.8, beta2: 0.9, epsilon: 1e-6, weightDecay: 0.01, amsgrad: false }),
  },
  {
    name: 'RMSprop plain + L2',
    make: () => new RMSprop({ lr: 0.01, alpha: 0.9, epsilon: 1e-8, weightDecay: 0.01 }),
    ref: () => refRMSprop({ lr: 0.01, alpha: 0.9, epsilon: 1e-8, weightDecay: 0.01 }),
    mutant: () => refRMSprop({ lr: 0.01, alpha: 0.9, epsilon: 1e-8, weightDecay: 0 }),
  },
  {
    name: 'RMSprop centered + momentum',
    make: () => new RMSprop({ lr: 0.005, alpha: 0.9, epsilon: 1e-6, weightDecay: 1e-3, momentum: 0.7, centered: true }),
    ref: () => refRMSprop({ lr: 0.005, alpha: 0.9, epsilon: 1e-6, weightDecay: 1e-3, momentum: 0.7, centered: true }),
    mutant: () => refRMSprop({ lr: 0.005, alpha: 0.9, epsilon: 1e-6, weightDecay: 1e-3, momentum: 0.7, centered: false }),
  },
  {
    name: 'RF-RMSprop momentum + weight decay',
    batchSize: 16,
    make: () => new RFRMSprop({ lr: 0.01, alpha: 0.9, damping: 1e-3, weightDecay: 0.01, momentum: 0.9, batchSize: 16 }),
    ref: () => refRFRMSprop({ lr: 0.01, alpha: 0.9, damping: 1e-3, weightDecay: 0.01, momentum: 0.9 }),
    // Weight decay preconditioned would be a different method; here: the factor B dropped.
    mutant: () => refRFRMSprop({ lr: 0.01, alpha: 0.9, damping: 1e-3, weightDecay: 0.01, momentum: 0.9, dummyScaling: true }),
  },
  {
    name: 'RF-RMSprop not batch-averaged',
    batchSize: 16,
    make: () => new RFRMSprop({ lr: 0.005, alpha: 0.99, damping: 1e-4, weightDecay: 0.05, batchAveraged: false, batchSize: 16 }),
    ref: () => refRFRMSprop({ lr: 0.005, alpha: 0.99, damping: 1e-4, weightDecay: 0.05, batchAveraged: false }),
    mutant: () => refRFRMSprop({ lr: 0.005, alpha: 0.99, damping: 1e-4, weightDecay: 0.05, batchAveraged: true }),
  },
  {
    name: 'RF-RMSprop dummyInit',
    batchSize: 32,
    make: () => new RFRMSprop({ lr: 0.01, alpha: 0.9, damping: 1e-2, momentum: 0.5, dummyInit: true, batchSize: 32 }),
    ref: () => refRFRMSprop({ lr: 0.01, alpha: 0.9, damping: 1e-2, momentum: 0.5, dummyInit: true }),
    mutant: () => refRFRMSprop({ lr: 0.01, alpha: 0.9, damping: 1e-2, momentum: 0.5, dummyInit: false }),
  },
  {
    name: 'RF-RMSprop dummyScaling',
    batchSize: 32,
    make: () => new RFRMSprop({ lr: 0.01, alpha: 0.9, damping: 1e-3, momentum: 0.5, dummyScaling: true, batchSize: 32 }),
    ref: () => refRFRMSprop({ lr: 0.01, alpha: 0.9, damping: 1e-3, momentum: 0.5, dummyScaling: true }),
    mutant: () => refRFRMSprop({ lr: 0.01, alpha: 0.9, damping: 1e-3, momentum: 0.5, dummyScaling: false }),
  },
  {
    name: 'RF-AdamW no bias correction',
    batchSize: 16,
    make: () => new RFAdamW({ lr: 0.01, beta1: 0.9, beta2: 0.99, damping: 1e-4, weightDecay: 0.01, batchSize: 16 }),
    ref: () => refRFAdamW({ lr: 0.01, beta1: 0.9, beta2: 0.99, damping: 1e-4, weightDecay: 0.01 }),
    mutant: () => refRFAdamW({ lr: 0.01, beta1: 0.9, beta2: 0.99, damping: 1e-4, weightDecay: 0.01, biasCorrection: true }),
  },
  {
    name: 'RF-AdamW bias correction',
    batchSize: 8,
    make: () => new RFAdamW({ lr: 0.01, beta1: 0.9, beta2: 0.99, damping: 1e-4, weightDecay: 0.01, biasCorrection: true, batchSize: 8 }),
    ref: () => refRFAdamW({ lr: 0.01, beta1: 0.9, beta2: 0.99, damping: 1e-4, weightDecay: 0.01, biasCorrection: true }),
    mutant: () => refRFAdamW({ lr: 0.01, beta1: 0.9, beta2: 0.99, damping: 1e-4, weightDecay: 0.01, biasCorrection: false }),
  },
  {
    name: 'RF-AdamW dummyInit + dummyScaling',
    batchSize: 8,
    make: () => new RFAdamW({ lr: 0.01, beta1: 0.5, beta2: 0.9, damping: 1e-2, dummyInit: true, dummyScaling: true, batchSize: 8 }),
    ref: () => refRFAdamW({ lr: 0.01, beta1: 0.5, beta2: 0.9, damping: 1e-2, dummyInit: true, dummyScaling: true }),
    mutant: () => refRFAdamW({ lr: 0.01, beta1: 0.5, beta2: 0.9, damping: 1e-2, dummyInit: false, dummyScaling: true }),
  },
];

describe.each(['cpu', 'wasm'] as const)('float64 reference on %s', (backend) => {
  beforeAll(async () => {
    await useBackend(backend);
  });

  it.each(cases.map((c, i) => [c.name, c, i] as const))('%s matches over 20 steps', (_name, c, i) => {
    const prob = randomProblem(1000 + i, STEPS);
    const B = () => c.batchSize ?? 1;
    const want = runRef(c.ref(), prob, B);
    const opt = c.make();
    const { history, vars } = runTf(opt, prob);
    try {
      expect(tolRatio(history, want, ATOL, RTOL)).toBeLessThanOrEqual(1);
      // The flipped switch must be detectable: far outside the tolerance.
      expect(tolRatio(runRef(c.mutant(), prob, B), want, ATOL, RTOL)).toBeGreaterThan(100);
      expect(opt.iterations).toBe(STEPS);
    } finally {
      vars.forEach((v) => v.dispose());
      opt.dispose();
    }
  });

  it('RF-RMSprop per-step batch size enters F (state init uses the first step, F follows each step)', () => {
    const prob = randomProblem(77, 8);
    const Bs = [16, 16, 16, 4, 16, 16, 2, 16];
    const want = runRef(refRFRMSprop({ lr: 0.01, alpha: 0.9, damping: 1e-3, momentum: 0.5 }), prob, (t) => Bs[t]);
    const constant = runRef(refRFRMSprop({ lr: 0.01, alpha: 0.9, damping: 1e-3, momentum: 0.5 }), prob, () => 16);
    const opt = new RFRMSprop({ lr: 0.01, alpha: 0.9, damping: 1e-3, momentum: 0.5, batchSize: 16 });
    const { history, vars } = runTf(opt, prob, (t) => (Bs[t] === 16 ? {} : { batchSize: Bs[t] }));
    expect(tolRatio(history, want, ATOL, RTOL)).toBeLessThanOrEqual(1);
    expect(tolRatio(constant, want, ATOL, RTOL)).toBeGreaterThan(100);
    vars.forEach((v) => v.dispose());
    opt.dispose();
  });
});

describe('null gradients', () => {
  beforeAll(async () => {
    await useBackend('cpu');
  });

  it('a parameter without a gradient is left alone and keeps its own step count (AdamW bias correction)', () => {
    // b gets a gradient only on odd steps: PyTorch's per-parameter `step` then differs from a's.
    const prob = randomProblem(31, 10);
    const o = { lr: 0.01, beta1: 0.9, beta2: 0.99, epsilon: 1e-8, weightDecay: 0.1 };
    const refA = refAdamW(o);
    const refB = refAdamW(o);
    const pa = [prob.init[0].slice()];
    const pb = [prob.init[1].slice()];
    const opt = new AdamW(o);
    const { vars } = runTf(opt, { ...prob, grads: [] });
    prob.grads.forEach((g, t) => {
      refA.step(pa, [g[0]], 1);
      if (t % 2 === 1) refB.step(pb, [g[1]], 1);
      const ga = tf.tensor(g[0], prob.shapes[0]);
      const gb = t % 2 === 1 ? tf.tensor(g[1], prob.shapes[1]) : null;
      opt.applyGradients([{ name: vars[0].name, tensor: ga }, { name: vars[1].name, tensor: gb as tf.Tensor }]);
      tf.dispose([ga, ...(gb ? [gb] : [])]);
      if (t === 0) expect(Array.from(vars[1].dataSync())).toEqual(prob.init[1]);
    });
    expect(tolRatio([Array.from(vars[0].dataSync()), Array.from(vars[1].dataSync())], [pa[0], pb[0]], ATOL, RTOL)).toBeLessThanOrEqual(1);
    vars.forEach((v) => v.dispose());
    opt.dispose();
  });
});

/** Half-precision state: the reference emulates PyTorch's per-op rounding (SPEC §6.3). */
const HALF = [
  { dtype: 'bfloat16', round: bf16, ulp: bf16Ulp },
  { dtype: 'float16', round: fp16, ulp: fp16Ulp },
] as const;

describe.each(['cpu', 'wasm'] as const)('half-precision state on %s', (backend) => {
  beforeAll(async () => {
    await useBackend(backend);
  });

  const within = (got: number[][], want: number[][], ulp: (x: number) => number, ulps: number): number => {
    let worst = 0;
    got.flat().forEach((x, k) => {
      const w = want.flat()[k];
      worst = Math.max(worst, Math.abs(x - w) / ulp(w));
    });
    return worst / ulps;
  };

  it.each(HALF)('RF-RMSprop $dtype (momentum, weight decay, lr_cov < 2^-9: the bf16 EMA decay is lost)', async ({ dtype, round, ulp }) => {
    const o = { lr: 0.01, alpha: 0.999, damping: 1e-3, weightDecay: 0.01, momentum: 0.9 };
    const prob = randomProblem(4242, STEPS);
    const ref = refRFRMSprop({ ...o, stateDtype: dtype });
    const want = runRef(ref, prob, () => 16);
    const want64 = runRef(refRFRMSprop(o), prob, () => 16);
    const opt = new RFRMSprop({ ...o, stateDtype: dtype, batchSize: 16 });
    const { history, vars } = runTf(opt, prob);
    try {
      const v = await stateSlot(opt, 'v');
      const buf = await stateSlot(opt, 'momentum');
      // Stored state is exactly representable and within 2 ulps of the emulation.
      for (const x of [...v.flat(), ...buf.flat()]) expect(round(x)).toBe(x);
      expect(within(v, ref.state.map((s) => s.v), ulp, 2)).toBeLessThanOrEqual(1);
      expect(within(buf, ref.state.map((s) => s.buf), ulp, 2)).toBeLessThanOrEqual(1);
      expect(tolRatio(history, want, 1e-4, 0)).toBeLessThanOrEqual(1);
      // and the half-precision run really differs from float64: the check has teeth.
      expect(tolRatio(want, want64, 1e-5, 0)).toBeGreaterThan(2);
    } finally {
      vars.forEach((x) => x.dispose());
      opt.dispose();
    }
  });

  it.each(HALF)('RF-AdamW $dtype (bias correction)', async ({ dtype, round, ulp }) => {
    const o = { lr: 0.01, beta1: 0.9, beta2: 0.99, damping: 1e-4, weightDecay: 0.01, biasCorrection: true };
    const prob = randomProblem(4343, STEPS);
    const ref = refRFAdamW({ ...o, stateDtype: dtype });
    const want = runRef(ref, prob, () => 8);
    const want64 = runRef(refRFAdamW(o), prob, () => 8);
    const opt = new RFAdamW({ ...o, stateDtype: dtype === 'bfloat16' ? 'bf16' : 'fp16', batchSize: 8 });
    const { history, vars } = runTf(opt, prob);
    try {
      const m = await stateSlot(opt, 'm');
      const v = await stateSlot(opt, 'v');
      for (const x of [...v.flat(), ...m.flat()]) expect(round(x)).toBe(x);
      expect(within(v, ref.state.map((s) => s.v), ulp, 2)).toBeLessThanOrEqual(1);
      expect(within(m, ref.state.map((s) => s.m), ulp, 2)).toBeLessThanOrEqual(1);
      expect(tolRatio(history, want, 1e-4, 0)).toBeLessThanOrEqual(1);
      expect(tolRatio(want, want64, 1e-6, 0)).toBeGreaterThan(2);
    } finally {
      vars.forEach((x) => x.dispose());
      opt.dispose();
    }
  });

  it('the fp16 rounding used by the reference matches known values', () => {
    expect(fp16(1 + 2 ** -11)).toBe(1); // tie to even
    expect(fp16(1 + 3 * 2 ** -11)).toBe(1 + 2 ** -9);
    expect(fp16(65504)).toBe(65504);
    expect(fp16(65520)).toBe(Infinity);
    expect(fp16(2 ** -25)).toBe(0); // tie to even at the smallest subnormal
    expect(fp16(3 * 2 ** -26)).toBe(2 ** -24);
    expect(bf16(1 + 2 ** -8)).toBe(1);
    expect(bf16(1 + 3 * 2 ** -8)).toBe(1.015625);
    expect(bf16(1 + 2 ** -8 + 2 ** -20)).toBe(1.0078125);
  });

  it('tf variables used by the tests are all released', () => {
    expect(Object.keys(tf.engine().registeredVariables).filter((n) => /^w\d_/.test(n))).toEqual([]);
  });
});
