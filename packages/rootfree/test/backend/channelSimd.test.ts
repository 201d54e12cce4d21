import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it } from 'vitest';
import { fusedBatchNormTrain, registerBatchNormKernels } from '../../src/backend/batchNormKernel.js';
import { channelSimd, channelSimdEnabled, poolSimdEnabled } from '../../src/backend/channelSimd.js';
import { registerWasmGradientKernels } from '../../src/backend/gradients/index.js';
import { registerReluGradKernel } from '../../src/backend/reluGradKernel.js';
import { randomValues } from './helpers.js';

/*
 * The wasm SIMD loops of the batch-norm and ReLU-gradient kernels against the scalar JS loops
 * they replace, bit for bit, on the wasm backend (the JS loops are checked against the cpu
 * composite in batchNorm.test.ts / reluGrad.test.ts, which also run on wasm, through SIMD where
 * the channel count is even). Shapes: channel counts 2…64, single rows, row counts that are not
 * multiples of anything, element counts that are not multiples of 4, a large offset, and NaN/Inf.
 */
const bnShapes = [[1, 2], [3, 2], [5, 7, 7, 6], [2, 9, 9, 16], [128, 3, 3, 32], [3, 5, 64], [1, 1, 1, 4]];

const bits = (a: Float32Array) => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));
/** Bitwise equal, except that any two NaNs are equal (their payloads are not part of the contract). */
function sameBits(got: Float32Array, want: Float32Array): boolean {
  if (got.length !== want.length) return false;
  const g = bits(got);
  const w = bits(want);
  return g.every((v, i) => v === w[i] || (Number.isNaN(got[i]) && Number.isNaN(want[i])));
}

function bnOnce(shape: number[], offset: number, simd: boolean): Float32Array[] {
  channelSimdEnabled.value = simd;
  const n = shape.reduce((a, b) => a * b, 1);
  const c = shape[shape.length - 1];
  return tf.tidy(() => {
    const x = tf.add(tf.tensor(randomValues(n, 21), shape), offset);
    const gamma = tf.add(tf.tensor1d(randomValues(c, 22)), 1) as tf.Tensor1D;
    const beta = tf.tensor1d(randomValues(c, 23)) as tf.Tensor1D;
    const r = tf.tensor(randomValues(n, 24), shape);
    const out = fusedBatchNormTrain(x, gamma, beta, 1e-3)!;
    const grads = tf.grads((xi: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(fusedBatchNormTrain(xi, g as tf.Tensor1D, b as tf.Tensor1D, 1e-3)!.y, r)))([x, gamma, beta]);
    return [out.y, out.mean, out.variance, ...grads].map((t) => Float32Array.from(t.dataSync()));
  });
}

describe('wasm SIMD loops of the batch-norm and ReLU-gradient kernels', () => {
  afterAll(() => {
    channelSimdEnabled.value = true;
    poolSimdEnabled.value = true;
  });

  it('instantiate on the wasm backend', async () => {
    await tf.setBackend('wasm');
    expect(channelSimd(tf.backend())).not.toBeNull();
  });

  for (const shape of bnShapes) {
    for (const offset of [0, 100]) {
      it(`batch norm ${JSON.stringify(shape)} offset ${offset}: y, statistics, dx, dγ, dβ bitwise equal to the JS loops`, async () => {
        await tf.setBackend('wasm');
        registerBatchNormKernels('wasm');
        const before = tf.memory().numTensors;
        const want = bnOnce(shape, offset, false);
        const got = bnOnce(shape, offset, true);
        expect(tf.memory().numTensors).toBe(before);
        const names = ['y', 'mean', 'variance', 'dx', 'dgamma', 'dbeta'];
        got.forEach((g, i) => expect(sameBits(g, want[i]), names[i]).toBe(true));
      });
    }
  }

  for (const n of [1, 3, 4, 7, 64, 1001]) {
    it(`ReLU gradient, ${n} elements with ±0, ±Inf, NaN in x and dy: bitwise equal to the JS loop`, async () => {
      await tf.setBackend('wasm');
      registerReluGradKernel('wasm');
      const x = randomValues(n, 31);
      const dy = randomValues(n, 32);
      const specials = [0, -0, NaN, Infinity, -Infinity, 1e-40, -1e-40];
      for (let i = 0; i < n; i++) {
        if (i % 3 === 0) x[i] = specials[i % specials.length];
        if (i % 5 === 1) dy[i] = specials[(i >> 1) % specials.length];
      }
      const grad = (simd: boolean) => {
        channelSimdEnabled.value = simd;
        return tf.tidy(() => Float32Array.from(tf.grads((a: tf.Tensor) => tf.relu(a))([tf.tensor(x)], tf.tensor(dy))[0].dataSync()));
      };
      expect(sameBits(grad(true), grad(false))).toBe(true);
    });
  }

  for (const shape of [[2, 8, 6, 4], [3, 7, 9, 8], [1, 2, 2, 16], [4, 5, 3, 12]]) {
    it(`max-pool gradient 2×2/2 ${JSON.stringify(shape)} with ties, NaN, −∞, −0: bitwise equal to the JS loop`, async () => {
      await tf.setBackend('wasm');
      registerWasmGradientKernels();
      const n = shape.reduce((a, b) => a * b, 1);
      // Few levels: many ties inside windows; then some NaN, −∞ and whole −∞ windows.
      const x = Float32Array.from(randomValues(n, 41), (v) => Math.round(v * 2));
      for (let i = 0; i < n; i += 7) x[i] = NaN;
      for (let i = 3; i < n; i += 11) x[i] = -Infinity;
      x.fill(-Infinity, 0, 2 * shape[3]);
      const outShape = [shape[0], shape[1] >> 1, shape[2] >> 1, shape[3]];
      const dy = randomValues(outShape.reduce((a, b) => a * b, 1), 42);
      for (let i = 0; i < dy.length; i += 5) dy[i] = -0;
      const grad = (simd: boolean) => {
        poolSimdEnabled.value = simd;
        return tf.tidy(() => Float32Array.from(tf.grad((a: tf.Tensor) => tf.sum(tf.mul(tf.maxPool(a as tf.Tensor4D, 2, 2, 'valid'), tf.tensor(dy, outShape))))(tf.tensor(x, shape)).dataSync()));
      };
      const before = tf.memory().numTensors;
      const got = grad(true);
      const want = grad(false);
      expect(tf.memory().numTensors).toBe(before);
      expect(sameBits(got, want)).toBe(true);
    });
  }
});
