import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { activeWasmGradientKernels, registerWasmGradientKernels } from '../../src/backend/gradients/index.js';
import { asReversal, asSwap } from '../../src/backend/gradients/transpose.js';
import { transposeSimdEnabled } from '../../src/backend/channelSimd.js';
import { expectNoWasmLeak, randomValues, wasmVsCpu } from './helpers.js';

beforeAll(async () => {
  tf.env().set('IS_TEST', true);
  await tf.setBackend('wasm');
  registerWasmGradientKernels();
});

async function sameOnCpuAndWasm(make: () => tf.Tensor, fn: (x: tf.Tensor) => tf.Tensor): Promise<void> {
  const run = async (backend: string) => {
    await tf.setBackend(backend);
    const x = make();
    const y = fn(x);
    const r = { shape: y.shape, dtype: y.dtype, values: Array.from(y.dataSync() as ArrayLike<number>) };
    tf.dispose([x, y]);
    return r;
  };
  const ref = await run('cpu');
  expect(await run('wasm')).toEqual(ref);
}

const floats = (shape: number[], seed: number) => () => tf.tensor(randomValues(shape.reduce((a, b) => a * b, 1), seed), shape);

describe('wasm Transpose (axis-group swaps in host memory)', () => {
  it('is registered', () => {
    expect(activeWasmGradientKernels()).toContain('Transpose');
  });

  it('recognises swaps after dropping size-1 axes and merging adjacent ones', () => {
    expect(asSwap([5, 7], [1, 0])).toEqual({ batch: 1, rows: 5, cols: 7, chunk: 1 });
    expect(asSwap([2, 5, 7], [0, 2, 1])).toEqual({ batch: 2, rows: 5, cols: 7, chunk: 1 });
    expect(asSwap([2, 3, 4, 5], [0, 2, 1, 3])).toEqual({ batch: 2, rows: 3, cols: 4, chunk: 5 });
    expect(asSwap([2, 3, 4, 5], [2, 3, 0, 1])).toEqual({ batch: 1, rows: 6, cols: 20, chunk: 1 });
    expect(asSwap([3, 1, 4], [2, 1, 0])).toEqual({ batch: 1, rows: 3, cols: 4, chunk: 1 });
    expect(asSwap([2, 3, 4], [0, 1, 2])).toBeNull(); // identity
    expect(asSwap([2, 3, 4], [2, 0, 1])).toEqual({ batch: 1, rows: 6, cols: 4, chunk: 1 });
    expect(asSwap([2, 3, 4, 5], [3, 1, 2, 0])).toBeNull(); // not one swap: two swaps, or stock
  });

  it('recognises full reversals of three axis groups', () => {
    expect(asReversal([2, 3, 4, 5], [3, 1, 2, 0])).toEqual([2, 12, 5]);
    expect(asReversal([2, 3, 4], [2, 1, 0])).toEqual([2, 3, 4]);
    expect(asReversal([2, 1, 4, 5], [3, 2, 1, 0])).toEqual([2, 4, 5]);
    expect(asReversal([2, 3, 4], [1, 0, 2])).toBeNull();
    expect(asReversal([2, 3, 4, 5], [3, 0, 1, 2])).toBeNull();
  });

  const cases: Array<{ shape: number[]; perm: number[] }> = [
    { shape: [37, 45], perm: [1, 0] }, // ragged blocks
    { shape: [70, 33], perm: [1, 0] },
    { shape: [3, 40, 35], perm: [0, 2, 1] },
    { shape: [4, 6, 5, 3], perm: [0, 2, 1, 3] }, // attention heads
    { shape: [34, 33, 2], perm: [1, 0, 2] },
    { shape: [2, 3, 4, 5], perm: [2, 3, 0, 1] },
    { shape: [3, 1, 4, 1], perm: [2, 1, 3, 0] },
    { shape: [2, 3, 4, 5], perm: [3, 1, 2, 0] }, // stock
    { shape: [2, 3, 4, 5], perm: [0, 1, 2, 3] }, // identity (stock)
    { shape: [5, 4, 3, 2, 2], perm: [0, 1, 3, 2, 4] },
    // conv-gradient layouts, odd sizes: chunks of 1, 3, 4, 5, 16 and 18 floats (16-byte copies plus a tail)
    { shape: [5, 7, 6, 3], perm: [1, 2, 0, 3] },
    { shape: [3, 5, 5, 4], perm: [1, 2, 0, 3] },
    { shape: [9, 11, 13, 5], perm: [1, 2, 0, 3] },
    { shape: [33, 7, 7, 16], perm: [1, 2, 0, 3] },
    { shape: [4, 3, 35, 18], perm: [1, 2, 0, 3] },
    { shape: [35, 9, 9, 16], perm: [3, 1, 2, 0] }, // reversal: two swaps
    { shape: [3, 5, 7, 3], perm: [3, 1, 2, 0] },
    { shape: [2, 3, 4], perm: [2, 1, 0] },
    { shape: [33, 2, 65], perm: [1, 0, 2] },
  ];
  for (const c of cases) {
    it(`shape ${c.shape} perm ${c.perm}`, async () => {
      await sameOnCpuAndWasm(floats(c.shape, 2), (x) => tf.transpose(x, c.perm));
    });
  }

  it('int32 and bool; gradient of a matmul with transposed operands', async () => {
    await sameOnCpuAndWasm(() => tf.reshape(tf.range(0, 120, 1, 'int32'), [2, 3, 4, 5]), (x) => tf.transpose(x, [0, 2, 1, 3]));
    await sameOnCpuAndWasm(() => tf.greater(tf.reshape(tf.range(0, 24), [4, 6]), 11), (x) => tf.transpose(x));
    const b = randomValues(40 * 9, 5);
    const diff = await wasmVsCpu([{ shape: [40, 7], seed: 4 }], (x) =>
      tf.grad((p: tf.Tensor) => tf.sum(tf.square(tf.matMul(p, tf.tensor2d(b, [40, 9]), true, false))))(x),
    );
    expect(diff).toBeLessThan(1e-5);
  });

  it('the wasm-loop copy and the JS copy agree (float32 and int32, every swap and reversal case)', async () => {
    await tf.setBackend('wasm');
    for (const c of cases) {
      for (const dtype of ['float32', 'int32'] as const) {
        const n = c.shape.reduce((a, b) => a * b, 1);
        const x = dtype === 'float32' ? tf.tensor(randomValues(n, 9), c.shape) : tf.reshape(tf.range(0, n, 1, 'int32'), c.shape);
        const got = tf.tidy(() => Array.from(tf.transpose(x, c.perm).dataSync()));
        transposeSimdEnabled.value = false;
        const want = tf.tidy(() => Array.from(tf.transpose(x, c.perm).dataSync()));
        transposeSimdEnabled.value = true;
        x.dispose();
        expect(got, `${c.shape} ${c.perm} ${dtype}`).toEqual(want);
      }
    }
  });

  it('does not leak', () => {
    const x = tf.tensor(randomValues(4 * 6 * 8, 4), [4, 6, 8]);
    expectNoWasmLeak(() => tf.tidy(() => tf.add(tf.sum(tf.transpose(x, [0, 2, 1])), tf.sum(tf.transpose(x, [2, 1, 0])))), expect);
    const y = tf.tensor(randomValues(3 * 4 * 5 * 8, 4), [3, 4, 5, 8]);
    expectNoWasmLeak(() => tf.tidy(() => tf.add(tf.sum(tf.transpose(y, [3, 1, 2, 0])), tf.sum(tf.transpose(y, [1, 2, 0, 3])))), expect);
    y.dispose();
    x.dispose();
  });
});
