import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
// The library first: it installs the model.fit batch-size hook and registers the classes.
import { RFAdamW, RFRMSprop } from '../../src/index.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../../src/backend/setup.js';
import { allowLayersOnWasm, makeVar, maxAbsDiff, rng, stateSlot } from './helpers.js';

function toyData(n: number, seed: number): { x: tf.Tensor2D; y: tf.Tensor2D } {
  const r = rng(seed);
  const xs = r.normals(n * 3);
  // A fixed linear map plus a tanh: learnable by the 2-layer net.
  const ys: number[] = [];
  for (let i = 0; i < n; i++) {
    const [a, b, c] = xs.slice(3 * i, 3 * i + 3);
    ys.push(Math.tanh(0.8 * a - 0.5 * b + 0.3 * c), 0.5 * a * b);
  }
  return { x: tf.tensor2d(xs, [n, 3]), y: tf.tensor2d(ys, [n, 2]) };
}

function net(units = 8): tfl.Sequential {
  const m = tfl.sequential();
  m.add(tfl.layers.dense({ units, inputShape: [3], activation: 'tanh', kernelInitializer: tfl.initializers.glorotUniform({ seed: 3 }) }));
  m.add(tfl.layers.dense({ units: 2, kernelInitializer: tfl.initializers.glorotUniform({ seed: 4 }) }));
  return m;
}

describe.each(['cpu', 'wasm'] as const)('tfjs-layers integration on %s', (backend) => {
  beforeAll(async () => {
    await useBackend(backend);
    allowLayersOnWasm();
  });

  it('model.compile({optimizer: new RFAdamW}) + model.fit trains (loss falls)', async () => {
    const { x, y } = toyData(64, 1);
    const model = net();
    const opt = new RFAdamW({ lr: 0.02, beta1: 0.9, beta2: 0.99, weightDecay: 1e-4, batchSize: 16 });
    model.compile({ optimizer: opt, loss: 'meanSquaredError' });
    const h = await model.fit(x, y, { epochs: 40, batchSize: 16, shuffle: false, verbose: 0 });
    const loss = h.history.loss as number[];
    expect(loss.every(Number.isFinite)).toBe(true);
    expect(loss[loss.length - 1]).toBeLessThan(0.5 * loss[0]);
    expect(opt.iterations).toBe(40 * 4);
    model.dispose();
    opt.dispose();
    x.dispose();
    y.dispose();
  });

  it('model.fit reports each batch size (10 samples, batchSize 4 -> 4, 4, 2)', async () => {
    const seen: number[] = [];
    class Spy extends RFRMSprop {
      override setNextBatchSize(b: number): void {
        seen.push(b);
        super.setNextBatchSize(b);
      }
    }
    const { x, y } = toyData(10, 2);
    const model = net(4);
    const opt = new Spy({ lr: 0.01, batchSize: 64 });
    model.compile({ optimizer: opt, loss: 'meanSquaredError' });
    await model.fit(x, y, { epochs: 2, batchSize: 4, shuffle: false, verbose: 0 });
    expect(seen).toEqual([4, 4, 2, 4, 4, 2]);
    // trainOnBatch goes through the same hook.
    await model.trainOnBatch(tf.slice(x, 0, 3), tf.slice(y, 0, 3));
    expect(seen[seen.length - 1]).toBe(3);
    model.dispose();
    opt.dispose();
    x.dispose();
    y.dispose();
  });

  it('inside model.fit the optimizer uses the actual batch size (equals manual applyGradients with batchSize 4, 4, 2)', async () => {
    const { x, y } = toyData(10, 3);
    const opts = { lr: 0.05, alpha: 0.9, momentum: 0.5, damping: 1e-3, batchSize: 4 };

    const fitted = net(4);
    const fitOpt = new RFRMSprop(opts);
    fitted.compile({ optimizer: fitOpt, loss: 'meanSquaredError' });
    await fitted.fit(x, y, { epochs: 1, batchSize: 4, shuffle: false, verbose: 0 });

    const manual = async (sizes: number[]): Promise<number[][]> => {
      const m = net(4);
      const opt = new RFRMSprop(opts);
      const vars = m.trainableWeights.map((w) => w.read() as tf.Variable);
      let start = 0;
      for (const n of sizes) {
        const xb = tf.slice(x, start, n);
        const yb = tf.slice(y, start, n);
        const { value, grads } = tf.variableGrads(() => tf.mean(tf.mean(tf.square(tf.sub(m.apply(xb) as tf.Tensor, yb)), -1)) as tf.Scalar, vars);
        opt.applyGradients(vars.map((v) => ({ name: v.name, tensor: grads[v.name] })), { batchSize: n });
        [value, xb, yb, ...Object.values(grads)].forEach((t) => t.dispose());
        start += n;
      }
      const out = m.getWeights().map((w) => Array.from(w.dataSync()));
      m.dispose();
      opt.dispose();
      return out;
    };
    const got = fitted.getWeights().map((w) => Array.from(w.dataSync()));
    const right = await manual([4, 4, 2]);
    expect(maxAbsDiff(got, right)).toBeLessThan(1e-6);
    // The same batches but F = 4 on the last one (what a constant batch size would give).
    const constB = await (async () => {
      const m = net(4);
      const opt = new RFRMSprop(opts);
      const vars = m.trainableWeights.map((w) => w.read() as tf.Variable);
      for (const [start, n] of [[0, 4], [4, 4], [8, 2]]) {
        const xb = tf.slice(x, start, n);
        const yb = tf.slice(y, start, n);
        const { value, grads } = tf.variableGrads(() => tf.mean(tf.mean(tf.square(tf.sub(m.apply(xb) as tf.Tensor, yb)), -1)) as tf.Scalar, vars);
        opt.applyGradients(vars.map((v) => ({ name: v.name, tensor: grads[v.name] })));
        [value, xb, yb, ...Object.values(grads)].forEach((t) => t.dispose());
      }
      const out = m.getWeights().map((w) => Array.from(w.dataSync()));
      m.dispose();
      opt.dispose();
      return out;
    })();
    expect(maxAbsDiff(got, constB)).toBeGreaterThan(1e-4);
    fitted.dispose();
    fitOpt.dispose();
    x.dispose();
    y.dispose();
  });
});

describe('batch size outside model.fit', () => {
  beforeAll(async () => {
    await useBackend('cpu');
  });

  const step = (opt: RFRMSprop, v: tf.Variable, g: number[], options?: { batchSize?: number }) => {
    const t = tf.tensor(g, v.shape);
    opt.applyGradients([{ name: v.name, tensor: t }], options);
    t.dispose();
  };

  it('constructor value, per-step override, and the fallback B = 1', async () => {
    // alpha = 0.5, g = 1: v1 = 0.5·v0 + 0.5 with v0 = 1/B of the first step.
    const cases: Array<[Record<string, unknown>, { batchSize?: number } | undefined, number]> = [
      [{ batchSize: 8 }, undefined, 0.5 / 8 + 0.5],
      [{ batchSize: 8 }, { batchSize: 2 }, 0.5 / 2 + 0.5],
      [{}, undefined, 0.5 / 1 + 0.5],
      [{}, { batchSize: 32 }, 0.5 / 32 + 0.5],
    ];
    for (const [ctor, per, vWant] of cases) {
      const opt = new RFRMSprop({ lr: 1, alpha: 0.5, damping: 0, ...ctor });
      const p = makeVar([0], [1]);
      step(opt, p, [1], per);
      const v = (await stateSlot(opt, 'v'))[0][0];
      expect(v).toBeCloseTo(vWant, 6);
      // p1 = −lr·g/(F·v) with F the step's batch size.
      const F = per?.batchSize ?? (ctor.batchSize as number | undefined) ?? 1;
      expect(p.dataSync()[0]).toBeCloseTo(-1 / (F * vWant), 5);
      p.dispose();
      opt.dispose();
    }
  });

  it('the override applies to one step only', () => {
    const opt = new RFRMSprop({ lr: 1, alpha: 0.5, damping: 0, batchSize: 4 });
    const p = makeVar([0], [1]);
    step(opt, p, [1], { batchSize: 2 }); // v = 0.25 + 0.5 = 0.75, F = 2
    const p1 = p.dataSync()[0];
    expect(p1).toBeCloseTo(-1 / 1.5, 5);
    step(opt, p, [1]); // v = 0.375 + 0.5 = 0.875, F = 4
    expect(p.dataSync()[0] - p1).toBeCloseTo(-1 / 3.5, 5);
    p.dispose();
    opt.dispose();
  });
});
