import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { useBackend } from '../../src/backend/setup.js';
import { AdamW, RFAdamW, RFRMSprop, RMSprop, SGD, type RootfreeOptimizer } from '../../src/index.js';
import { rfAdamWMethod } from '../../src/optim/rfAdamW.js';
import { bitMismatches, normals, ownVar } from './helpers.js';

type Ctor = new (o: Record<string, unknown>) => RootfreeOptimizer<any>;
const configs: Array<[string, Ctor, Record<string, unknown>]> = [
  ['SGD', SGD as unknown as Ctor, { lr: 0.05, momentum: 0.9, nesterov: true, weightDecay: 1e-3 }],
  ['AdamW', AdamW as unknown as Ctor, { lr: 0.01, amsgrad: true }],
  ['RMSprop', RMSprop as unknown as Ctor, { lr: 0.01, momentum: 0.5, centered: true }],
  ['RFRMSprop', RFRMSprop as unknown as Ctor, { lr: 0.01, momentum: 0.9, weightDecay: 0.01, batchSize: 16, stateDtype: 'bf16' }],
  ['RFAdamW', RFAdamW as unknown as Ctor, { lr: { type: 'cosine', value: 0.01, totalSteps: 12, warmupSteps: 3 }, biasCorrection: true, batchSize: 8 }],
];
const SHAPES = [[16, 9], [9], [3, 3, 2, 4]];

let counter = 0;
function makeVars(seed: number): tf.Variable[] {
  const rnd = normals(seed);
  return SHAPES.map((s) => {
    const v = tf.variable(tf.tensor(rnd(s.reduce((a, b) => a * b, 1)), s), true, `fusedtest_${++counter}`);
    return v;
  });
}

function step(opt: RootfreeOptimizer<any>, vars: tf.Variable[], rnd: (n: number) => Float32Array): void {
  const grads = vars.map((v) => ({ name: v.name, tensor: tf.tensor(rnd(v.size), v.shape) }));
  opt.applyGradients(grads);
  grads.forEach((g) => g.tensor.dispose());
}

describe.each(['cpu', 'wasm'] as const)('fused updates through the optimizer on %s', (backend) => {
  beforeAll(async () => {
    await useBackend(backend);
  });
  afterEach(() => {
    vi.restoreAllMocks();
  });

  // Many small tensors of odd sizes (SIMD remainder loops) in two parameter groups with different
  // options: on wasm they run as batched `many` calls, one per (kernel, scalars), at the end of
  // the step; the result must still equal the composite path bit for bit.
  it('60 small tensors in two groups: fused (batched on wasm) equals fused: false', () => {
    const sizes = Array.from({ length: 60 }, (_, i) => [1, 2, 3, 4, 5, 7, 8, 17, 64, 1023][i % 10]);
    const make = (): tf.Variable[] => {
      const rnd = normals(3);
      return sizes.map((n, i) => tf.variable(tf.tensor(rnd(n), [n]), true, `fusedmany_${++counter}_${i % 2 ? 'odd' : 'even'}`));
    };
    const a = make();
    const b = make();
    const options = { lr: 0.01, weightDecay: 0.01, paramGroups: [{ match: 'odd$', options: { lr: 0.03, beta1: 0.8 } }] };
    const fused = new AdamW(options);
    const plain = new AdamW({ ...options, fused: false });
    const ra = normals(5);
    const rb = normals(5);
    for (let t = 0; t < 6; t++) {
      step(fused, a, ra);
      step(plain, b, rb);
    }
    a.forEach((v, i) => expect(bitMismatches(v.dataSync() as Float32Array, b[i].dataSync() as Float32Array), `tensor ${i}`).toBe(0));
    [...a, ...b].forEach((v) => v.dispose());
    fused.dispose();
    plain.dispose();
  });

  it('when a unit throws mid-step, the units before it are undone (deferred work flushed, then restored)', async () => {
    const a = makeVars(11);
    const fused = new RFAdamW({ lr: 0.01 });
    const rnd = normals(13);
    step(fused, a, rnd);
    const method = (fused as any).method;
    const orig = method.applyInPlace.bind(method);
    let calls = 0;
    vi.spyOn(method, 'applyInPlace').mockImplementation((...args: unknown[]) => {
      if (++calls === 3) throw new Error('boom');
      return orig(...args);
    });
    const before = a.map((v) => (v.dataSync() as Float32Array).slice());
    const stateBefore = (await fused.getWeights()).map((w) => Array.from(w.tensor.dataSync()));
    const grads = a.map((v) => ({ name: v.name, tensor: tf.tensor(rnd(v.size), v.shape) }));
    expect(() => fused.applyGradients(grads)).toThrow('boom');
    grads.forEach((g) => g.tensor.dispose());
    expect(calls).toBe(3);
    const changed = a.map((v, i) => (v.dataSync() as Float32Array).some((x, k) => x !== before[i][k]));
    expect(changed).toEqual([false, false, false]);
    expect((await fused.getWeights()).map((w) => Array.from(w.tensor.dataSync()))).toEqual(stateBefore);
    expect(fused.iterations).toBe(1);
    a.forEach((v) => v.dispose());
    fused.dispose();
  });

  it.each(configs)('%s: fused (default) equals fused: false over 20 steps', (_n, Ctor, options) => {
    const a = makeVars(7);
    const b = makeVars(7);
    const fused = new Ctor({ ...options });
    const plain = new Ctor({ ...options, fused: false });
    const spy = vi.spyOn((fused as any).method, 'applyInPlace');
    const ra = normals(99);
    const rb = normals(99);
    for (let t = 0; t < 20; t++) {
      step(fused, a, ra);
      step(plain, b, rb);
    }
    // The first step may fall back (tf.variable(t) shares t's storage); later steps must be fused.
    expect(spy.mock.results.filter((r) => r.value === true).length).toBeGreaterThanOrEqual(19 * SHAPES.length);
    a.forEach((v, i) => expect(bitMismatches(v.dataSync() as Float32Array, b[i].dataSync() as Float32Array)).toBe(0));
    [...a, ...b].forEach((v) => v.dispose());
    fused.dispose();
    plain.dispose();
  });

  it("the caller's gradient survives a step that keeps it as state (SGD's first momentum buffer), fused or not", () => {
    const run = (fused: boolean): Float32Array => {
      const opt = new SGD({ lr: 0.1, momentum: 0.9, fused, nonFinite: 'none' });
      const v = tf.variable(tf.ones([8]), true, `keep_${fused}_${backend}`);
      const g = tf.linspace(-1, 1, 8);
      for (let i = 0; i < 3; i++) opt.applyGradients([{ name: v.name, tensor: g }]);
      expect(g.isDisposed).toBe(false);
      const out = Float32Array.from(v.dataSync());
      tf.dispose([v, g]);
      opt.dispose();
      return out;
    };
    // p3 = 1 − 0.1·g·(1 + 1.9 + 2.71): buffers g, 1.9g, 2.71g.
    const want = Float32Array.from(tf.tidy(() => tf.linspace(-1, 1, 8).dataSync()), (gi) => 1 - 0.1 * gi * 5.61);
    for (const fused of [true, false]) {
      const got = run(fused);
      got.forEach((x, i) => expect(Math.abs(x - want[i])).toBeLessThan(1e-6));
    }
  });

  it('does not leak tensors or bytes', () => {
    const vars = makeVars(3);
    const opt = new RFAdamW({ lr: 0.01, stateDtype: 'bf16', weightDecay: 0.1 });
    const rnd = normals(5);
    step(opt, vars, rnd);
    step(opt, vars, rnd);
    const before = tf.memory();
    for (let t = 0; t < 10; t++) step(opt, vars, rnd);
    const after = tf.memory();
    expect(after.numTensors).toBe(before.numTensors);
    expect(after.numBytes).toBe(before.numBytes);
    vars.forEach((v) => v.dispose());
    opt.dispose();
  });

  it('never writes into storage shared with another tensor', () => {
    const init = tf.tensor([1, 2, 3, 4]);
    const v = tf.variable(init, true, `fusedshared_${++counter}`); // shares init's storage
    const alias = tf.reshape(v, [2, 2]);
    const opt = new SGD({ lr: 0.5 });
    const spy = vi.spyOn((opt as any).method, 'applyInPlace');
    const g = tf.tensor([1, 1, 1, 1]);
    opt.applyGradients([{ name: v.name, tensor: g }]);
    expect(spy.mock.results[0].value).toBe(false);
    expect(Array.from(init.dataSync())).toEqual([1, 2, 3, 4]);
    expect(Array.from(alias.dataSync())).toEqual([1, 2, 3, 4]);
    expect(Array.from(v.dataSync())).toEqual([0.5, 1.5, 2.5, 3.5]);
    // After the composite step the variable owns fresh storage: fused from then on.
    opt.applyGradients([{ name: v.name, tensor: g }]);
    expect(spy.mock.results[1].value).toBe(true);
    expect(Array.from(v.dataSync())).toEqual([0, 1, 2, 3]);
    expect(Array.from(init.dataSync())).toEqual([1, 2, 3, 4]);
    [init, v, alias, g].forEach((t) => t.dispose());
    opt.dispose();
  });

  it('does not write into a caller-owned array behind tf.tensor', () => {
    const arr = new Float32Array([1, 2, 3]);
    const v = ownVar(tf.tensor(arr));
    const opt = new SGD({ lr: 1 });
    const g = tf.tensor([1, 1, 1]);
    opt.applyGradients([{ name: v.name, tensor: g }]);
    expect(Array.from(v.dataSync())).toEqual([0, 1, 2]);
    expect(Array.from(arr)).toEqual([1, 2, 3]);
    [v, g].forEach((t) => t.dispose());
    opt.dispose();
  });

  it('ops see the new parameter values (wasm caches packed matmul weights per tensor id)', () => {
    const w = ownVar(tf.tensor2d([[1, 2], [3, 4]]));
    const x = tf.tensor2d([[1, 0], [0, 1]]);
    const before = tf.tidy(() => tf.matMul(x, w).dataSync());
    expect(Array.from(before)).toEqual([1, 2, 3, 4]);
    const opt = new SGD({ lr: 1 });
    const g = tf.tensor2d([[1, 1], [1, 1]]);
    const spy = vi.spyOn((opt as any).method, 'applyInPlace');
    opt.applyGradients([{ name: w.name, tensor: g }]);
    expect(spy.mock.results[0].value).toBe(true);
    expect(Array.from(tf.tidy(() => tf.matMul(x, w).dataSync()))).toEqual([0, 1, 2, 3]);
    const conv = tf.tidy(() => tf.conv2d(tf.ones([1, 2, 2, 1]) as tf.Tensor4D, tf.reshape(w, [2, 2, 1, 1]) as tf.Tensor4D, 1, 'valid').dataSync());
    expect(Array.from(conv)).toEqual([6]);
    [w, x, g].forEach((t) => t.dispose());
    opt.dispose();
  });

  it('keeps the NaN policy on the fused path', () => {
    const vars = makeVars(11);
    const snapshot = vars.map((v) => Array.from(v.dataSync()));
    const bad = (i: number) => vars.map((v, k) => ({ name: v.name, tensor: tf.tidy(() => (k === i ? tf.fill(v.shape, NaN) : tf.onesLike(v))) }));
    const thrower = new RFAdamW({ lr: 0.1 });
    const grads = bad(2);
    expect(() => thrower.applyGradients(grads)).toThrow(vars[2].name);
    const skipper = new RFAdamW({ lr: 0.1, nonFinite: 'skip' });
    skipper.applyGradients(grads);
    grads.forEach((g) => g.tensor.dispose());
    const inf = vars.map((v, k) => ({ name: v.name, tensor: tf.tidy(() => (k === 0 ? tf.fill(v.shape, -Infinity) : tf.onesLike(v))) }));
    skipper.applyGradients(inf);
    inf.forEach((g) => g.tensor.dispose());
    vars.forEach((v, i) => expect(Array.from(v.dataSync())).toEqual(snapshot[i]));
    vars.forEach((v) => v.dispose());
    thrower.dispose();
    skipper.dispose();
  });

  it('fused: false never calls applyInPlace', () => {
    const spy = vi.spyOn(rfAdamWMethod, 'applyInPlace');
    const v = ownVar(tf.tensor([1, 2]));
    const opt = new RFAdamW({ lr: 0.1, fused: false });
    const g = tf.tensor([1, 1]);
    opt.applyGradients([{ name: v.name, tensor: g }]);
    expect(spy).not.toHaveBeenCalled();
    expect(opt.getConfig().fused).toBe(false);
    [v, g].forEach((t) => t.dispose());
    opt.dispose();
  });
});
