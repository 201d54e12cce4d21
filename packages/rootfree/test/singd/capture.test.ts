import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { SINGD } from '../../src/index.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../../src/backend/setup.js';
import { allowLayersOnWasm, rng } from '../core/helpers.js';

function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  const x = a.dataSync();
  const y = b.dataSync();
  expect(x.length).toBe(y.length);
  let m = 0;
  for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs(x[i] - y[i]));
  return m;
}

const OPTS = { lr: 0.1, lrCov: 0.1, momentum: 0.9, alpha1: 0.5, damping: 1e-3, weightDecay: 1e-3, T: 1 } as const;

function data(n: number, d: number, k: number, seed: number): { x: tf.Tensor2D; y: tf.Tensor2D } {
  const r = rng(seed);
  const labels = Array.from({ length: n }, (_, i) => (i * 7 + seed) % k);
  return { x: tf.tensor2d(r.normals(n * d), [n, d]), y: tf.cast(tf.oneHot(tf.tensor1d(labels, 'int32'), k), 'float32') as tf.Tensor2D };
}

/** Copies of a model's weights as named variables (for the hand-written twin). */
function twinVars(model: tfl.LayersModel, tag: string): tf.Variable[] {
  return model.trainableWeights.map((w, i) => tf.variable(w.read().clone(), true, `${tag}_${i}_${Math.random().toString(36).slice(2)}`));
}

describe.each(['cpu', 'wasm'] as const)('SINGD statistics capture on %s', (backend) => {
  beforeAll(async () => {
    await useBackend(backend);
    allowLayersOnWasm();
  });

  it('model.fit with attach(model) equals feeding hand-derived inputs and output gradients', async () => {
    const { x, y } = data(16, 3, 3, 1);
    const model = tfl.sequential();
    model.add(tfl.layers.dense({ units: 4, inputShape: [3], activation: 'relu', kernelInitializer: tfl.initializers.glorotNormal({ seed: 5 }), biasInitializer: 'ones' }));
    model.add(tfl.layers.dense({ units: 3, activation: 'softmax', kernelInitializer: tfl.initializers.glorotNormal({ seed: 6 }) }));
    const [w1, b1, w2, b2] = twinVars(model, 'fitTwin');
    const opt = new SINGD(OPTS);
    expect(opt.attach(model)).toHaveLength(2);
    model.compile({ optimizer: opt, loss: 'categoricalCrossentropy' });
    await model.fit(x, y, { batchSize: 8, epochs: 1, shuffle: false, verbose: 0 });

    // The same two steps by hand: softmax + mean cross-entropy gives ∂ℓ/∂z2 = (p − y)/B.
    const ref = new SINGD(OPTS);
    ref.registerLayer({ name: 'l1', kind: 'dense', weight: w1.name, bias: b1.name });
    ref.registerLayer({ name: 'l2', kind: 'dense', weight: w2.name, bias: b2.name });
    for (let s = 0; s < 2; s++) {
      const t = tf.tidy(() => {
        const xb = tf.slice(x, [8 * s, 0], [8, 3]);
        const yb = tf.slice(y, [8 * s, 0], [8, 3]);
        const z1 = tf.add(tf.matMul(xb, w1), b1);
        const h = tf.relu(z1);
        const dz2 = tf.div(tf.sub(tf.softmax(tf.add(tf.matMul(h, w2), b2)), yb), 8);
        const dz1 = tf.mul(tf.matMul(dz2, w2, false, true), tf.step(z1));
        return { xb, h, dz1, dz2, g: [tf.matMul(xb, dz1, true), tf.sum(dz1, 0), tf.matMul(h, dz2, true), tf.sum(dz2, 0)] };
      });
      ref.setLayerStatistics('l1', { input: t.xb, gradOutput: t.dz1 });
      ref.setLayerStatistics('l2', { input: t.h, gradOutput: t.dz2 });
      ref.applyGradients([w1, b1, w2, b2].map((v, i) => ({ name: v.name, tensor: t.g[i] })));
      tf.dispose([t.xb, t.h, t.dz1, t.dz2, ...t.g]);
    }
    const got = model.trainableWeights.map((w) => w.read());
    [w1, b1, w2, b2].forEach((v, i) => expect(maxAbsDiff(got[i], v)).toBeLessThan(2e-6));
    opt.dispose();
    ref.dispose();
    tf.dispose([x, y, w1, b1, w2, b2]);
    model.dispose();
  });

  it('conv2d (same padding, stride 2) in tfjs-layers under tf.variableGrads equals capture() around tf.conv2d, with T = 2', () => {
    const r = rng(3);
    const x = tf.tensor4d(r.normals(4 * 5 * 5 * 2), [4, 5, 5, 2]);
    const labels = tf.cast(tf.oneHot(tf.tensor1d([0, 2, 1, 2], 'int32'), 3), 'float32');
    const model = tfl.sequential();
    model.add(tfl.layers.conv2d({ inputShape: [5, 5, 2], filters: 3, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu', kernelInitializer: tfl.initializers.glorotNormal({ seed: 7 }), biasInitializer: 'ones' }));
    model.add(tfl.layers.flatten());
    model.add(tfl.layers.dense({ units: 3, kernelInitializer: tfl.initializers.glorotNormal({ seed: 8 }) }));
    const [cw, cb, dw, db] = twinVars(model, 'convTwin');
    const o = { ...OPTS, T: 2, structures: ['dense', 'diagonal'] as [string, string] };
    const opt = new SINGD(o);
    opt.attach(model);
    const ref = new SINGD(o);
    ref.registerLayer({ name: 'c', kind: 'conv2d', weight: cw.name, bias: cb.name, strides: 2, padding: 'same' });
    ref.registerLayer({ name: 'd', kind: 'dense', weight: dw.name, bias: db.name });
    const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
    let before = 0;
    for (let s = 0; s < 3; s++) {
      // The optimizers' state variables appear at their first step.
      if (s === 1) before = tf.memory().numTensors;
      const a = tf.variableGrads(() => tf.losses.softmaxCrossEntropy(labels, model.apply(x, { training: true }) as tf.Tensor), vars);
      opt.applyGradients(vars.map((v) => ({ name: v.name, tensor: a.grads[v.name] })));
      const b = tf.variableGrads(() => {
        const z = ref.capture('c', x, () => tf.add(tf.conv2d(x, cw as tf.Tensor4D, 2, 'same'), cb));
        const h = tf.reshape(tf.relu(z), [4, -1]);
        return tf.losses.softmaxCrossEntropy(labels, ref.capture('d', h, () => tf.add(tf.matMul(h, dw as tf.Tensor2D), db)));
      }, [cw, cb, dw, db]);
      ref.applyGradients([cw, cb, dw, db].map((v) => ({ name: v.name, tensor: b.grads[v.name] })));
      tf.dispose([a.value, b.value, ...Object.values(a.grads), ...Object.values(b.grads)]);
    }
    expect(tf.memory().numTensors).toBe(before);
    [cw, cb, dw, db].forEach((v, i) => expect(maxAbsDiff(vars[i], v)).toBeLessThan(2e-6));
    opt.dispose();
    ref.dispose();
    tf.dispose([x, labels, cw, cb, dw, db]);
    model.dispose();
  });

  it('predict and evaluate outside a tape capture nothing; an update step without statistics names the layer', () => {
    const model = tfl.sequential();
    model.add(tfl.layers.dense({ units: 2, inputShape: [3] }));
    const opt = new SINGD({ T: 1 });
    opt.attach(model);
    const x = tf.ones([2, 3]);
    tf.dispose(model.predict(x) as tf.Tensor);
    const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
    const grads = vars.map((v) => ({ name: v.name, tensor: tf.onesLike(v) }));
    expect(() => opt.applyGradients(grads)).toThrow(/no statistics for layer 'dense_\w+' at step 0/);
    tf.dispose([x, ...grads.map((g) => g.tensor)]);
    opt.dispose();
    model.dispose();
  });
});

describe('SINGD options and layers are validated', () => {
  it.each([
    [{ weight_decay: 0.1 }, /weight_decay.*did you mean 'weightDecay'/],
    [{ structures: ['dense', 'nope'] }, /structures\[1\]/],
    [{ lrCov: -1 }, /lrCov/],
    [{ kfacApprox: 'mean' }, /kfacApprox.*'expand' \| 'reduce'/],
    [{ lossAverage: 'sum' }, /lossAverage/],
    [{ T: 0 }, /^T: /],
    [{ preconditionerDtypes: ['bf16', 'int8'] }, /preconditionerDtypes\[1\]/],
  ])('%j is rejected', (opts, re) => {
    expect(() => new SINGD(opts as never)).toThrow(re);
  });

  it('registerLayer rejects bad specs and double registration', () => {
    const opt = new SINGD();
    expect(() => opt.registerLayer({ name: 'a', kind: 'dense', weight: 'w', strides: 2 } as never)).toThrow(/no strides/);
    expect(() => opt.registerLayer({ name: 'a', kind: 'conv2d', weight: 'w', padding: 'full' as never })).toThrow(/padding/);
    opt.registerLayer({ name: 'a', kind: 'dense', weight: 'w', bias: 'b' });
    expect(() => opt.registerLayer({ name: 'b', kind: 'dense', weight: 'w' })).toThrow(/already belongs to layer 'a'/);
    expect(() => opt.setLayerStatistics('zz', { a: tf.ones([1, 1]) as tf.Tensor2D, g: tf.ones([1, 1]) as tf.Tensor2D })).toThrow(/unknown layer 'zz'/);
    opt.dispose();
  });
});
