import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../../src/backend/setup.js';
import { hasRoundKernel, roundWithKernel } from '../../src/backend/roundKernel.js';
import { fromBf16Bits, fromFp16Bits, matMulP, maybeRound, roundArray, roundComposite, roundTensor } from '../../src/precision/index.js';
import { describeMismatch, FORMATS, randomBits, refRound, refRoundArray, specialCases, tieCases } from './reference.js';

const HALF = ['bfloat16', 'float16'] as const;
type Half = (typeof HALF)[number];

function allPatterns16(): Uint16Array {
  const h = new Uint16Array(65536);
  for (let i = 0; i < 65536; i++) h[i] = i;
  return h;
}

/** Runs `path` on a 1-D tensor of `src`, returns its values; checks no tensor leaks. */
function run(src: Float32Array, path: (x: tf.Tensor) => tf.Tensor): Float32Array {
  const before = tf.memory().numTensors;
  const x = tf.tensor1d(src);
  const y = path(x);
  const out = y.dataSync() as Float32Array;
  x.dispose();
  y.dispose();
  expect(tf.memory().numTensors).toBe(before);
  return out;
}

/** The three paths (kernel, composite, array) must all equal the float64 reference bit-for-bit. */
function checkAll(src: Float32Array, p: Half, want: Float32Array = refRoundArray(src, FORMATS[p])): void {
  expect(describeMismatch(src, roundArray(src, p), want)).toBe('none');
  expect(describeMismatch(src, run(src, (x) => roundWithKernel(x, p)), want)).toBe('none');
  expect(describeMismatch(src, run(src, (x) => roundComposite(x, p)), want)).toBe('none');
  expect(describeMismatch(src, run(src, (x) => roundTensor(x, p)), want)).toBe('none');
}

describe.each(['cpu', 'wasm'] as const)('rounding tensors on %s', (backend) => {
  beforeAll(async () => {
    await useBackend(backend);
  });

  it('registers the RootfreeRound kernel', () => {
    expect(tf.getBackend()).toBe(backend);
    expect(hasRoundKernel(backend)).toBe(true);
  });

  it('SPEC §9 G8 values', () => {
    const src = new Float32Array([1 + 2 ** -8, 1 + 3 * 2 ** -8, 1 + 2 ** -8 + 2 ** -20]);
    checkAll(src, 'bfloat16', new Float32Array([1, 1.015625, 1.0078125]));
  });

  it('SPEC §9 G8 ops: bf16 EMA scaling and addcmul are lost to rounding', () => {
    for (const round of [roundTensor, roundComposite]) {
      const out = tf.tidy(() => {
        const v = round(tf.tensor1d([1, 1.5]), 'bfloat16');
        const scaled = round(tf.mul(v, 0.99882), 'bfloat16');
        const g = tf.scalar(0.05);
        const addcmul = round(tf.add(tf.scalar(1), tf.mul(0.5, tf.mul(g, g))), 'bfloat16');
        return tf.concat([scaled, tf.reshape(addcmul, [1])]);
      });
      expect(Array.from(out.dataSync())).toEqual([1, 1.5, 1]);
      out.dispose();
    }
  });

  it.each(HALF)('exhaustive: every finite %s pattern round-trips unchanged on all paths', (p) => {
    const all = p === 'bfloat16' ? fromBf16Bits(allPatterns16()) : fromFp16Bits(allPatterns16());
    const finite = all.filter((x) => Number.isFinite(x));
    expect(finite.length).toBe(p === 'bfloat16' ? 65536 - 2 * 128 : 65536 - 2 * 1024);
    checkAll(finite, p, finite);
    // Inf and NaN patterns: Inf stays, NaN stays NaN.
    const rest = all.filter((x) => !Number.isFinite(x));
    checkAll(rest, p, rest);
  });

  it.each(HALF)('%s ties to even at every exponent (and float32 neighbours of the ties)', (p) => {
    checkAll(tieCases(FORMATS[p], 3), p);
  });

  it.each(HALF)('%s special values: zeros, NaN, ±Inf, overflow thresholds, subnormals', (p) => {
    const src = specialCases();
    checkAll(src, p);
    const out = run(src, (x) => roundTensor(x, p));
    for (let i = 0; i < src.length; i++) {
      if (Object.is(src[i], -0)) expect(Object.is(out[i], -0)).toBe(true);
    }
  });

  it.each(HALF)('%s fixed boundary values', (p) => {
    const src = p === 'float16'
      ? new Float32Array([65504, 65519, 65520, -65520, 2 ** -24, 2 ** -25, 3 * 2 ** -25, -(2 ** -25)])
      : new Float32Array([3.3895313892515355e38, 3.3961775292304e38, 3.4e38, 2 ** -133, 2 ** -134, 3 * 2 ** -134, -(2 ** -134)]);
    const want = p === 'float16'
      ? [65504, 65504, Infinity, -Infinity, 2 ** -24, 0, 2 ** -23, -0]
      : [3.3895313892515355e38, Infinity, Infinity, 2 ** -133, 0, 2 ** -132, -0];
    checkAll(src, p, new Float32Array(want));
    expect(refRound(want[want.length - 1], FORMATS[p])).toBe(-0);
  });

  it.each(HALF)('%s: 1e5 random float32 bit patterns agree across all paths', (p) => {
    checkAll(randomBits(100_000, backend === 'cpu' ? 101 : 202), p);
  });

  it('kernel handles empty, 2-D and non-float32 inputs; float32 is a copy', () => {
    const e = roundTensor(tf.tensor1d([]), 'bfloat16');
    expect(e.shape).toEqual([0]);
    const m = roundTensor(tf.tensor2d([[1 + 2 ** -8, 3], [257, -0.1]]), 'bfloat16');
    expect(m.shape).toEqual([2, 2]);
    expect(Array.from(m.dataSync())).toEqual([1, 3, 256, refRound(Math.fround(-0.1), FORMATS.bfloat16)]);
    const i = roundTensor(tf.tensor1d([257, 2049], 'int32'), 'float16');
    expect(i.dtype).toBe('float32');
    expect(Array.from(i.dataSync())).toEqual([257, 2048]);
    const x = tf.tensor1d([1 + 2 ** -20]);
    const c = roundTensor(x, 'float32');
    expect(c).not.toBe(x);
    expect(c.dataSync()[0]).toBe(Math.fround(1 + 2 ** -20));
    expect(maybeRound(x, 'float32')).toBe(x);
    tf.dispose([e, m, i, x, c]);
  });

  it('the kernel gradient is straight-through', () => {
    const x = tf.tensor1d([1.3, -2.7, 1e-3]);
    const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(roundTensor(t, 'bfloat16'), tf.tensor1d([2, 3, 4]))))(x);
    expect(Array.from(g.dataSync())).toEqual([2, 3, 4]);
    tf.dispose([x, g]);
  });

  it.each(HALF)('matMulP %s: representable inputs, exact fp32 products and sums, one rounding', (p) => {
    // Small integers are representable in both formats and every partial sum is exact in fp32,
    // so the only rounding is the final one; sums above 256 (bf16) / 2048 (fp16) exercise ties.
    const r = (n: number) => Array.from({ length: n }, (_, i) => ((i * 37 + 11) % 29) - 14);
    const a = tf.tensor2d(r(5 * 16), [5, 16]);
    const b = tf.tensor2d(r(16 * 7).map((v) => v * 3), [16, 7]);
    const av = a.arraySync();
    const bv = b.arraySync();
    const before = tf.memory().numTensors;
    const c = matMulP(a, b, p);
    expect(tf.memory().numTensors).toBe(before + 1);
    expect(c.shape).toEqual([5, 7]);
    const got = c.arraySync();
    let inexact = 0;
    for (let i = 0; i < 5; i++) {
      for (let j = 0; j < 7; j++) {
        let s = 0;
        for (let k = 0; k < 16; k++) s += av[i][k] * bv[k][j];
        const want = refRound(s, FORMATS[p]);
        if (want !== s) inexact++;
        expect(got[i][j]).toBe(want);
      }
    }
    if (p === 'bfloat16') expect(inexact).toBeGreaterThan(0);
    const f = matMulP(a, b, 'float32');
    expect(Array.from(f.dataSync())).toEqual(Array.from(tf.matMul(a, b).dataSync()));
    tf.dispose([a, b, c, f]);
  });

  it('rounding a rounded tensor is the identity (idempotent) on random data', () => {
    const src = randomBits(10_000, 77);
    for (const p of HALF) {
      const once = run(src, (x) => roundTensor(x, p));
      expect(describeMismatch(once, run(once, (x) => roundTensor(x, p)), once)).toBe('none');
    }
  });
});
