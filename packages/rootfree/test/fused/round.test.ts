import { describe, expect, it } from 'vitest';
import { roundArray } from '../../src/precision/index.js';
import { roundBf16, roundFp16 } from '../../src/optim/fused/round.js';
import { normals } from './helpers.js';

/** The fused kernels' scalar rounders must equal the bit-level reference `roundArray`. */
function values(): Float32Array {
  const rnd = normals(3);
  const xs: number[] = [0, -0, 1, -1, 1 + 2 ** -8, 1 + 3 * 2 ** -8, 1 + 2 ** -8 + 2 ** -20, 1 + 2 ** -11, 1 + 3 * 2 ** -11, 65504, 65519.99, 65520, -65520, 1e30, 3.3e38, -3.4e38, Infinity, -Infinity, 2 ** -126, 2 ** -127 * 1.5, 2 ** -133 * 2.5, 2 ** -149, 2 ** -14, 2 ** -24 * 0.5, 2 ** -24 * 1.5, 2 ** -25 * 1.01, 5.96e-8, 2 ** 101, 2 ** 111.95];
  for (const s of [1e-40, 1e-30, 1e-7, 1e-3, 1, 1e3, 6e4, 1e20, 1e35]) xs.push(...rnd(2000, s));
  // Exact ties of both formats at many exponents.
  for (let e = -140; e < 120; e += 3) {
    xs.push((1 + 2 ** -8) * 2 ** e, (1 + 3 * 2 ** -8) * 2 ** e, -(1 + 2 ** -11) * 2 ** e, (1 + 3 * 2 ** -11) * 2 ** e);
  }
  return Float32Array.from(xs);
}

describe('fused scalar rounders', () => {
  it.each([
    ['bfloat16', roundBf16],
    ['float16', roundFp16],
  ] as const)('%s matches roundArray bit for bit', (precision, fn) => {
    const x = values();
    const want = roundArray(x, precision);
    const got = Float32Array.from(x, (v) => fn(v));
    const wb = new Uint32Array(want.buffer);
    const gb = new Uint32Array(got.buffer);
    const bad: string[] = [];
    for (let i = 0; i < x.length; i++) if (wb[i] !== gb[i]) bad.push(`${x[i]} -> ${got[i]} (want ${want[i]})`);
    expect(bad.slice(0, 5)).toEqual([]);
  });
});
