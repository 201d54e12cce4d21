import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { useBackend } from '../../src/backend/setup.js';
import { AdamW, IFShampoo, NonFiniteError, RFAdamW, RFRMSprop, RMSprop, SGD, Shampoo, type RootfreeOptimizer } from '../../src/index.js';
import { makeVar, rng } from './helpers.js';

type Make = (o: Record<string, unknown>) => RootfreeOptimizer<any>;
const methods: Array<[string, Make]> = [
  ['SGD', (o) => new SGD({ lr: 0.1, momentum: 0.9, nesterov: true, ...o })],
  ['AdamW', (o) => new AdamW({ lr: 0.01, ...o })],
  ['RMSprop', (o) => new RMSprop({ lr: 0.01, centered: true, momentum: 0.5, ...o })],
  ['RFRMSprop', (o) => new RFRMSprop({ lr: 0.01, momentum: 0.9, batchSize: 4, ...o })],
  ['RFAdamW', (o) => new RFAdamW({ lr: 0.01, batchSize: 4, ...o })],
  ['IFShampoo', (o) => new IFShampoo({ lr: 0.01, batchSize: 4, ...o })],
  ['Shampoo', (o) => new Shampoo({ lr: 0.01, ...o })],
];
const SHAPES = [[3, 4], [5]];

function setup(make: Make, o: Record<string, unknown>) {
  const opt = make(o);
  const vars = SHAPES.map((s) => makeVar(rng(7).normals(s[0] * (s[1] ?? 1)), s));
  let t = 0;
  /** The gradients of step t are a function of t alone (a rejected step does not shift later ones). */
  const step = (scaleB = 1, valueB?: number) => {
    const r = rng(100 + (valueB === undefined ? t++ : 999));
    const gs = SHAPES.map((s, i) => {
      const n = s[0] * (s[1] ?? 1);
      const vals = r.normals(n, 0.5).map((x) => (i === 1 ? (valueB ?? x * scaleB) : x));
      return { name: vars[i].name, tensor: tf.tensor(vals, s) };
    });
    try {
      opt.applyGradients(gs);
    } finally {
      gs.forEach((g) => g.tensor.dispose());
    }
  };
  const snapshot = async () => ({
    it: opt.iterations,
    params: vars.map((v) => Array.from(v.dataSync())),
    state: (await opt.getWeights()).map((w) => [w.name, Array.from(w.tensor.dataSync())]),
  });
  const done = () => {
    vars.forEach((v) => v.dispose());
    opt.dispose();
  };
  return { opt, vars, step, snapshot, done };
}

describe.each(['cpu', 'wasm'] as const)('a step is all or nothing on %s', (backend) => {
  beforeAll(async () => {
    await useBackend(backend);
  });

  describe.each([true, false])('fused: %s', (fused) => {
    it.each(methods)("%s: finite gradients whose update overflows in the second variable throw a NonFiniteError naming it; nothing changes (first variable included)", async (_n, make) => {
      const s = setup(make, { fused });
      const twin = setup(make, { fused });
      for (let t = 0; t < 3; t++) {
        s.step();
        twin.step();
      }
      const before = await s.snapshot();
      const n = tf.memory().numTensors;
      let err: unknown;
      try {
        s.step(1, 3e38);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(NonFiniteError);
      expect((err as Error).message).toContain(`'${s.vars[1].name}'`);
      expect((err as Error).message).not.toContain(`'${s.vars[0].name}'`);
      expect((err as Error).message).toMatch(/(step 3: .*although its gradient is finite|the method's own arithmetic, \w+ step 3\)).*no state was changed/);
      expect(await s.snapshot()).toEqual(before);
      expect(tf.memory().numTensors).toBe(n);
      // The twin never saw the bad step: the next good steps agree bit for bit.
      for (let t = 0; t < 2; t++) {
        s.step();
        twin.step();
      }
      const a = await s.snapshot();
      const b = await twin.snapshot();
      expect(a.params).toEqual(b.params);
      expect(a.state.map(([, v]) => v)).toEqual(b.state.map(([, v]) => v));
      expect(a.it).toBe(5);
      s.done();
      twin.done();
    });

    it.each(methods)("%s: nonFinite 'skip' skips such a step with nothing changed", async (_n, make) => {
      const s = setup(make, { fused, nonFinite: 'skip' });
      s.step();
      const before = await s.snapshot();
      s.step(1, 3e38);
      expect(await s.snapshot()).toEqual(before);
      s.step();
      expect(s.opt.iterations).toBe(2);
      s.done();
    });

    it.each(methods)('%s: a failing first step leaves no state behind', async (_n, make) => {
      const s = setup(make, { fused });
      const fresh = await s.snapshot();
      expect(() => s.step(1, 3e38)).toThrow(NonFiniteError);
      // Bound to the variables now, but no state slots and every unit at count 0.
      const after = await s.snapshot();
      expect(after.params).toEqual(fresh.params);
      expect(after.it).toBe(0);
      expect(after.state.filter(([name]) => !String(name).endsWith('/count')).map(([name]) => name)).toEqual(['iter']);
      expect(after.state.filter(([name]) => String(name).endsWith('/count')).map(([, v]) => v)).toEqual([[0], [0]]);
      s.step();
      expect(s.opt.iterations).toBe(1);
      s.done();
    });
  });

  it('IF-Shampoo: finite gradients of 1e20 no longer turn the parameters NaN silently', () => {
    const s = setup(methods[5][1], {});
    s.step();
    const before = s.vars.map((v) => Array.from(v.dataSync()));
    expect(() => s.step(1, 1e20)).toThrow(new RegExp(`'${s.vars[1].name}' gives NaN or Inf in .* although its gradient is finite \\(max \\|g\\| = 1000000020\\d+\\)`));
    expect(s.vars.map((v) => Array.from(v.dataSync()))).toEqual(before);
    s.vars.forEach((v) => expect(Array.from(v.dataSync()).every(Number.isFinite)).toBe(true));
    s.done();
  });

  it.each([true, false])('IF-Shampoo with float16 factors (fused: %s): the step whose factors overflow fp16 throws, not the next one', async (fused) => {
    const s = setup(methods[5][1], { fused, preconditionerDtypes: 'float16' });
    s.step();
    const before = await s.snapshot();
    // 300² = 9e4 > 65504 (fp16 max): the factor update overflows on this step.
    expect(() => s.step(1, 300)).toThrow(new RegExp(`step 1: the update of '${s.vars[1].name}' gives NaN or Inf in .*no state was changed`));
    expect(await s.snapshot()).toEqual(before);
    const after = await s.snapshot();
    expect(after.state.every(([, v]) => (v as number[]).every(Number.isFinite))).toBe(true);
    s.step();
    expect(s.opt.iterations).toBe(2);
    s.done();
  });

  it('an exception inside a unit (not numerical) undoes the units before it and is rethrown as is', async () => {
    const s = setup(methods[5][1], {});
    s.step();
    const before = await s.snapshot();
    const method = (s.opt as any).method;
    const orig = method.apply;
    let calls = 0;
    const spy = vi.spyOn(method, 'apply').mockImplementation(function (this: unknown, ...args: unknown[]) {
      if (++calls === 2) throw new TypeError('boom');
      return orig.apply(this, args);
    });
    const spy2 = vi.spyOn(method, 'applyInPlace').mockReturnValue(false);
    expect(() => s.step()).toThrow(TypeError);
    expect(calls).toBe(2);
    expect(await s.snapshot()).toEqual(before);
    spy.mockRestore();
    spy2.mockRestore();
    s.done();
  });
});
