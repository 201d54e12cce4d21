import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { activeWasmGradientKernels, registerWasmGradientKernels } from '../../src/backend/gradients/index.js';
import { expectNoWasmLeak, randomValues, runOn, type Spec } from './helpers.js';

beforeAll(async () => {
  tf.env().set('IS_TEST', true);
  await tf.setBackend('wasm');
  registerWasmGradientKernels();
});

type Pad = 'same' | 'valid' | number | [[number, number], [number, number], [number, number], [number, number]];
type Rounding = 'floor' | 'round' | 'ceil';

/** Largest |wasm − cpu|. The kernel is meant to match `cpu` bit for bit, so callers expect 0. */
async function maxAbsDiffVsCpu(specs: Spec[], fn: (...xs: tf.Tensor[]) => tf.Tensor): Promise<number> {
  const [ref] = await runOn('cpu', specs, fn);
  const [got] = await runOn('wasm', specs, fn);
  expect(got.length).toBe(ref.length);
  let d = 0;
  for (let i = 0; i < ref.length; i++) d = Math.max(d, Math.abs(got[i] - ref[i]));
  return d;
}

function poolOutShape(x: number[], f: number | [number, number], s: number | [number, number], pad: Pad, rounding?: Rounding): number[] {
  return tf.backend_util.computePool2DInfo(x as [number, number, number, number], f, s, 1, pad as 'same', rounding).outShape;
}

/** x values with many ties in every window: a few rounded integers. */
function tiedValues(shape: number[], seed: number, levels: number): number[] {
  return Array.from(randomValues(shape.reduce((a, b) => a * b, 1), seed), (v) => Math.round(v * levels));
}

/** d/dx Σ maxPool(x)·r: r weights every output differently, so a gradient in the wrong place shows. */
function gradOfMaxPool(f: number | [number, number], s: number | [number, number], pad: Pad) {
  return (x: tf.Tensor, r: tf.Tensor) =>
    tf.grad((a: tf.Tensor) => tf.sum(tf.mul(tf.maxPool(a as tf.Tensor4D, f, s, pad as 'same'), r)))(x);
}

describe('MaxPoolGrad on wasm matches cpu exactly', () => {
  const cases: Array<{ name: string; x: number[]; f: number | [number, number]; s: number | [number, number]; pad: Pad }> = [
    { name: '2x2/2 valid (the CNN pool)', x: [3, 8, 8, 5], f: 2, s: 2, pad: 'valid' },
    { name: '2x2/2 valid, odd sizes drop the last row and column', x: [2, 7, 9, 3], f: 2, s: 2, pad: 'valid' },
    { name: '2x2/1 valid (overlapping 2x2 windows)', x: [2, 7, 8, 3], f: 2, s: 1, pad: 'valid' },
    { name: '2x2/2 same, odd sizes clip the last windows', x: [2, 7, 9, 3], f: 2, s: 2, pad: 'same' },
    { name: '3x3/2 same', x: [2, 9, 10, 4], f: 3, s: 2, pad: 'same' },
    { name: '3x3/1 same (overlapping windows)', x: [2, 7, 6, 3], f: 3, s: 1, pad: 'same' },
    { name: '3x2 window, stride 2x1, same, odd sizes', x: [2, 11, 7, 2], f: [3, 2], s: [2, 1], pad: 'same' },
    { name: '4x4/3 valid, one channel', x: [4, 13, 11, 1], f: 4, s: 3, pad: 'valid' },
    { name: '2x2/2 valid, 8 channels (wasm SIMD loop)', x: [3, 8, 6, 8], f: 2, s: 2, pad: 'valid' },
    { name: '2x2/2 valid, odd sizes, 4 channels (wasm SIMD loop, uncovered pixels)', x: [2, 7, 9, 4], f: 2, s: 2, pad: 'valid' },
    { name: '2x2/2 same, odd sizes, 12 channels (clipped windows: JS loop)', x: [2, 7, 5, 12], f: 2, s: 2, pad: 'same' },
    { name: '3x3/2 explicit padding, windows mostly in padding', x: [2, 6, 7, 3], f: 3, s: 2, pad: [[0, 0], [2, 1], [0, 2], [0, 0]] },
  ];
  for (const c of cases) {
    const out = poolOutShape(c.x, c.f, c.s, c.pad);
    const grad = gradOfMaxPool(c.f, c.s, c.pad);
    it(`${c.name}: x ${c.x}`, async () => {
      expect(await maxAbsDiffVsCpu([{ shape: c.x, seed: 1 }, { shape: out, seed: 2 }], grad)).toBe(0);
    });
    it(`${c.name}: ties (rounded integers) go to the first maximum`, async () => {
      const x = { shape: c.x, seed: 0, values: tiedValues(c.x, 3, 2) };
      expect(await maxAbsDiffVsCpu([x, { shape: out, seed: 4 }], grad)).toBe(0);
    });
  }

  it('all-zero input: each window passes its gradient to its first element only', async () => {
    const x = [2, 6, 6, 3];
    const out = poolOutShape(x, 3, 1, 'same');
    const zeros = { shape: x, seed: 0, values: new Array<number>(2 * 6 * 6 * 3).fill(0) };
    expect(await maxAbsDiffVsCpu([zeros, { shape: out, seed: 5 }], gradOfMaxPool(3, 1, 'same'))).toBe(0);
    // Pins the rule itself, not just agreement with cpu: with dy = 1 and 2x2/2 windows of zeros,
    // only the top-left element of each window gets a gradient.
    const [dx] = await runOn('wasm', [{ shape: [1, 4, 4, 1], seed: 0, values: new Array<number>(16).fill(0) }], (a) =>
      tf.grad((p: tf.Tensor) => tf.sum(tf.maxPool(p as tf.Tensor4D, 2, 2, 'valid')))(a),
    );
    expect(Array.from(dx)).toEqual([1, 0, 1, 0, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0, 0, 0]);
  });

  it('NaN and -Infinity never receive a gradient', async () => {
    const x = [1, 4, 6, 2];
    const values = tiedValues(x, 6, 1);
    values[0] = NaN;
    values[3] = -Infinity;
    for (let i = 24; i < 48; i++) values[i] = i % 2 ? NaN : -Infinity;
    const out = poolOutShape(x, 2, 2, 'valid');
    expect(await maxAbsDiffVsCpu([{ shape: x, seed: 0, values }, { shape: out, seed: 7 }], (a, dy) => tf.tidy(() =>
      tf.engine().runKernel('MaxPoolGrad', { dy, input: a, output: tf.zeros(out) }, { filterSize: 2, strides: 2, pad: 'valid' } as never) as tf.Tensor,
    ))).toBe(0);
  });

  // tfjs-core's MaxPool gradient drops dimRoundingMode, so the kernel is called directly here.
  for (const rounding of ['floor', 'round', 'ceil'] as const) {
    it(`dimRoundingMode ${rounding} with numeric padding (kernel called directly)`, async () => {
      const x = [2, 8, 9, 3];
      const out = poolOutShape(x, 3, 2, 1, rounding);
      const attrs = { filterSize: 3, strides: 2, pad: 1, dimRoundingMode: rounding };
      expect(await maxAbsDiffVsCpu([{ shape: x, seed: 8, values: tiedValues(x, 8, 3) }, { shape: out, seed: 9 }], (a, dy) => tf.tidy(() => {
        const y = tf.maxPool(a as tf.Tensor4D, 3, 2, 1, rounding);
        return tf.engine().runKernel('MaxPoolGrad', { dy, input: a, output: y }, attrs as never) as tf.Tensor;
      }))).toBe(0);
    });
  }
});

describe('MaxPoolGrad registration', () => {
  it("is rootfree's kernel on wasm and leaks no tensors or wasm storage", async () => {
    await tf.setBackend('wasm');
    expect(activeWasmGradientKernels()).toContain('MaxPoolGrad');
    const x = tf.randomNormal([2, 9, 9, 4]);
    const step = () => tf.tidy(() => tf.addN([
      tf.sum(tf.grad((p: tf.Tensor) => tf.sum(tf.maxPool(p as tf.Tensor4D, 2, 2, 'valid')))(x)),
      tf.sum(tf.grad((p: tf.Tensor) => tf.sum(tf.maxPool(p as tf.Tensor4D, 3, 1, 'same')))(x)),
    ]));
    expectNoWasmLeak(step, expect);
    tf.dispose(x);
  });
});
