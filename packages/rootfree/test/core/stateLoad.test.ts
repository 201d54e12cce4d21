import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../../src/backend/setup.js';
import { IFShampoo, RFAdamW, SGD, StateError, type RootfreeOptimizer } from '../../src/index.js';
import type { NamedTensor } from '../../src/tfjs/gradients.js';
import { makeVar, randomProblem, type Problem } from './helpers.js';

function stepAll(opt: RootfreeOptimizer<any>, vars: tf.Variable[], prob: Problem, from: number, to: number): void {
  for (let t = from; t < to; t++) {
    const grads = vars.map((v, i) => ({ name: v.name, tensor: tf.tensor(prob.grads[t][i], prob.shapes[i]) }));
    try {
      opt.applyGradients(grads);
    } finally {
      grads.forEach((g) => g.tensor.dispose());
    }
  }
}

/** Values of everything an optimizer holds: iterations, every state entry, the parameters. */
async function snapshot(opt: RootfreeOptimizer<any>, vars: tf.Variable[]): Promise<unknown> {
  const w = await opt.getWeights();
  return { it: opt.iterations, state: w.map((x) => [x.name, x.tensor.shape, Array.from(x.tensor.dataSync())]), params: vars.map((v) => Array.from(v.dataSync())) };
}

/** A trained optimizer's getWeights list, cloned (owned by the caller). */
async function trained(make: () => RootfreeOptimizer<any>, prob: Problem, steps: number): Promise<NamedTensor[]> {
  const opt = make();
  const vars = prob.shapes.map((s, i) => makeVar(prob.init[i], s));
  stepAll(opt, vars, prob, 0, steps);
  const list = (await opt.getWeights()).map((w) => ({ name: w.name, tensor: w.tensor.clone() }));
  opt.dispose();
  vars.forEach((v) => v.dispose());
  return list;
}

type Corrupt = (w: NamedTensor[]) => NamedTensor[];
const replace = (w: NamedTensor[], i: number, t: tf.Tensor): NamedTensor[] => w.map((x, k) => (k === i ? { name: x.name, tensor: t } : x));

describe.each(['cpu', 'wasm'] as const)('setWeights is all or nothing on %s', (backend) => {
  beforeAll(async () => {
    await useBackend(backend);
  });

  // RFAdamW over [4,3] and [4]: iter, 0/…/m, 0/…/v, 0/…/count, 1/…/m, 1/…/v, 1/…/count.
  const cases: Array<[string, Corrupt, RegExp]> = [
    ['a slot missing', (w) => w.filter((_, i) => i !== 5), /the saved slots \[m\] differ from this optimizer's \[m, v\]/],
    ['only iter', (w) => w.slice(0, 1), /holds only 'iter' \(= 3\) but no per-parameter state/],
    ['a unit missing', (w) => w.slice(0, 4), /saved state has 1 parameter units but this model has 2/],
    ['a later slot with the wrong shape', (w) => replace(w, 5, tf.zeros([3])), /has shape \[3\] but the state slot 'v' of unit 1/],
    ['a non-finite value', (w) => replace(w, 5, tf.tensor([0, 0, NaN, 0])), /holds a non-finite value \(entry 2\); refusing to load diverged state/],
    ['an int32 slot', (w) => replace(w, 5, tf.zeros([4], 'int32')), /has dtype int32; state is float32/],
    ['a count above iter', (w) => replace(w, 6, tf.scalar(4)), /count' must be an integer in \[0, 3\]/],
    ['a fractional count', (w) => replace(w, 3, tf.scalar(1.5)), /count' must be an integer in \[0, 3\]/],
    ['a negative iter', (w) => replace(w, 0, tf.scalar(-1, 'int32')), /'iter' must be an integer in \[0, ∞\]/],
    ['a duplicated slot', (w) => [...w.slice(0, 3), w[2], ...w.slice(3)], /appears twice/],
    ['units out of order', (w) => [w[0], ...w.slice(4), ...w.slice(1, 4)], /out of order/],
    ['a badly named entry', (w) => [...w.slice(0, 1), { name: 'm', tensor: w[1].tensor }, ...w.slice(2)], /is not named '<unit>\/<parameters>\/<slot>'/],
  ];

  it.each(cases)('rejects %s on a bound optimizer, changes nothing, and every step fails until a valid load or reset()', async (_n, corrupt, msg) => {
    const prob = randomProblem(21, 8);
    const make = () => new RFAdamW({ lr: 0.01, batchSize: 4 });
    const good = await trained(make, prob, 3);
    const opt = make();
    const vars = prob.shapes.map((s, i) => makeVar(prob.init[i], s));
    stepAll(opt, vars, prob, 0, 5);
    const before = await snapshot(opt, vars);
    const bad = corrupt(good);
    const n = tf.memory().numTensors;
    await expect(opt.setWeights(bad)).rejects.toThrow(msg);
    await expect(opt.setWeights(bad)).rejects.toBeInstanceOf(StateError);
    expect(await snapshot(opt, vars)).toEqual(before);
    expect(tf.memory().numTensors).toBeLessThanOrEqual(n + 1);
    expect(() => stepAll(opt, vars, prob, 5, 6)).toThrow(/the last setWeights failed .*every step fails until setWeights succeeds or reset\(\) is called/);
    expect(await snapshot(opt, vars)).toEqual(before);
    // A valid list then works and training continues from it.
    await opt.setWeights(good);
    expect(opt.iterations).toBe(3);
    stepAll(opt, vars, prob, 3, 4);
    expect(opt.iterations).toBe(4);
    // reset() is the other way out: fresh state, iterations 0.
    await expect(opt.setWeights(corrupt(good))).rejects.toThrow(msg);
    opt.reset();
    expect(opt.iterations).toBe(0);
    stepAll(opt, vars, prob, 0, 1);
    expect(opt.iterations).toBe(1);
    expect((await opt.getWeights()).find((w) => w.name.endsWith('/count'))!.tensor.dataSync()[0]).toBe(1);
    good.forEach((w) => w.tensor.dispose());
    vars.forEach((v) => v.dispose());
    opt.dispose();
  });

  it.each(cases.filter(([n]) => n !== 'a slot missing' && n !== 'a unit missing' && n !== 'a later slot with the wrong shape'))('rejects %s before the first step too (structural checks need no variables)', async (_n, corrupt, msg) => {
    const prob = randomProblem(22, 4);
    const make = () => new RFAdamW({ lr: 0.01, batchSize: 4 });
    const good = await trained(make, prob, 3);
    const opt = make();
    await expect(opt.setWeights(corrupt(good))).rejects.toThrow(msg);
    expect(opt.iterations).toBe(0);
    const vars = prob.shapes.map((s, i) => makeVar(prob.init[i], s));
    expect(() => stepAll(opt, vars, prob, 0, 1)).toThrow(/the last setWeights failed/);
    expect(vars.map((v) => Array.from(v.dataSync()))).toEqual(prob.init);
    good.forEach((w) => w.tensor.dispose());
    vars.forEach((v) => v.dispose());
    opt.dispose();
  });

  it('state saved for another architecture: every step fails (no silent fresh start) until reset() or a fitting model', async () => {
    const prob = randomProblem(23, 4);
    const good = await trained(() => new SGD({ lr: 0.1, momentum: 0.9 }), prob, 2);
    const opt = new SGD({ lr: 0.1, momentum: 0.9 });
    await opt.setWeights(good);
    const other: Problem = { shapes: [[2, 3], [2]], init: [[1, 2, 3, 4, 5, 6], [1, 2]], grads: [[[0.1, 0.2, 0.3, 0.4, 0.5, 0.6], [0.1, 0.2]]] };
    const wrong = other.shapes.map((s, i) => makeVar(other.init[i], s));
    for (let k = 0; k < 3; k++) {
      expect(() => stepAll(opt, wrong, other, 0, 1)).toThrow(/has shape \[4,3\] but the state slot 'momentum' of unit 0 .* has shape \[2,3\]/);
      expect(opt.iterations).toBe(2);
      expect(wrong.map((v) => Array.from(v.dataSync()))).toEqual(other.init);
    }
    // Still pending: the fitting model picks it up (same result as loading into it directly).
    const right = prob.shapes.map((s, i) => makeVar(prob.init[i], s));
    stepAll(opt, right, prob, 2, 3);
    expect(opt.iterations).toBe(3);
    const ref = new SGD({ lr: 0.1, momentum: 0.9 });
    await ref.setWeights(good);
    const refVars = prob.shapes.map((s, i) => makeVar(prob.init[i], s));
    stepAll(ref, refVars, prob, 2, 3);
    expect(right.map((v) => Array.from(v.dataSync()))).toEqual(refVars.map((v) => Array.from(v.dataSync())));
    // Other-architecture state, then reset(): the other model trains from fresh state.
    const again = new SGD({ lr: 0.1, momentum: 0.9 });
    await again.setWeights(good);
    expect(() => stepAll(again, wrong, other, 0, 1)).toThrow(/has shape \[4,3\]/);
    again.reset();
    stepAll(again, wrong, other, 0, 1);
    expect(again.iterations).toBe(1);
    good.forEach((w) => w.tensor.dispose());
    [...wrong, ...right, ...refVars].forEach((v) => v.dispose());
    [opt, ref, again].forEach((o) => o.dispose());
  });

  it('IF-Shampoo state saved with other options (alpha2 = 0: no momenta) is rejected naming the slots', async () => {
    const prob = randomProblem(24, 3, [[3, 4]]);
    const good = await trained(() => new IFShampoo({ lr: 0.01, alpha2: 0 }), prob, 2);
    const opt = new IFShampoo({ lr: 0.01, alpha2: 0.5 });
    await opt.setWeights(good);
    const vars = prob.shapes.map((s, i) => makeVar(prob.init[i], s));
    expect(() => stepAll(opt, vars, prob, 2, 3)).toThrow(/unit 0 .*the saved slots \[K0_\w+, K1_\w+, buf0\] differ from this optimizer's \[K0_\w+, K1_\w+, m0_\w+, m1_\w+, buf0\]/);
    good.forEach((w) => w.tensor.dispose());
    vars.forEach((v) => v.dispose());
    opt.dispose();
  });

  it("a fresh optimizer's list (only iter = 0) loads and means fresh state", async () => {
    const fresh = new SGD({ lr: 0.1, momentum: 0.9 });
    const list = (await fresh.getWeights()).map((w) => ({ name: w.name, tensor: w.tensor.clone() }));
    expect(list.map((w) => w.name)).toEqual(['iter']);
    const prob = randomProblem(25, 4);
    const opt = new SGD({ lr: 0.1, momentum: 0.9 });
    const vars = prob.shapes.map((s, i) => makeVar(prob.init[i], s));
    stepAll(opt, vars, prob, 0, 2);
    await opt.setWeights(list);
    expect(opt.iterations).toBe(0);
    expect((await opt.getWeights()).map((w) => w.name.replace(/^\d+\/[^/]+\//, ''))).toEqual(['iter', 'count', 'count']);
    list.forEach((w) => w.tensor.dispose());
    vars.forEach((v) => v.dispose());
    [fresh, opt].forEach((o) => o.dispose());
  });
});

describe.each(['cpu', 'wasm'] as const)('state is bound to variables by identity on %s', (backend) => {
  beforeAll(async () => {
    await useBackend(backend);
  });

  it('a second model of the same shapes is rejected, naming the variables; after reset() it trains from fresh state', async () => {
    const prob = randomProblem(26, 4);
    const opt = new RFAdamW({ lr: 0.01 });
    const a = prob.shapes.map((s, i) => makeVar(prob.init[i], s, 'modelA'));
    const b = prob.shapes.map((s, i) => makeVar(prob.init[i], s, 'modelB'));
    stepAll(opt, a, prob, 0, 2);
    const before = await snapshot(opt, a);
    expect(() => stepAll(opt, b, prob, 2, 3)).toThrow(new RegExp(`state belongs to the 2 variables of its first step \\(${a[0].name}, ${a[1].name}\\); got variables it holds no state for, or twice: ${b[0].name}, ${b[1].name}\\.`));
    expect(await snapshot(opt, a)).toEqual(before);
    expect(b.map((v) => Array.from(v.dataSync()))).toEqual(prob.init);
    // One variable of each model: also rejected.
    expect(() => stepAll(opt, [a[0], b[1]], prob, 2, 3)).toThrow(new RegExp(`got variables it holds no state for, or twice: ${b[1].name}\\.`));
    // The same variable twice.
    expect(() => stepAll(opt, [a[0], a[0]], { ...prob, shapes: [prob.shapes[0], prob.shapes[0]], grads: [[prob.grads[0][0], prob.grads[0][0]]] }, 0, 1)).toThrow(/holds no state for, or twice: /);
    opt.reset();
    stepAll(opt, b, prob, 0, 1);
    const ref = new RFAdamW({ lr: 0.01 });
    const c = prob.shapes.map((s, i) => makeVar(prob.init[i], s));
    stepAll(ref, c, prob, 0, 1);
    expect(b.map((v) => Array.from(v.dataSync()))).toEqual(c.map((v) => Array.from(v.dataSync())));
    [...a, ...b, ...c].forEach((v) => v.dispose());
    opt.dispose();
    ref.dispose();
  });

  it('IF-Shampoo: the variables in another order keep their own state (combined units included)', async () => {
    const prob = randomProblem(27, 4, [[3, 4], [4], [5]]);
    let layer = 0;
    const run = async (perm: number[]) => {
      const opt = new IFShampoo({ lr: 0.05, combineParams: ['denseWeightBias', 'perParameter'] });
      const id = `L${++layer}x${Math.random().toString(36).slice(2, 8)}`;
      const names = [`${id}/kernel`, `${id}/bias`, `${id}e/bias`];
      const vars = prob.shapes.map((s, i) => tf.variable(tf.tensor(prob.init[i], s), true, names[i]));
      for (let t = 0; t < prob.grads.length; t++) {
        const order = t === 0 ? [0, 1, 2] : perm;
        const grads = order.map((i) => ({ name: vars[i].name, tensor: tf.tensor(prob.grads[t][i], prob.shapes[i]) }));
        opt.applyGradients(grads);
        grads.forEach((g) => g.tensor.dispose());
      }
      const units = (await opt.getWeights()).filter((w) => w.name.endsWith('/count')).map((w) => w.name.split('/').length);
      expect(units.length).toBe(2); // kernel + bias combined, the other bias alone
      const out = vars.map((v) => Array.from(v.dataSync()));
      vars.forEach((v) => v.dispose());
      opt.dispose();
      return out;
    };
    expect(await run([2, 0, 1])).toEqual(await run([0, 1, 2]));
  });
});
