import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { activeWasmGradientKernels, registerWasmGradientKernels } from '../../src/backend/gradients/index.js';
import { expectNoWasmLeak, randomValues } from './helpers.js';

beforeAll(async () => {
  tf.env().set('IS_TEST', true);
  await tf.setBackend('wasm');
  registerWasmGradientKernels();
});

/** Outputs (values, shapes, dtypes) of `fn` on cpu and on wasm; slicing is a copy, so they must be identical. */
async function sameOnCpuAndWasm(make: () => tf.Tensor, fn: (x: tf.Tensor) => tf.Tensor | tf.Tensor[]): Promise<void> {
  const run = async (backend: string) => {
    await tf.setBackend(backend);
    const x = make();
    const out = fn(x);
    const list = Array.isArray(out) ? out : [out];
    const r = list.map((t) => ({ shape: t.shape, dtype: t.dtype, values: Array.from(t.dataSync() as ArrayLike<number>) }));
    tf.dispose([x, ...list]);
    return r;
  };
  const ref = await run('cpu');
  const got = await run('wasm');
  expect(got).toEqual(ref);
}

const floats = (shape: number[], seed: number) => () => tf.tensor(randomValues(shape.reduce((a, b) => a * b, 1), seed), shape);

describe('wasm Slice / SplitV / Unpack read the input in place and match cpu exactly', () => {
  it('are registered', () => {
    expect(activeWasmGradientKernels()).toEqual(expect.arrayContaining(['Slice', 'SplitV', 'Unpack']));
  });

  const sliceCases: Array<{ shape: number[]; begin: number[]; size: number[] }> = [
    { shape: [10], begin: [3], size: [5] },
    { shape: [6, 7], begin: [2, 0], size: [3, 7] }, // contiguous rows
    { shape: [6, 7], begin: [1, 2], size: [4, 3] },
    { shape: [5, 4, 6], begin: [1, 1, 2], size: [3, -1, 3] },
    { shape: [3, 4, 5, 6], begin: [0, 1, 0, 2], size: [2, 2, 5, 1] },
    { shape: [2, 3, 4, 5, 3], begin: [1, 0, 1, 2, 0], size: [1, 3, 2, 3, 2] },
    { shape: [2, 3, 4, 5, 3, 2], begin: [0, 1, 1, 0, 1, 1], size: [2, 2, 3, 5, 2, 1] },
  ];
  for (const c of sliceCases) {
    it(`slice ${c.shape} from ${c.begin} size ${c.size}`, async () => {
      await sameOnCpuAndWasm(floats(c.shape, 1), (x) => tf.slice(x, c.begin, c.size));
    });
  }

  it('int32 and bool inputs', async () => {
    await sameOnCpuAndWasm(() => tf.reshape(tf.range(0, 60, 1, 'int32'), [3, 4, 5]), (x) => [tf.slice(x, [1, 1, 1], [2, 2, 3]), ...tf.split(x, [1, 3], 1)]);
    await sameOnCpuAndWasm(() => tf.greater(tf.reshape(tf.range(0, 24), [4, 6]), 11), (x) => [tf.slice(x, [1, 2], [2, 3]), ...tf.unstack(x, 1)]);
  });

  it('split into equal and given sizes along every axis', async () => {
    const make = floats([4, 6, 8], 2);
    for (const axis of [0, 1, 2]) {
      await sameOnCpuAndWasm(make, (x) => tf.split(x, 2, axis));
      await sameOnCpuAndWasm(make, (x) => tf.split(x, [1, -1, 1], axis));
    }
  });

  it('unstack along every axis; a gradient through split/unstack matches cpu', async () => {
    const make = floats([3, 4, 5], 3);
    for (const axis of [0, 1, 2]) await sameOnCpuAndWasm(make, (x) => tf.unstack(x, axis));
    const w = tf.tensor(randomValues(60, 9), [3, 4, 5]);
    const wv = Array.from(w.dataSync());
    w.dispose();
    await sameOnCpuAndWasm(make, (x) =>
      tf.grad((p: tf.Tensor) => tf.addN([...tf.unstack(p, 1).map((t, i) => tf.sum(tf.mul(t, i + 1))), ...tf.split(p, [2, 3], 2).map((t) => tf.sum(tf.square(t)))]))(tf.mul(x, tf.tensor(wv, [3, 4, 5]))),
    );
  });

  it('do not leak', () => {
    const x = tf.tensor(randomValues(4 * 6 * 8, 4), [4, 6, 8]);
    expectNoWasmLeak(() => tf.tidy(() => tf.addN([tf.sum(tf.slice(x, [1, 0, 2], [2, 6, 3])), ...tf.split(x, 3, 1).map((t) => tf.sum(t)), ...tf.unstack(x, 2).map((t) => tf.sum(t))])), expect);
    x.dispose();
  });
});
