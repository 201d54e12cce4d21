import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { registerWasmGradientKernels, unregisterWasmGradientKernels, wasmKernelConfigs } from '../../src/backend/gradients/index.js';
import { convGradStrategy } from '../../src/backend/gradients/conv2d.js';
import { columnsSimdEnabled } from '../../src/backend/channelSimd.js';
import { expectNoWasmLeak, wasmVsCpu } from './helpers.js';

const TOL = 1e-5;

beforeAll(async () => {
  tf.env().set('IS_TEST', true);
  await tf.setBackend('wasm');
  registerWasmGradientKernels();
});

type Pad = 'same' | 'valid' | number | [[number, number], [number, number], [number, number], [number, number]];

function convOutShape(x: number[], f: number[], s: number, pad: Pad, rounding?: 'floor' | 'round' | 'ceil', depthwise = false) {
  const info = tf.backend_util.computeConv2DInfo(x as [number, number, number, number], f as [number, number, number, number], s, 1, pad as 'same', rounding, depthwise);
  return info.outShape;
}

describe('Conv2D gradients on wasm (forward-conv implementation) match cpu', () => {
  const cases: Array<{ x: number[]; f: number[]; s: number; pad: Pad; rounding?: 'floor' | 'round' | 'ceil' }> = [
    { x: [2, 9, 9, 3], f: [3, 3, 3, 4], s: 1, pad: 'same' },
    { x: [2, 9, 9, 3], f: [3, 3, 3, 4], s: 1, pad: 'valid' },
    { x: [2, 10, 7, 2], f: [3, 2, 2, 5], s: 2, pad: 'same' },
    { x: [2, 10, 7, 2], f: [3, 2, 2, 5], s: 2, pad: 'valid' },
    { x: [1, 11, 12, 3], f: [5, 5, 3, 2], s: 3, pad: 'valid' },
    { x: [1, 11, 12, 3], f: [5, 5, 3, 2], s: 3, pad: 'same' },
    { x: [3, 8, 8, 1], f: [1, 1, 1, 6], s: 2, pad: 'valid' },
    { x: [2, 7, 9, 2], f: [3, 4, 2, 3], s: 1, pad: [[0, 0], [1, 2], [2, 0], [0, 0]] },
    { x: [2, 7, 9, 2], f: [3, 3, 2, 3], s: 2, pad: [[0, 0], [0, 3], [1, 1], [0, 0]] },
    { x: [2, 9, 9, 2], f: [3, 3, 2, 3], s: 2, pad: 1, rounding: 'floor' },
    { x: [2, 8, 8, 2], f: [3, 3, 2, 3], s: 2, pad: 1, rounding: 'ceil' },
    { x: [4, 28, 28, 1], f: [3, 3, 1, 8], s: 1, pad: 'valid' },
    // 1×1 (ResNet shortcuts): the GEMM form under `auto`, with identity, strided and padded sampling
    { x: [2, 6, 5, 3], f: [1, 1, 3, 4], s: 1, pad: 'same' },
    { x: [2, 7, 6, 3], f: [1, 1, 3, 4], s: 2, pad: 'same' },
    { x: [2, 8, 8, 4], f: [1, 1, 4, 2], s: 2, pad: 'valid' },
    { x: [1, 7, 7, 2], f: [1, 1, 2, 3], s: 3, pad: 'same' },
    { x: [2, 5, 6, 2], f: [1, 1, 2, 3], s: 2, pad: [[0, 0], [1, 2], [0, 1], [0, 0]] },
    { x: [2, 5, 6, 2], f: [1, 1, 2, 3], s: 1, pad: [[0, 0], [1, 0], [2, 1], [0, 0]] },
  ];
  for (const c of cases) {
    it(`x ${c.x} f ${c.f} stride ${c.s} pad ${JSON.stringify(c.pad)}${c.rounding ? ` ${c.rounding}` : ''} (every dW form)`, async () => {
      const out = convOutShape(c.x, c.f, c.s, c.pad, c.rounding);
      for (const kind of ['auto', 'patches', 'conv', 'columns'] as const) {
        convGradStrategy.kind = kind;
        const diff = await wasmVsCpu([{ shape: c.x, seed: 1 }, { shape: c.f, seed: 2 }, { shape: out, seed: 3 }], (x, f, r) =>
          tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.s, c.pad, 'NHWC', 1, c.rounding), r)))([x, f]),
        );
        expect(diff, kind).toBeLessThan(TOL);
      }
      convGradStrategy.kind = 'auto';
    });
  }

  const nchwCases = [
    { name: 'NCHW backprop kernels (called directly, patches dW) match cpu', kind: 'patches' as const, x: [2, 3, 9, 8], f: [3, 3, 3, 4], dy: [2, 4, 5, 4], seed: 4 },
    { name: 'NCHW 1×1 stride-2 backprop kernels (column form) match cpu', kind: 'auto' as const, x: [2, 3, 7, 6], f: [1, 1, 3, 4], dy: [2, 4, 4, 3], seed: 14 },
  ];
  for (const c of nchwCases) {
    it(c.name, async () => {
      convGradStrategy.kind = c.kind;
      const attrs = { strides: [2, 2], pad: 'same', dataFormat: 'NCHW', dimRoundingMode: undefined };
      const diffF = await wasmVsCpu([{ shape: c.x, seed: c.seed }, { shape: c.dy, seed: c.seed + 1 }], (a, b) =>
        tf.engine().runKernel('Conv2DBackpropFilter', { x: a, dy: b }, { ...attrs, filterShape: c.f } as never) as tf.Tensor,
      );
      const diffI = await wasmVsCpu([{ shape: c.dy, seed: c.seed + 2 }, { shape: c.f, seed: c.seed + 3 }], (a, b) =>
        tf.engine().runKernel('Conv2DBackpropInput', { dy: a, filter: b }, { ...attrs, inputShape: c.x } as never) as tf.Tensor,
      );
      convGradStrategy.kind = 'auto';
      expect(diffF).toBeLessThan(TOL);
      expect(diffI).toBeLessThan(TOL);
    });
  }

  it('column forms: the wasm im2col/col2im loops give the JS loops\' dW and dX bit for bit', async () => {
    await tf.setBackend('wasm');
    const shapes: Array<{ x: number[]; f: number[]; s: number; pad: Pad }> = [
      { x: [2, 9, 9, 3], f: [3, 3, 3, 4], s: 2, pad: 'same' }, // runs of 3-9 floats (scalar tails)
      { x: [3, 10, 11, 16], f: [3, 3, 16, 8], s: 2, pad: 'same' }, // runs of 16-48 floats (16-byte copies)
      { x: [2, 7, 6, 5], f: [1, 1, 5, 4], s: 2, pad: 'valid' },
      { x: [2, 8, 7, 4], f: [3, 2, 4, 3], s: 1, pad: [[0, 0], [2, 1], [0, 2], [0, 0]] },
    ];
    convGradStrategy.kind = 'columns';
    try {
      for (const c of shapes) {
        const out = convOutShape(c.x, c.f, c.s, c.pad);
        const n = (s: number[]) => s.reduce((a, b) => a * b, 1);
        const [x, f, r] = [c.x, c.f, out].map((s, i) => tf.randomUniform(s, -1, 1, 'float32', 31 + i));
        const grads = (simd: boolean) => {
          columnsSimdEnabled.value = simd;
          return tf.tidy(() => tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.s, c.pad), r)))([x, f]).map((g) => Array.from(new Uint32Array(Float32Array.from(g.dataSync()).buffer))));
        };
        const got = grads(true);
        const want = grads(false);
        tf.dispose([x, f, r]);
        expect(got[0].length).toBe(n(c.x));
        expect(got, JSON.stringify(c)).toEqual(want);
      }
    } finally {
      columnsSimdEnabled.value = true;
      convGradStrategy.kind = 'auto';
    }
  });

  it('conv2dTranspose (Conv2DBackpropInput forward use) matches cpu', async () => {
    const diff = await wasmVsCpu([{ shape: [2, 5, 5, 4], seed: 8 }, { shape: [3, 3, 2, 4], seed: 9 }], (y, f) =>
      tf.conv2dTranspose(y as tf.Tensor4D, f as tf.Tensor4D, [2, 10, 10, 2], 2, 'same'),
    );
    expect(diff).toBeLessThan(TOL);
  });
});

describe('depthwise conv gradients on wasm match cpu', () => {
  const cases = [
    { x: [2, 9, 9, 3], f: [3, 3, 3, 1], s: 1, pad: 'same' as const },
    { x: [2, 9, 8, 3], f: [3, 3, 3, 2], s: 2, pad: 'same' as const },
    { x: [2, 10, 10, 4], f: [5, 3, 4, 3], s: 2, pad: 'valid' as const },
    { x: [1, 7, 7, 2], f: [2, 2, 2, 1], s: 1, pad: 'valid' as const },
  ];
  for (const c of cases) {
    it(`x ${c.x} f ${c.f} stride ${c.s} ${c.pad}`, async () => {
      const out = convOutShape(c.x, c.f, c.s, c.pad, undefined, true);
      const diff = await wasmVsCpu([{ shape: c.x, seed: 11 }, { shape: c.f, seed: 12 }, { shape: out, seed: 13 }], (x, f, r) =>
        tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(tf.depthwiseConv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.s, c.pad), r)))([x, f]),
      );
      expect(diff).toBeLessThan(TOL);
    });
  }
});

describe('UnsortedSegmentSum on wasm', () => {
  it('trains a tf.gather embedding: gradient matches cpu', async () => {
    const ids = Array.from({ length: 40 }, (_, i) => (i * 7) % 13);
    const diff = await wasmVsCpu([{ shape: [13, 6], seed: 21 }, { shape: [40], seed: 0, dtype: 'int32', values: ids }, { shape: [40, 6], seed: 22 }], (table, idx, r) =>
      tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.gather(t, idx as tf.Tensor1D), r)))(table),
    );
    expect(diff).toBeLessThan(TOL);
  });

  it('direct call with trailing dims and an unused segment matches cpu', async () => {
    const ids = [0, 3, 3, 1, 0, 2];
    const diff = await wasmVsCpu([{ shape: [6, 3, 4], seed: 23 }, { shape: [6], seed: 0, dtype: 'int32', values: ids }], (x, s) =>
      tf.unsortedSegmentSum(x, s as tf.Tensor1D, 5),
    );
    expect(diff).toBeLessThan(TOL);
  });
});

describe('Einsum on wasm matches cpu', () => {
  const cases: Array<{ eq: string; shapes: number[][] }> = [
    { eq: 'ij,jk->ik', shapes: [[5, 7], [7, 3]] },
    { eq: 'ij,kj->ik', shapes: [[5, 7], [4, 7]] },
    { eq: 'ji,jk->ik', shapes: [[7, 5], [7, 3]] },
    { eq: 'bij,bjk->bik', shapes: [[3, 5, 7], [3, 7, 2]] },
    { eq: 'bhqd,bhkd->bhqk', shapes: [[2, 3, 6, 4], [2, 3, 5, 4]] },
    { eq: 'ij,jk->ki', shapes: [[5, 7], [7, 3]] },
    { eq: 'ij,j->i', shapes: [[5, 7], [7]] },
    { eq: 'i,j->ij', shapes: [[5], [4]] },
    { eq: 'i,i->', shapes: [[6], [6]] },
    { eq: 'ij->ji', shapes: [[3, 4]] },
    { eq: 'ij->i', shapes: [[3, 4]] },
    { eq: 'ijk,jk->i', shapes: [[2, 3, 4], [3, 4]] },
  ];
  for (const c of cases) {
    it(c.eq, async () => {
      const diff = await wasmVsCpu(c.shapes.map((shape, i) => ({ shape, seed: 31 + i })), (...xs) => tf.einsum(c.eq, ...xs));
      expect(diff).toBeLessThan(TOL);
    });
  }
});

describe('matMul gradients on wasm (explicit transposes + XNNPACK NN) match cpu', () => {
  const cases: Array<{ a: number[]; b: number[]; ta: boolean; tb: boolean }> = [
    { a: [17, 9], b: [9, 13], ta: false, tb: false },
    { a: [9, 17], b: [9, 13], ta: true, tb: false },
    { a: [17, 9], b: [13, 9], ta: false, tb: true },
    { a: [9, 17], b: [13, 9], ta: true, tb: true },
    { a: [3, 17, 9], b: [9, 13], ta: false, tb: false },
    { a: [2, 3, 40, 40], b: [2, 3, 40, 40], ta: false, tb: true },
    { a: [4, 6, 5], b: [4, 5, 7], ta: false, tb: false },
    { a: [2, 1, 6, 5], b: [3, 5, 7], ta: false, tb: false },
  ];
  for (const c of cases) {
    it(`a ${c.a}${c.ta ? 'ᵀ' : ''} · b ${c.b}${c.tb ? 'ᵀ' : ''}`, async () => {
      const diff = await wasmVsCpu([{ shape: c.a, seed: 41 }, { shape: c.b, seed: 42 }], (a, b) => {
        const y = tf.matMul(a, b, c.ta, c.tb);
        const r = tf.tensor(Array.from({ length: y.size }, (_, i) => Math.sin(i)), y.shape);
        // tfjs-core's BatchMatMul gradient does not reduce broadcast batch dims (fails on cpu too).
        if (c.a.length !== c.b.length || c.a.slice(0, -2).some((d, i) => d !== c.b[i])) return [y];
        const g = tf.grads((p: tf.Tensor, q: tf.Tensor) => tf.sum(tf.mul(tf.matMul(p, q, c.ta, c.tb), r)))([a, b]);
        return [y, ...g];
      });
      expect(diff).toBeLessThan(TOL);
    });
  }

  it('fused matMul (tf.layers Dense path: bias + relu) forward and gradients match cpu', async () => {
    for (const [ta, tb] of [[false, false], [true, false], [false, true]]) {
      const aShape = ta ? [12, 20] : [20, 12];
      const bShape = tb ? [8, 12] : [12, 8];
      const diff = await wasmVsCpu([{ shape: aShape, seed: 51 }, { shape: bShape, seed: 52 }, { shape: [8], seed: 53 }, { shape: [20, 8], seed: 54 }], (a, b, bias, r) => {
        const f = (p: tf.Tensor, q: tf.Tensor, c: tf.Tensor) =>
          tf.fused.matMul({ a: p as tf.Tensor2D, b: q as tf.Tensor2D, bias: c, activation: 'relu', transposeA: ta, transposeB: tb });
        return [f(a, b, bias), ...tf.grads((p: tf.Tensor, q: tf.Tensor, c: tf.Tensor) => tf.sum(tf.mul(f(p, q, c), r)))([a, b, bias])];
      });
      expect(diff).toBeLessThan(TOL);
    }
  });
});

describe('registration', () => {
  it('kernels do not leak wasm storage', async () => {
    await tf.setBackend('wasm');
    const x = tf.randomNormal([2, 9, 9, 3]);
    const f = tf.randomNormal([3, 3, 3, 4]);
    const a = tf.randomNormal([3, 40, 40]);
    const f1 = tf.randomNormal([1, 1, 3, 4]);
    const step = () =>
      tf.tidy(() => {
        const g = tf.grads((p: tf.Tensor, q: tf.Tensor) => tf.sum(tf.conv2d(p as tf.Tensor4D, q as tf.Tensor4D, 2, 'same')))([x, f]);
        const h = tf.grad((p: tf.Tensor) => tf.sum(tf.matMul(p, p, false, true)))(a);
        const e = tf.einsum('bij,bkj->bik', a, a);
        const d = tf.grad((p: tf.Tensor) => tf.sum(tf.depthwiseConv2d(p as tf.Tensor4D, tf.ones([3, 3, 3, 2]) as tf.Tensor4D, 2, 'same')))(x);
        // 1×1 (column form): identity sampling (reshapes) and strided (host gather/scatter)
        const p1 = [1, 2].flatMap((s) => tf.grads((p: tf.Tensor, q: tf.Tensor) => tf.sum(tf.conv2d(p as tf.Tensor4D, q as tf.Tensor4D, s, 'same')))([x, f1]));
        return tf.addN([tf.sum(g[0]), tf.sum(g[1]), tf.sum(h), tf.sum(e), tf.sum(d), ...p1.map((t) => tf.sum(t))]);
      });
    expectNoWasmLeak(step, expect);
    tf.dispose([x, f, a, f1]);
  });

  it('is idempotent, wasm-only, and restores the stock kernels', () => {
    const cpuBefore = tf.getKernel('Conv2DBackpropInput', 'cpu');
    registerWasmGradientKernels();
    registerWasmGradientKernels();
    for (const k of wasmKernelConfigs) expect(tf.getKernel(k.kernelName, 'wasm')?.kernelFunc).toBe(k.kernelFunc);
    expect(tf.getKernel('Conv2DBackpropInput', 'cpu')).toBe(cpuBefore);
    unregisterWasmGradientKernels();
    expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBeUndefined();
    expect(tf.getKernel('BatchMatMul', 'wasm')?.kernelFunc).not.toBe(wasmKernelConfigs[0].kernelFunc);
    expect(tf.getKernel('BatchMatMul', 'wasm')).toBeDefined();
    registerWasmGradientKernels();
    expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBeDefined();
  });
});
