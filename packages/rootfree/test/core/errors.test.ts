import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../../src/backend/setup.js';
import { AdamW, NonFiniteError, OptionError, RFAdamW, RFRMSprop, RMSprop, SGD } from '../../src/index.js';
import type { RootfreeOptimizer } from '../../src/tfjs/RootfreeOptimizer.js';
import { makeVar } from './helpers.js';

describe('invalid hyper-parameters throw at construction, naming option, value and range', () => {
  const cases: Array<[string, () => unknown, RegExp]> = [
    ['RFAdamW beta1 = 1', () => new RFAdamW({ beta1: 1 }), /^beta1: expected a finite number in \[0, 1\), got 1$/],
    ['RFAdamW beta2 = -0.1', () => new RFAdamW({ beta2: -0.1 }), /^beta2: expected a finite number in \[0, 1\), got -0.1$/],
    ['SGD negative lr', () => new SGD({ lr: -0.1 }), /^lr: expected a finite number >= 0, got -0.1$/],
    ['AdamW NaN lr', () => new AdamW({ lr: NaN }), /^lr: expected a finite number >= 0, got NaN$/],
    ['RMSprop alpha as string', () => new RMSprop({ alpha: '0.9' as unknown as number }), /^alpha: expected a finite number in \[0, 1\), got "0.9"$/],
    ['RFRMSprop negative damping', () => new RFRMSprop({ damping: -1e-4 }), /^damping: expected a finite number >= 0, got -0.0001$/],
    ['RFRMSprop momentum = 1', () => new RFRMSprop({ momentum: 1 }), /^momentum: expected a finite number in \[0, 1\), got 1$/],
    ['RFRMSprop stateDtype', () => new RFRMSprop({ stateDtype: 'int8' as 'float32' }), /stateDtype: expected one of float32 \| bfloat16 \| float16.*got "int8"/],
    ['RFAdamW non-integer batchSize', () => new RFAdamW({ batchSize: 2.5 }), /^batchSize: expected an integer >= 1, got 2.5$/],
    ['RFAdamW batchSize 0', () => new RFAdamW({ batchSize: 0 }), /^batchSize: expected an integer >= 1, got 0$/],
    ['unknown option key (snake_case typo)', () => new RFAdamW({ weight_decay: 0.1 } as Record<string, unknown>), /^RFAdamW\.weight_decay: expected a known option \(lr, beta1, .*\); did you mean 'weightDecay'\?, got 0\.1$/],
    ['unknown driver key (snake_case typo)', () => new RFAdamW({ batch_size: 32 } as Record<string, unknown>), /^batch_size: expected a known option; did you mean 'batchSize'\?, got 32$/],
    ['unknown option key on SGD', () => new SGD({ betas: [0.9, 0.99] } as Record<string, unknown>), /^SGD\.betas: expected a known option/],
    ['nesterov without momentum', () => new SGD({ nesterov: true }), /^nesterov: expected false unless momentum > 0 and dampening = 0, got true$/],
    ['nesterov with dampening', () => new SGD({ nesterov: true, momentum: 0.9, dampening: 0.1 }), /^nesterov: /],
    ['SGD dampening > 1', () => new SGD({ momentum: 0.9, dampening: 1.5 }), /^dampening: expected a finite number in \[0, 1\], got 1.5$/],
    ['amsgrad not boolean', () => new AdamW({ amsgrad: 1 as unknown as boolean }), /^amsgrad: expected a boolean, got 1$/],
    ['nonFinite policy', () => new SGD({ nonFinite: 'ignore' as 'skip' }), /^nonFinite: expected one of 'throw' \| 'skip' \| 'none', got "ignore"$/],
    ['clipGradNorm 0', () => new SGD({ clipGradNorm: 0 }), /^clipGradNorm: expected a finite number > 0, got 0$/],
    ['paramGroups bad regex', () => new SGD({ paramGroups: [{ match: '(', options: {} }] }), /^paramGroups\[0\]\.match: expected a valid regular expression, got "\("$/],
    ['paramGroups bad option', () => new RFAdamW({ paramGroups: [{ match: 'bias', options: { beta1: 2 } }] }), /^beta1: expected a finite number in \[0, 1\), got 2$/],
    ['paramGroups driver option in a group', () => new SGD({ paramGroups: [{ match: 'bias', options: { clipGradNorm: 1 } }] }), /^paramGroups\[0\]\.options\.clipGradNorm: expected a method option \(driver options apply to the whole optimizer, not to a group\), got 1$/],
    ['paramGroups options not an object', () => new SGD({ paramGroups: [{ match: 'bias', options: 3 as never }] }), /^paramGroups\[0\]\.options: expected an object of method options, got 3$/],
    ['schedule type', () => new SGD({ lr: { type: 'linear', value: 1 } as never }), /^lr\.type: expected one of 'constant' \| 'multistep' \| 'cosine', got "linear"$/],
    ['cosine totalSteps', () => new SGD({ lr: { type: 'cosine', value: 1, totalSteps: 0 } }), /^lr\.totalSteps: expected an integer >= 1, got 0$/],
    ['cosine warmup > total', () => new SGD({ lr: { type: 'cosine', value: 1, totalSteps: 5, warmupSteps: 6 } }), /^lr\.warmupSteps: expected an integer in \[0, 5\], got 6$/],
    ['options not an object', () => new SGD(null as never), /^options: expected an options object, got null$/],
  ];
  it.each(cases)('%s', (_n, f, msg) => {
    expect(f).toThrow(msg);
    let err: unknown;
    try {
      f();
    } catch (e) {
      err = e;
    }
    // OptionError is a RangeError (parsePrecision throws a plain RangeError).
    expect(err).toBeInstanceOf(RangeError);
    if (!/stateDtype/.test(String(err))) expect(err).toBeInstanceOf(OptionError);
  });
});

describe.each(['cpu', 'wasm'] as const)('bad gradients on %s', (backend) => {
  beforeAll(async () => {
    await useBackend(backend);
  });

  const setup = (o: Record<string, unknown>) => {
    const opt = new RFRMSprop({ lr: 0.1, alpha: 0.9, momentum: 0.9, batchSize: 4, ...o }) as RootfreeOptimizer<any>;
    const a = makeVar([1, 2, 3, 4], [2, 2], 'a');
    const b = makeVar([0.5, -0.5], [2], 'b');
    const step = (ga: number[], gb: number[]) => {
      const g = [
        { name: a.name, tensor: tf.tensor(ga, [2, 2]) },
        { name: b.name, tensor: tf.tensor(gb, [2]) },
      ];
      try {
        opt.applyGradients(g);
      } finally {
        g.forEach((x) => x.tensor.dispose());
      }
    };
    const snapshot = async () => ({
      params: [Array.from(a.dataSync()), Array.from(b.dataSync())],
      state: (await opt.getWeights()).map((w) => [w.name, Array.from(w.tensor.dataSync())]),
      iterations: opt.iterations,
    });
    const done = () => {
      a.dispose();
      b.dispose();
      opt.dispose();
    };
    return { opt, a, b, step, snapshot, done };
  };

  it.each([NaN, Infinity, -Infinity])("nonFinite 'throw' (default) names the variable and changes nothing (gradient %s)", async (bad) => {
    const s = setup({});
    s.step([0.1, 0.2, 0.3, 0.4], [0.1, 0.1]);
    s.step([0.1, -0.2, 0.3, 0.4], [0.2, 0.1]);
    const before = await s.snapshot();
    expect(() => s.step([0.1, 0.2, 0.3, 0.4], [0.1, bad])).toThrow(new RegExp(`gradient of '${s.b.name}' contains NaN or Inf \\(step 2\\); no state was changed`));
    expect(() => s.step([0.1, 0.2, 0.3, 0.4], [0.1, bad])).toThrow(NonFiniteError); // a class callers can catch
    expect(await s.snapshot()).toEqual(before);
    expect(before.iterations).toBe(2);
    // and the next good step proceeds normally.
    s.step([0.1, 0.2, 0.3, 0.4], [0.1, 0.1]);
    expect(s.opt.iterations).toBe(3);
    s.done();
  });

  it("nonFinite 'throw' on the very first step allocates nothing", async () => {
    const s = setup({});
    const n = tf.memory().numTensors;
    expect(() => s.step([NaN, 0, 0, 0], [0, 0])).toThrow(new RegExp(`gradient of '${s.a.name}'`));
    expect(tf.memory().numTensors).toBe(n);
    expect(s.opt.iterations).toBe(0);
    expect(Array.from(s.a.dataSync())).toEqual([1, 2, 3, 4]);
    s.done();
  });

  it("nonFinite 'skip' skips the step with nothing changed", async () => {
    const s = setup({ nonFinite: 'skip' });
    s.step([0.1, 0.2, 0.3, 0.4], [0.1, 0.1]);
    const before = await s.snapshot();
    s.step([0.1, 0.2, Infinity, 0.4], [0.1, 0.1]);
    s.step([0.1, 0.2, 0.3, 0.4], [NaN, 0.1]);
    expect(await s.snapshot()).toEqual(before);
    s.step([0.1, 0.2, 0.3, 0.4], [0.1, 0.1]);
    expect(s.opt.iterations).toBe(2);
    expect((await s.snapshot()).params).not.toEqual(before.params);
    s.done();
  });

  it('gradient shape mismatch', () => {
    const s = setup({});
    const g = tf.tensor([1, 2, 3], [3]);
    expect(() => s.opt.applyGradients([{ name: s.b.name, tensor: g }])).toThrow(new RegExp(`gradient of '${s.b.name}' has shape \\[3\\] but the variable has shape \\[2\\]`));
    g.dispose();
    s.done();
  });

  it('non-float32 gradient', () => {
    const s = setup({});
    const g = tf.tensor([1, 2], [2], 'int32');
    expect(() => s.opt.applyGradients([{ name: s.b.name, tensor: g }])).toThrow(new RegExp(`'${s.b.name}' must be float32 \\(variable float32, gradient int32\\)`));
    g.dispose();
    s.done();
  });

  it('unknown variable name', () => {
    const s = setup({});
    const g = tf.tensor([1, 2], [2]);
    expect(() => s.opt.applyGradients({ 'no/such/var': g })).toThrow("applyGradients: unknown variable 'no/such/var' (not a registered tf.Variable)");
    expect(() => s.opt.applyGradients([{ name: s.b.name, tensor: 'x' as unknown as tf.Tensor }])).toThrow(/is not a tf.Tensor/);
    g.dispose();
    s.done();
  });

  it('a different variable list on a later step: foreign variables throw, another order maps by identity, a subset updates only it', async () => {
    const s = setup({});
    s.step([0.1, 0.2, 0.3, 0.4], [0.1, 0.1]);
    const g = tf.tensor([1, 2], [2]);
    const stranger = makeVar([1, 2], [2], 'stranger');
    expect(() => s.opt.applyGradients([{ name: stranger.name, tensor: g }])).toThrow(new RegExp(`state belongs to the 2 variables of its first step .*holds no state for, or twice: ${stranger.name}.*call reset\\(\\)`));
    expect(s.opt.iterations).toBe(1);
    stranger.dispose();
    // The same variables in the other order: each keeps its own state (same result as the bound order).
    const twin = setup({});
    twin.step([0.1, 0.2, 0.3, 0.4], [0.1, 0.1]);
    const ga = [0.3, -0.1, 0.2, 0.5];
    const gb = [-0.2, 0.4];
    const swapped = [
      { name: s.b.name, tensor: tf.tensor(gb, [2]) },
      { name: s.a.name, tensor: tf.tensor(ga, [2, 2]) },
    ];
    s.opt.applyGradients(swapped);
    twin.step(ga, gb);
    expect(await s.snapshot()).toEqual({ ...(await twin.snapshot()), state: (await twin.snapshot()).state.map(([n, v]) => [String(n).replace(twin.a.name, s.a.name).replace(twin.b.name, s.b.name), v]) });
    swapped.forEach((x) => x.tensor.dispose());
    // Only b (a frozen): a keeps its values and state, as with a null gradient.
    const aBefore = Array.from(s.a.dataSync());
    s.opt.applyGradients([{ name: s.b.name, tensor: g }]);
    twin.opt.applyGradients([{ name: twin.a.name, tensor: null as unknown as tf.Tensor }, { name: twin.b.name, tensor: g }]);
    expect(Array.from(s.a.dataSync())).toEqual(aBefore);
    expect((await s.snapshot()).params).toEqual((await twin.snapshot()).params);
    g.dispose();
    s.done();
    twin.done();
  });

  it('bad per-step batch size', () => {
    const s = setup({});
    const g = [{ name: s.b.name, tensor: tf.tensor([1, 2], [2]) }];
    expect(() => s.opt.applyGradients(g, { batchSize: 0 })).toThrow(/^applyGradients batchSize: expected an integer >= 1, got 0$/);
    g[0].tensor.dispose();
    s.done();
  });

  it('getConfig with a function learning rate explains how to serialise', () => {
    const opt = new SGD({ lr: (t) => 0.1 / (t + 1) });
    expect(() => opt.getConfig()).toThrow(/option 'lr' is a function and cannot be serialised; use a schedule object/);
  });

  it('a schedule function returning a bad value names the step', () => {
    const opt = new SGD({ lr: (t) => (t < 1 ? 0.1 : NaN) });
    const p = makeVar([1], [1]);
    const step = () => {
      const g = tf.tensor([1], [1]);
      try {
        opt.applyGradients([{ name: p.name, tensor: g }]);
      } finally {
        g.dispose();
      }
    };
    step();
    expect(() => step()).toThrow(/^lr\(1\): expected a finite number >= 0 from the schedule function, got NaN$/);
    p.dispose();
    opt.dispose();
  });
});
