import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { registerBatchNormKernels, fusedBatchNormTrain } from '../../src/backend/batchNormKernel.js';
import { randomValues, relDiff } from './helpers.js';

/*
 * The fused batch-norm kernels (cpu and wasm) against autodiff through tf.moments + tf.batchNorm
 * on the cpu backend: values, batch statistics, and the gradients in x, γ and β of a random
 * projection of the output. Odd channel counts, rank 2 and rank 4, a large common offset (the
 * one-pass variance must not cancel), a single row.
 */
const cases: Array<{ shape: number[]; offset: number }> = [
  { shape: [7, 5, 3, 3], offset: 0 },
  { shape: [16, 6], offset: 0 },
  { shape: [3, 4, 5, 7], offset: 1000 },
  { shape: [1, 2, 2, 1], offset: 0 },
  { shape: [2, 9, 9, 16], offset: -3 },
];

interface Result { y: Float32Array; mean: Float32Array; variance: Float32Array; dx: Float32Array; dg: Float32Array; db: Float32Array }

function inputs(shape: number[], offset: number) {
  const n = shape.reduce((a, b) => a * b, 1);
  const c = shape[shape.length - 1];
  return {
    x: tf.add(tf.tensor(randomValues(n, 11), shape), offset),
    gamma: tf.add(tf.tensor1d(randomValues(c, 12)), 1) as tf.Tensor1D,
    beta: tf.tensor1d(randomValues(c, 13)) as tf.Tensor1D,
    r: tf.tensor(randomValues(n, 14), shape),
  };
}

async function run(backend: string, shape: number[], offset: number, fused: boolean): Promise<Result> {
  await tf.setBackend(backend);
  registerBatchNormKernels(backend);
  const axes = shape.slice(0, -1).map((_, i) => i);
  const { x, gamma, beta, r } = inputs(shape, offset);
  const before = tf.memory().numTensors;
  const forward = (xi: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => {
    if (fused) {
      const out = fusedBatchNormTrain(xi, g as tf.Tensor1D, b as tf.Tensor1D, 1e-3);
      if (!out) throw new Error(`no fused kernel on ${backend}`);
      return out;
    }
    const m = tf.moments(xi, axes);
    return { y: tf.batchNorm(xi, m.mean, m.variance, b, g, 1e-3), mean: m.mean, variance: m.variance };
  };
  const grads = tf.grads((xi: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(forward(xi, g, b).y, r)))([x, gamma, beta]);
  const out = forward(x, gamma, beta);
  const res: Result = {
    y: Float32Array.from(out.y.dataSync()), mean: Float32Array.from(out.mean.dataSync()), variance: Float32Array.from(out.variance.dataSync()),
    dx: Float32Array.from(grads[0].dataSync()), dg: Float32Array.from(grads[1].dataSync()), db: Float32Array.from(grads[2].dataSync()),
  };
  tf.dispose([out.y, out.mean, out.variance, ...grads]);
  if (fused) expect(tf.memory().numTensors, `${backend} leaked tensors`).toBe(before);
  tf.dispose([x, gamma, beta, r]);
  return res;
}

describe('fused batch-norm kernels (RootfreeBatchNormTrain / …Grad)', () => {
  for (const { shape, offset } of cases) {
    for (const backend of ['cpu', 'wasm']) {
      it(`${backend} ${JSON.stringify(shape)} offset ${offset}: values, statistics and gradients equal the composite`, async () => {
        const ref = await run('cpu', shape, offset, false);
        const got = await run(backend, shape, offset, true);
        // At x ≈ 1000 the float32 reference itself is off by ~ulp(1000)/std ≈ 1e-4 in x − mean.
        const yTol = offset === 0 ? 2e-5 : 2e-4;
        const tol = { y: yTol, mean: 1e-6, variance: 2e-5, dx: 2e-4, dg: 1e-4, db: 1e-5 };
        for (const k of Object.keys(tol) as Array<keyof typeof tol>) expect(relDiff(got[k], ref[k]), k).toBeLessThan(tol[k]);
      });
    }
  }

  it('returns null where no kernel is registered (the caller uses the composite)', async () => {
    await tf.setBackend('cpu');
    const x = tf.ones([2, 3]);
    expect(fusedBatchNormTrain(tf.cast(x, 'int32'), tf.ones([3]) as tf.Tensor1D, tf.zeros([3]) as tf.Tensor1D, 1e-3)).toBeNull();
    expect(() => fusedBatchNormTrain(x, tf.ones([2]) as tf.Tensor1D, tf.zeros([3]) as tf.Tensor1D, 1e-3)).toThrow(/gamma and beta need 3 entries/);
  });
});
