import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';
import { batchNormTrain, FastBatchNorm } from '../../src/harness/models/batchNorm.js';
import { harnessBackend } from './helpers.js';

function values(shape: number[], seed: number, scale = 1, shift = 0): tf.Tensor {
  return tf.add(tf.mul(tf.randomNormal(shape, 0, 1, 'float32', seed), scale), shift);
}

async function maxDiff(a: tf.Tensor, b: tf.Tensor): Promise<number> {
  return (await tf.max(tf.abs(tf.sub(a, b))).data())[0];
}

const cases: Array<{ backend: 'wasm' | 'cpu'; shape: number[] }> = [
  { backend: 'wasm', shape: [8, 5, 5, 3] },
  { backend: 'cpu', shape: [8, 5, 5, 3] },
  { backend: 'wasm', shape: [16, 6] },
];

describe('FastBatchNorm', () => {
  for (const { backend, shape } of cases) {
    it(`${backend} ${shape}: closed-form gradients equal autodiff through tf.moments + tf.batchNorm`, async () => {
      await harnessBackend(backend);
      const c = shape[shape.length - 1];
      const axes = shape.slice(0, -1).map((_, i) => i);
      const [x, gamma, beta, r] = [values(shape, 5, 2, 0.7), values([c], 1, 0.5, 1), values([c], 2, 0.5), values(shape, 6)];
      const ours = tf.grads((xi: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(batchNormTrain(xi, g, b, 1e-3, axes).y, r)))([x, gamma, beta]);
      const ref = tf.grads((xi: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => {
        const { mean, variance } = tf.moments(xi, axes);
        return tf.sum(tf.mul(tf.batchNorm(xi, mean, variance, b, g, 1e-3), r));
      })([x, gamma, beta]);
      for (let i = 0; i < 3; i++) expect(await maxDiff(ours[i], ref[i]), `gradient ${['x', 'gamma', 'beta'][i]}`).toBeLessThan(1e-4);
      const { y, mean, variance } = batchNormTrain(x, gamma, beta, 1e-3, axes);
      const m = tf.moments(x, axes);
      expect(await maxDiff(y, tf.batchNorm(x, m.mean, m.variance, beta, gamma, 1e-3))).toBeLessThan(1e-5);
      expect(await maxDiff(mean, m.mean)).toBeLessThan(1e-6);
      expect(await maxDiff(variance, m.variance)).toBeLessThan(1e-5);
    });
  }

  it('as a layer: same outputs and moving statistics as tf.layers.batchNormalization (training, then inference)', async () => {
    await harnessBackend('wasm');
    const shape = [8, 4, 4, 3];
    const ours = new FastBatchNorm({ momentum: 0.9, epsilon: 1e-3 });
    const ref = tfl.layers.batchNormalization({ momentum: 0.9, epsilon: 1e-3 });
    ours.build(shape);
    ref.build(shape);
    const weights = [values([3], 1, 0.5, 1), values([3], 2, 0.5), values([3], 3, 0.1), tf.add(tf.abs(values([3], 4)), 0.5)];
    ours.setWeights(weights);
    ref.setWeights(weights);
    for (let step = 0; step < 3; step++) {
      const x = values(shape, 10 + step, 2, 0.7);
      expect(await maxDiff(ours.apply(x, { training: true }) as tf.Tensor, ref.apply(x, { training: true }) as tf.Tensor)).toBeLessThan(1e-5);
    }
    const [ow, rw] = [ours.getWeights(), ref.getWeights()];
    expect(await maxDiff(ow[2], rw[2]), 'moving mean').toBeLessThan(1e-6);
    expect(await maxDiff(ow[3], rw[3]), 'moving variance').toBeLessThan(1e-5);
    expect(await maxDiff(ow[3], weights[3]), 'moving variance moved').toBeGreaterThan(1e-2);
    const x = values(shape, 20);
    expect(await maxDiff(ours.apply(x, { training: false }) as tf.Tensor, ref.apply(x, { training: false }) as tf.Tensor)).toBeLessThan(1e-5);
  });

  it('does not leak tensors in a training step', async () => {
    await harnessBackend('wasm');
    const layer = new FastBatchNorm();
    layer.build([4, 3, 3, 2]);
    const x = values([4, 3, 3, 2], 7);
    const step = () => tf.tidy(() => {
      const g = tf.grads((xi: tf.Tensor) => tf.sum(tf.square(layer.apply(xi, { training: true }) as tf.Tensor)))([x]);
      return tf.sum(g[0]);
    });
    tf.dispose(step());
    const n = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) tf.dispose(step());
    expect(tf.memory().numTensors).toBe(n);
  });
});
