import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../../src/backend/setup.js';
import { AdamW, evaluateSchedule, RFAdamW, SGD, type ScheduleSpec } from '../../src/index.js';
import { makeVar } from './helpers.js';

describe('schedule values', () => {
  it('constant', () => {
    for (const t of [0, 1, 7, 1e6]) expect(evaluateSchedule({ type: 'constant', value: 0.3 }, t)).toBe(0.3);
    expect(evaluateSchedule(0.05, 123)).toBe(0.05);
  });

  it('multistep: value·gamma^(milestones <= step)', () => {
    const s: ScheduleSpec = { type: 'multistep', value: 1, milestones: [2, 5], gamma: 0.5 };
    expect([0, 1, 2, 3, 4, 5, 6, 100].map((t) => evaluateSchedule(s, t))).toEqual([1, 1, 0.5, 0.5, 0.5, 0.25, 0.25, 0.25]);
    // default gamma 0.1 (PyTorch MultiStepLR)
    expect(evaluateSchedule({ type: 'multistep', value: 2, milestones: [3] }, 3)).toBeCloseTo(0.2, 15);
  });

  it('cosine with linear warm-up', () => {
    const s: ScheduleSpec = { type: 'cosine', value: 1, totalSteps: 10, warmupSteps: 2, minValue: 0.1, warmupInit: 0 };
    const want = (t: number) => (t < 2 ? t / 2 : t >= 10 ? 0.1 : 0.1 + 0.45 * (1 + Math.cos((Math.PI * (t - 2)) / 8)));
    for (let t = 0; t <= 12; t++) expect(evaluateSchedule(s, t)).toBeCloseTo(want(t), 14);
    expect(evaluateSchedule(s, 0)).toBe(0);
    expect(evaluateSchedule(s, 1)).toBe(0.5);
    expect(evaluateSchedule(s, 2)).toBe(1);
    expect(evaluateSchedule(s, 6)).toBeCloseTo(0.55, 14);
    expect(evaluateSchedule(s, 10)).toBe(0.1);
    // no warm-up, default min 0: half-way is value/2
    expect(evaluateSchedule({ type: 'cosine', value: 0.4, totalSteps: 100 }, 50)).toBeCloseTo(0.2, 14);
    // warm-up from a non-zero start
    expect(evaluateSchedule({ type: 'cosine', value: 1, totalSteps: 10, warmupSteps: 4, warmupInit: 0.2 }, 2)).toBeCloseTo(0.6, 14);
  });
});

describe.each(['cpu', 'wasm'] as const)('driver features on %s', (backend) => {
  beforeAll(async () => {
    await useBackend(backend);
  });

  /** Plain SGD makes each step's lr visible: p_t − p_{t+1} = lr_t · g. */
  const lrsSeen = (opt: SGD, steps: number): number[] => {
    const p = makeVar([0], [1]);
    const g = tf.tensor([1], [1]);
    const out: number[] = [];
    let prev = 0;
    for (let t = 0; t < steps; t++) {
      expect(opt.learningRate).toBeCloseTo(evaluateSchedule(opt.options.lr, t), 12);
      opt.applyGradients([{ name: p.name, tensor: g }]);
      const now = p.dataSync()[0];
      out.push(prev - now);
      prev = now;
    }
    p.dispose();
    g.dispose();
    opt.dispose();
    return out;
  };

  it('the optimizer steps with the scheduled lr (multistep and cosine warm-up)', () => {
    const multi = lrsSeen(new SGD({ lr: { type: 'multistep', value: 0.1, milestones: [2, 4], gamma: 0.5 } }), 6);
    [0.1, 0.1, 0.05, 0.05, 0.025, 0.025].forEach((w, t) => expect(multi[t]).toBeCloseTo(w, 6));
    const cos: ScheduleSpec = { type: 'cosine', value: 0.2, totalSteps: 8, warmupSteps: 3, minValue: 0.02 };
    const got = lrsSeen(new SGD({ lr: cos }), 10);
    got.forEach((x, t) => expect(x).toBeCloseTo(evaluateSchedule(cos, t), 6));
    expect(got[0]).toBe(0); // warm-up from 0
    expect(got[9]).toBeCloseTo(0.02, 6);
  });

  it('a function lr is called with the 0-based step', () => {
    const calls: number[] = [];
    const got = lrsSeen(
      new SGD({
        lr: (t) => {
          calls.push(t);
          return 0.1 / (t + 1);
        },
      }),
      4,
    );
    got.forEach((x, t) => expect(x).toBeCloseTo(0.1 / (t + 1), 6));
    expect(calls.filter((c, i) => calls.indexOf(c) === i)).toEqual([0, 1, 2, 3]);
  });

  it('paramGroups: weightDecay 0 for names matching "bias" (first matching group wins)', () => {
    // g = 0: AdamW moves the parameter only through decoupled decay p·(1 − lr·wd).
    const opt = new AdamW({
      lr: 0.1,
      weightDecay: 0.5,
      paramGroups: [
        { match: 'bias', options: { weightDecay: 0 } },
        { match: 'bias|special', options: { weightDecay: 0.9 } },
        { match: 'special', options: { lr: 0.2 } },
      ],
    });
    const kernel = makeVar([1, -2], [2], 'dense/kernel');
    const bias = makeVar([3], [1], 'dense/bias');
    const special = makeVar([1], [1], 'dense/special');
    const zeros = [tf.zeros([2]), tf.zeros([1]), tf.zeros([1])];
    for (let t = 0; t < 3; t++) opt.applyGradients([kernel, bias, special].map((v, i) => ({ name: v.name, tensor: zeros[i] })));
    const k = 1 - 0.1 * 0.5;
    expect(Array.from(kernel.dataSync())[0]).toBeCloseTo(k ** 3, 6);
    expect(Array.from(kernel.dataSync())[1]).toBeCloseTo(-2 * k ** 3, 6);
    expect(bias.dataSync()[0]).toBe(3);
    // 'dense/special' matches the second group first: wd 0.9, lr from the defaults (0.1).
    expect(special.dataSync()[0]).toBeCloseTo((1 - 0.1 * 0.9) ** 3, 6);
    expect(opt.optionsFor('x/bias').weightDecay).toBe(0);
    expect(opt.optionsFor('x/kernel').weightDecay).toBe(0.5);
    [kernel, bias, special, ...zeros].forEach((t) => t.dispose());
    opt.dispose();
  });

  it('paramGroups can override lr with a schedule; a failing schedule leaves the whole step undone', () => {
    const opt = new SGD({ lr: 0.1, paramGroups: [{ match: '^late', options: { lr: { type: 'multistep', value: 1, milestones: [1], gamma: 0 } } }] });
    const a = makeVar([0], [1], 'early');
    const b = makeVar([0], [1], 'late');
    const g = tf.ones([1]);
    const step = () => opt.applyGradients([{ name: a.name, tensor: g }, { name: b.name, tensor: g }]);
    step();
    step();
    expect(a.dataSync()[0]).toBeCloseTo(-0.2, 6);
    expect(b.dataSync()[0]).toBeCloseTo(-1, 6); // lr 1 then 0
    const bad = new SGD({ lr: 0.1, paramGroups: [{ match: '^late', options: { lr: (t: number) => (t === 0 ? 1 : -1) } }] });
    const c = makeVar([0], [1], 'early');
    const d = makeVar([0], [1], 'late');
    bad.applyGradients([{ name: c.name, tensor: g }, { name: d.name, tensor: g }]);
    expect(() => bad.applyGradients([{ name: c.name, tensor: g }, { name: d.name, tensor: g }])).toThrow(/^lr\(1\)/);
    expect(c.dataSync()[0]).toBeCloseTo(-0.1, 6);
    expect(d.dataSync()[0]).toBeCloseTo(-1, 6);
    expect(bad.iterations).toBe(1);
    [a, b, c, d, g].forEach((t) => t.dispose());
    opt.dispose();
    bad.dispose();
  });

  it('clipGradNorm rescales all gradients by max/(global norm + 1e-6) when the norm exceeds max', () => {
    const opt = new SGD({ lr: 1, clipGradNorm: 1 });
    const a = makeVar([0, 0], [2]);
    const b = makeVar([0], [1]);
    // global norm sqrt(3² + 0² + 4²) = 5
    const ga = tf.tensor([3, 0], [2]);
    const gb = tf.tensor([4], [1]);
    opt.applyGradients([{ name: a.name, tensor: ga }, { name: b.name, tensor: gb }]);
    const s = 1 / (5 + 1e-6);
    expect(a.dataSync()[0]).toBeCloseTo(-3 * s, 6);
    expect(a.dataSync()[1]).toBe(0);
    expect(b.dataSync()[0]).toBeCloseTo(-4 * s, 6);
    // Below the threshold: unchanged gradient.
    const small = [tf.tensor([0.3, 0], [2]), tf.tensor([0.4], [1])];
    opt.applyGradients([{ name: a.name, tensor: small[0] }, { name: b.name, tensor: small[1] }]);
    expect(a.dataSync()[0]).toBeCloseTo(-3 * s - 0.3, 6);
    expect(b.dataSync()[0]).toBeCloseTo(-4 * s - 0.4, 6);
    [a, b, ga, gb, ...small].forEach((t) => t.dispose());
    opt.dispose();
  });

  it('clipGradNorm feeds the clipped gradient into the method state (RF-AdamW m = (1 − b1)·clipped g)', async () => {
    const opt = new RFAdamW({ lr: 0.01, beta1: 0.5, clipGradNorm: 0.5, batchSize: 4 });
    const p = makeVar([0, 0, 0, 0], [4]);
    const g = tf.tensor([2, 0, 0, 0], [4]);
    opt.applyGradients([{ name: p.name, tensor: g }]);
    const w = await opt.getWeights();
    const m = w.find((x) => x.name.endsWith('/m'))!.tensor.dataSync();
    expect(m[0]).toBeCloseTo(0.5 * (0.5 * 2) / (2 + 1e-6), 6);
    p.dispose();
    g.dispose();
    opt.dispose();
  });
});
