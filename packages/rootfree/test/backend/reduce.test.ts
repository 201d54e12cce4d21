import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { activeWasmGradientKernels, registerWasmGradientKernels } from '../../src/backend/gradients/index.js';
import { expectNoWasmLeak, randomValues, relDiff, runOn } from './helpers.js';

beforeAll(async () => {
  tf.env().set('IS_TEST', true);
  await tf.setBackend('wasm');
  registerWasmGradientKernels();
});

/** Shapes and values of `fn` on wasm vs cpu (relative difference; sums may round differently). */
async function check(shape: number[], fn: (x: tf.Tensor) => tf.Tensor, tol = 1e-6): Promise<void> {
  const spec = [{ shape, seed: 3 }];
  const shapes: number[][] = [];
  const [ref] = await runOn('cpu', spec, (x) => fn(x));
  const [got] = await runOn('wasm', spec, (x) => {
    const y = fn(x);
    shapes.push(y.shape);
    return y;
  });
  await tf.setBackend('cpu');
  const refShape = tf.tidy(() => fn(tf.zeros(shape)).shape);
  await tf.setBackend('wasm');
  expect(shapes[0]).toEqual(refShape);
  expect(relDiff(got, ref)).toBeLessThan(tol);
}

describe('wasm Sum / Mean over leading axes', () => {
  it('are registered', () => {
    expect(activeWasmGradientKernels()).toEqual(expect.arrayContaining(['Sum', 'Mean']));
  });

  const cases: Array<{ shape: number[]; axes: number | number[]; keepDims?: boolean; tol?: number }> = [
    { shape: [37, 5], axes: 0 },
    { shape: [9, 7, 7, 3], axes: [0, 1, 2] },
    { shape: [9, 7, 7, 3], axes: [2, 0, 1], keepDims: true },
    { shape: [9, 7, 7, 3], axes: [0, 1] },
    { shape: [6, 4, 5], axes: [0, -2] },
    { shape: [3, 1001, 2], axes: [0, 1], keepDims: true }, // row count not a multiple of 4
    // not leading: stock kernels (float32 sums in another order: looser tolerance)
    { shape: [9, 7, 7, 3], axes: [1, 2], tol: 1e-4 },
    { shape: [9, 7, 7, 3], axes: [0, 1, 2, 3], tol: 1e-4 },
    { shape: [9, 7, 3], axes: -1, tol: 1e-4 },
  ];
  for (const c of cases) {
    it(`shape ${c.shape} axes ${JSON.stringify(c.axes)}${c.keepDims ? ' keepDims' : ''}`, async () => {
      await check(c.shape, (x) => tf.sum(x, c.axes, c.keepDims), c.tol);
      await check(c.shape, (x) => tf.mean(x, c.axes, c.keepDims), c.tol);
    });
  }

  it('sums 10^6 rows of a large offset without float32 drift', async () => {
    const rows = 1 << 20;
    const vals = new Float32Array(rows * 2).fill(1.1);
    const got = await runOn('wasm', [{ shape: [rows, 2], seed: 0, values: Array.from(vals) }], (x) => tf.mean(x, 0));
    expect(Math.abs(got[0][0] - 1.1)).toBeLessThan(1e-6);
  });

  it('int32 input and gradients (stock paths, Sum of Mean gradient) still match cpu', async () => {
    const ints = Array.from(randomValues(60, 5), (v) => Math.round(10 * v));
    const spec = [{ shape: [3, 4, 5], seed: 0, dtype: 'int32' as const, values: ints }];
    const [a] = await runOn('cpu', spec, (x) => tf.sum(x, [0, 1]));
    const [b] = await runOn('wasm', spec, (x) => tf.sum(x, [0, 1]));
    expect(Array.from(b)).toEqual(Array.from(a));
    await check([5, 6, 3], (x) => tf.grad((p: tf.Tensor) => tf.sum(tf.square(tf.sub(p, tf.mean(p, [0, 1], true)))))(x));
  });

  it('do not leak', () => {
    const x = tf.tensor(randomValues(4 * 6 * 8, 4), [4, 6, 8]);
    expectNoWasmLeak(() => tf.tidy(() => tf.add(tf.sum(tf.sum(x, [0, 1])), tf.sum(tf.mean(x, 0, true)))), expect);
    x.dispose();
  });
});
