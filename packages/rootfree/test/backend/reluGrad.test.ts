import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { RELU_GRAD, registerReluGradKernel, unregisterReluGradKernel } from '../../src/backend/reluGradKernel.js';
import { randomValues } from './helpers.js';

/*
 * The Relu gradient through RootfreeReluGrad against tfjs's formula dy·step(x) computed with
 * tfjs ops on cpu, including zeros, NaN and ±Inf in x and dy (the kernel must agree bit for bit).
 */
const specials = [0, -0, NaN, Infinity, -Infinity, 1e-30, -1e-30];

function inputs(n: number): { x: Float32Array; dy: Float32Array } {
  const x = randomValues(n, 3);
  const dy = randomValues(n, 4);
  specials.forEach((v, i) => {
    x[i] = v;
    dy[specials.length + i] = v; // special dy against random x
    x[2 * specials.length + i] = -1;
    dy[2 * specials.length + i] = v; // special dy where x ≤ 0: dy·0
  });
  return { x, dy };
}

const same = (a: Float32Array, b: Float32Array) => a.every((v, i) => Object.is(v, b[i]) || (Number.isNaN(v) && Number.isNaN(b[i])) || (v === 0 && b[i] === 0));

describe('RootfreeReluGrad (Relu gradient in one pass)', () => {
  for (const backend of ['cpu', 'wasm']) {
    for (const shape of [[5, 7, 3], [64], [2, 3, 4, 5]]) {
      it(`${backend} ${JSON.stringify(shape)}: equals dy·step(x) from tfjs ops, special values included`, async () => {
        const n = shape.reduce((a, b) => a * b, 1);
        const { x, dy } = inputs(n);
        await tf.setBackend('cpu');
        const ref = tf.tidy(() => tf.mul(tf.tensor(dy, shape), tf.cast(tf.step(tf.tensor(x, shape)), 'float32')).dataSync() as Float32Array);
        await tf.setBackend(backend);
        registerReluGradKernel(backend);
        const before = tf.memory().numTensors;
        const got = tf.tidy(() => {
          const [g] = tf.grads((a: tf.Tensor) => tf.relu(a))([tf.tensor(x, shape)], tf.tensor(dy, shape));
          return g.dataSync() as Float32Array;
        });
        expect(tf.memory().numTensors).toBe(before);
        expect(same(got, ref)).toBe(true);
        // And the kernel really ran: the profile of the gradient lists it.
        const prof = await tf.profile(() => tf.tidy(() => void tf.grads((a: tf.Tensor) => tf.relu(a))([tf.tensor(x, shape)], tf.tensor(dy, shape))[0].dataSync()));
        expect(prof.kernels.map((k) => k.name)).toContain(RELU_GRAD);
      });
    }
  }

  it('falls back to tfjs\'s formula where the kernel is not registered', async () => {
    await tf.setBackend('wasm');
    registerReluGradKernel('wasm');
    unregisterReluGradKernel('wasm');
    const prof = await tf.profile(() => tf.tidy(() => void tf.grads((a: tf.Tensor) => tf.relu(a))([tf.tensor([1, -2, 3])])[0].dataSync()));
    const names = prof.kernels.map((k) => k.name);
    expect(names).not.toContain(RELU_GRAD);
    expect(names).toContain('Step');
    registerReluGradKernel('wasm');
  });
});
