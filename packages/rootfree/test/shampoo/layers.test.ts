import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { Shampoo } from '../../src/index.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../../src/backend/setup.js';
import { allowLayersOnWasm, rng } from '../core/helpers.js';

function toyData(n: number, seed: number): { x: tf.Tensor2D; y: tf.Tensor2D } {
  const r = rng(seed);
  const xs = r.normals(n * 4);
  const ys: number[] = [];
  for (let i = 0; i < n; i++) {
    const [a, b, c, d] = xs.slice(4 * i, 4 * i + 4);
    ys.push(Math.tanh(0.8 * a - 0.5 * b + 0.3 * c), 0.5 * a * d - 0.2 * c);
  }
  return { x: tf.tensor2d(xs, [n, 4]), y: tf.tensor2d(ys, [n, 2]) };
}

describe.each(['cpu', 'wasm'] as const)('Shampoo with tfjs-layers on %s', (backend) => {
  beforeAll(async () => {
    await useBackend(backend);
    allowLayersOnWasm();
  });

  it('model.fit trains a small Dense model (loss falls by > 2x) without leaking', async () => {
    const { x, y } = toyData(64, 1);
    const model = tfl.sequential();
    model.add(tfl.layers.dense({ units: 16, inputShape: [4], activation: 'tanh', kernelInitializer: tfl.initializers.glorotUniform({ seed: 3 }) }));
    model.add(tfl.layers.dense({ units: 2, kernelInitializer: tfl.initializers.glorotUniform({ seed: 4 }) }));
    const opt = new Shampoo({ lr: 0.05, epsilon: 1e-6, preconditionFrequency: 4, grafting: 'adam', graftingBeta2: 0.99, graftingEpsilon: 1e-8, mergeDims: false });
    model.compile({ optimizer: opt, loss: 'meanSquaredError' });
    const h = await model.fit(x, y, { epochs: 30, batchSize: 16, shuffle: false, verbose: 0 });
    const loss = h.history.loss as number[];
    expect(loss.every(Number.isFinite)).toBe(true);
    expect(loss[loss.length - 1]).toBeLessThan(0.5 * loss[0]);
    expect(opt.iterations).toBe(30 * 4);
    const before = tf.memory().numTensors;
    await model.fit(x, y, { epochs: 2, batchSize: 16, shuffle: false, verbose: 0 });
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
    opt.dispose();
    tf.dispose([x, y]);
  });

  it("is registered as 'RootfreeShampoo' and round-trips its config", () => {
    const entry = tf.serialization.SerializationMap.getMap().classNameMap.RootfreeShampoo;
    expect(entry[0]).toBe(Shampoo);
    const opt = new Shampoo({ lr: 0.03, grafting: 'rmsprop', graftingBeta2: 0.9, exponentOverride: [2, 4], preconditionerPrecision: 'bfloat16', rootMethod: 'newton' });
    const back = entry[1](entry[0], { ...opt.getConfig(), customObjects: {} }) as Shampoo;
    expect(back).toBeInstanceOf(Shampoo);
    expect(back.options).toEqual(opt.options);
    opt.dispose();
    back.dispose();
  });
});
