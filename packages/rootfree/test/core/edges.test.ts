import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../../src/backend/setup.js';
import { AdamW, IFShampoo, OptionError, RFAdamW, RFRMSprop, RMSprop, SGD, Shampoo, type RootfreeOptimizer } from '../../src/index.js';
import { makeVar, rng } from './helpers.js';

type Make = (o: Record<string, unknown>) => RootfreeOptimizer<any>;
const methods: Array<[string, Make]> = [
  ['SGD', (o) => new SGD({ lr: 0.1, momentum: 0.9, ...o })],
  ['AdamW', (o) => new AdamW({ lr: 0.01, ...o })],
  ['RMSprop', (o) => new RMSprop({ lr: 0.01, centered: true, ...o })],
  ['RFRMSprop', (o) => new RFRMSprop({ lr: 0.01, momentum: 0.9, ...o })],
  ['RFAdamW', (o) => new RFAdamW({ lr: 0.01, ...o })],
  ['IFShampoo', (o) => new IFShampoo({ lr: 0.01, ...o })],
  ['Shampoo', (o) => new Shampoo({ lr: 0.01, ...o })],
];

describe.each(['cpu', 'wasm'] as const)('zero-size variables on %s', (backend) => {
  beforeAll(async () => {
    await useBackend(backend);
  });

  const cases = methods.flatMap(([n, make]) => [true, false].map((fused) => [`${n} (fused: ${fused})`, (o: Record<string, unknown>) => make({ fused, ...o })] as [string, Make]));

  it.each(cases)('%s: a model with empty variables trains; they stay empty and the others match a model without them', async (_n, make) => {
    const shapes = [[3, 4], [0], [4, 0], [4]];
    const r = rng(3);
    const init = shapes.map((s) => r.normals(s.reduce((a, b) => a * b, 1)));
    const withEmpty = make({});
    const without = make({});
    const va = shapes.map((s, i) => makeVar(init[i], s));
    const vb = [0, 3].map((i) => makeVar(init[i], shapes[i]));
    for (let t = 0; t < 3; t++) {
      const gs = shapes.map((s) => r.normals(s.reduce((a, b) => a * b, 1), 0.5));
      const ga = va.map((v, i) => ({ name: v.name, tensor: tf.tensor(gs[i], shapes[i]) }));
      const gb = vb.map((v, k) => ({ name: v.name, tensor: tf.tensor(gs[[0, 3][k]], v.shape) }));
      withEmpty.applyGradients(ga);
      without.applyGradients(gb);
      [...ga, ...gb].forEach((g) => g.tensor.dispose());
    }
    expect(withEmpty.iterations).toBe(3);
    expect([va[0], va[3]].map((v) => Array.from(v.dataSync()))).toEqual(vb.map((v) => Array.from(v.dataSync())));
    expect(va[1].shape).toEqual([0]);
    // Save/load round trip with the empty variables present.
    const saved = await withEmpty.getWeights();
    const again = make({});
    await again.setWeights(saved);
    const vc = shapes.map((s, i) => makeVar(Array.from(va[i].dataSync()), s));
    const gc = vc.map((v) => ({ name: v.name, tensor: tf.zerosLike(v) }));
    again.applyGradients(gc);
    gc.forEach((g) => g.tensor.dispose());
    expect(again.iterations).toBe(4);
    [...va, ...vb, ...vc].forEach((v) => v.dispose());
    [withEmpty, without, again].forEach((o) => o.dispose());
  });

  it.each(cases)('%s: a model of empty variables only', (_n, make) => {
    const opt = make({});
    const v = makeVar([], [0, 5]);
    const g = tf.zeros([0, 5]);
    opt.applyGradients([{ name: v.name, tensor: g }]);
    opt.applyGradients([{ name: v.name, tensor: g }]);
    expect(opt.iterations).toBe(2);
    g.dispose();
    v.dispose();
    opt.dispose();
  });
});

describe('nested options are checked like top-level ones', () => {
  const cases: Array<[string, () => unknown, RegExp]> = [
    ['unknown schedule key (warmup for warmupSteps)', () => new SGD({ lr: { type: 'cosine', value: 1, totalSteps: 10, warmup: 2 } as never }), /^lr\.warmup: expected a known key of a 'cosine' schedule \(type, value, totalSteps, warmupSteps, minValue, warmupInit\); did you mean 'warmupSteps' or 'warmupInit'\?, got 2$/],
    ['unknown schedule key (gama)', () => new SGD({ lr: { type: 'multistep', value: 1, milestones: [2], gama: 0.5 } as never }), /^lr\.gama: expected a known key of a 'multistep' schedule .*; did you mean 'gamma'\?, got 0\.5$/],
    ['unknown key on a constant schedule', () => new AdamW({ lr: { type: 'constant', value: 1, totalSteps: 3 } as never }), /^lr\.totalSteps: expected a known key of a 'constant' schedule \(type, value\), got 3$/],
    ['schedule inside a param group', () => new SGD({ paramGroups: [{ match: 'b', options: { lr: { type: 'cosine', value: 1, totalSteps: 5, warmup_steps: 1 } } }] }), /^lr\.warmup_steps: .*did you mean 'warmupSteps'\?/],
    ['paramGroups entry key (option for options)', () => new SGD({ paramGroups: [{ match: 'b', option: { lr: 1 } } as never] }), /^paramGroups\[0\]\.option: expected a known key \(match, options\); did you mean 'options'\?/],
    ['IFShampoo paramGroups entry key', () => new IFShampoo({ paramGroups: [{ match: 'b', option: { lr: 1 } } as never] }), /^paramGroups\[0\]\.option: expected a known key \(match, options\); did you mean 'options'\?/],
    ['IFShampoo paramGroups not an array', () => new IFShampoo({ paramGroups: { match: 'b', options: {} } as never }), /^paramGroups: expected an array of \{ match, options \}, got \{"match":"b","options":\{\}\}$/],
    ['IFShampoo paramGroups null entry', () => new IFShampoo({ paramGroups: [null as never] }), /^paramGroups\[0\]: expected an object \{ match, options \}, got null$/],
    ['IFShampoo options null', () => new IFShampoo(null as never), /^options: expected an options object, got null$/],
    ['unknown method key: did you mean by prefix', () => new IFShampoo({ alpha: 0.5 } as never), /^IFShampoo\.alpha: expected a known option .*; did you mean 'alpha1' or 'alpha2'\?/],
    ['Shampoo epsilon = 0', () => new Shampoo({ epsilon: 0 }), /^epsilon: expected a finite number > 0, got 0$/],
    ['Shampoo graftingEpsilon = 0', () => new Shampoo({ graftingEpsilon: 0 }), /^graftingEpsilon: expected a finite number > 0, got 0$/],
    ['maxMemoryBytes', () => new SGD({ maxMemoryBytes: -1 }), /^maxMemoryBytes: expected a finite number > 0, got -1$/],
  ];
  it.each(cases)('%s', (_n, f, msg) => {
    expect(f).toThrow(msg);
    expect(f).toThrow(OptionError);
  });

  it('IF-Shampoo lr = 0 is accepted (warm-up schedules start at 0): the factors update, the parameters do not move', async () => {
    await useBackend('cpu');
    const opt = new IFShampoo({ lr: 0 });
    const v = makeVar([1, 2, 3, 4, 5, 6], [2, 3]);
    const g = tf.tensor([0.1, -0.2, 0.3, 0.4, -0.5, 0.6], [2, 3]);
    opt.applyGradients([{ name: v.name, tensor: g }]);
    expect(Array.from(v.dataSync())).toEqual([1, 2, 3, 4, 5, 6]);
    const k0 = (await opt.getWeights()).find((w) => /\/K0_/.test(w.name))!;
    expect(Array.from(k0.tensor.dataSync())).not.toEqual([1, 0, 0, 1]);
    g.dispose();
    v.dispose();
    opt.dispose();
  });

  it('an IF-Shampoo T function returning a non-boolean is rejected at the step, naming the step and value', async () => {
    await useBackend('cpu');
    const opt = new IFShampoo({ lr: 0.1, T: ((t: number) => (t === 0 ? true : 'yes')) as never });
    const v = makeVar([1, 2, 3, 4], [2, 2]);
    const step = () => {
      const g = tf.tensor([0.1, 0.2, 0.3, 0.4], [2, 2]);
      try {
        opt.applyGradients([{ name: v.name, tensor: g }]);
      } finally {
        g.dispose();
      }
    };
    step();
    const before = Array.from(v.dataSync());
    expect(step).toThrow(/^T\(1\): expected a boolean from the update-schedule function, got "yes"$/);
    expect(Array.from(v.dataSync())).toEqual(before);
    expect(opt.iterations).toBe(1);
    v.dispose();
    opt.dispose();
  });
});
