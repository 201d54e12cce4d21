import { describe, expect, it } from 'vitest';
import { fromBf16Bits, fromFp16Bits, roundArray, toBf16Bits, toFp16Bits } from '../../src/precision/index.js';
import { describeMismatch, FORMATS, fromBits, randomBits, refRoundArray, specialCases, tieCases } from './reference.js';

const HALF = ['bfloat16', 'float16'] as const;

function expectSameBits(src: Float32Array, got: Float32Array, want: Float32Array): void {
  expect(describeMismatch(src, got, want)).toBe('none');
}

function allPatterns16(): Uint16Array {
  const h = new Uint16Array(65536);
  for (let i = 0; i < 65536; i++) h[i] = i;
  return h;
}

function isNanBf16(h: number): boolean { return (h & 0x7f80) === 0x7f80 && (h & 0x7f) !== 0; }
function isNanFp16(h: number): boolean { return (h & 0x7c00) === 0x7c00 && (h & 0x3ff) !== 0; }

describe('roundArray: SPEC §9 G8 values', () => {
  it('bf16 ties and near-ties', () => {
    const src = new Float32Array([1 + 2 ** -8, 1 + 3 * 2 ** -8, 1 + 2 ** -8 + 2 ** -20]);
    expect(Array.from(roundArray(src, 'bfloat16'))).toEqual([1, 1.015625, 1.0078125]);
  });

  it('bf16 scaling by 0.99882 is a no-op for 1 and 1.5; 1 + 0.5·0.05² rounds back to 1', () => {
    // One fp32 op (Math.fround) then one bf16 rounding, as PyTorch's opmath does.
    const f = Math.fround;
    const v = roundArray(new Float32Array([1, 1.5]), 'bfloat16');
    const scaled = new Float32Array([f(v[0] * f(0.99882)), f(v[1] * f(0.99882))]);
    expect(Array.from(roundArray(scaled, 'bfloat16'))).toEqual([1, 1.5]);
    const g = f(0.05);
    const addcmul = new Float32Array([f(1 + f(0.5) * f(g * g))]);
    expect(roundArray(addcmul, 'bfloat16')[0]).toBe(1);
  });
});

describe('roundArray: exhaustive 16-bit patterns', () => {
  it('every bf16 pattern round-trips through roundArray and the bit helpers', () => {
    const h = allPatterns16();
    const v = fromBf16Bits(h);
    const r = roundArray(v, 'bfloat16');
    expectSameBits(v, r, v); // NaNs only need to stay NaN
    const back = toBf16Bits(v);
    let bad = -1;
    for (let i = 0; i < 65536; i++) {
      if (isNanBf16(i) ? !isNanBf16(back[i]) : back[i] !== i) { bad = i; break; }
    }
    expect(bad).toBe(-1);
    for (let i = 0; i < 65536; i++) if (isNanBf16(i)) expect(Number.isNaN(v[i])).toBe(true);
  });

  it('every fp16 pattern round-trips through roundArray and the bit helpers', () => {
    const h = allPatterns16();
    const v = fromFp16Bits(h);
    expectSameBits(v, roundArray(v, 'float16'), v);
    // Decoding agrees with the float64 formula.
    let bad = -1;
    for (let i = 0; i < 65536 && bad < 0; i++) {
      const s = i & 0x8000 ? -1 : 1;
      const e = (i >>> 10) & 31;
      const m = i & 0x3ff;
      const want = e === 0 ? s * m * 2 ** -24 : e === 31 ? (m ? NaN : s * Infinity) : s * (1 + m / 1024) * 2 ** (e - 15);
      if (!Object.is(v[i], want)) bad = i;
    }
    expect(bad).toBe(-1);
    const back = toFp16Bits(v);
    bad = -1;
    for (let i = 0; i < 65536; i++) {
      if (isNanFp16(i) ? !isNanFp16(back[i]) : back[i] !== i) { bad = i; break; }
    }
    expect(bad).toBe(-1);
  });

  it('fp16 has 2046·31 finite non-subnormal values below 65504 and max finite 65504', () => {
    const v = fromFp16Bits(allPatterns16());
    expect(v[0x7bff]).toBe(65504);
    expect(v[0x0001]).toBe(2 ** -24);
    expect(v[0x7c00]).toBe(Infinity);
    expect(Object.is(v[0x8000], -0)).toBe(true);
  });
});

describe.each(HALF)('roundArray %s vs float64 reference', (p) => {
  const f = FORMATS[p];

  it('exact midpoints (ties to even) and their float32 neighbours, all exponents', () => {
    const src = tieCases(f, 7);
    expect(src.length).toBeGreaterThan(500);
    expectSameBits(src, roundArray(src, p), refRoundArray(src, f));
  });

  it('ties go to the even neighbour', () => {
    const q = p === 'bfloat16' ? 2 ** -7 : 2 ** -10;
    const src = new Float32Array([1 + 0.5 * q, 1 + 1.5 * q, 2 + q, 2 + 3 * q, -(1 + 0.5 * q)]);
    expect(Array.from(roundArray(src, p))).toEqual([1, 1 + 2 * q, 2, 2 + 4 * q, -1]);
  });

  it('special values: zeros, NaN, Inf, overflow thresholds, subnormals', () => {
    const src = specialCases();
    const got = roundArray(src, p);
    expectSameBits(src, got, refRoundArray(src, f));
    for (let i = 0; i < src.length; i++) {
      if (Number.isNaN(src[i])) {
        expect(Number.isNaN(got[i])).toBe(true);
        // Quiet bit set.
        expect(new Int32Array(got.buffer)[i] & 0x00400000).not.toBe(0);
      }
    }
  });

  it('1e5 random float32 bit patterns', () => {
    const src = randomBits(100_000, p === 'bfloat16' ? 11 : 12);
    expectSameBits(src, roundArray(src, p), refRoundArray(src, f));
  });

  it('writes into `out`, also in place', () => {
    const src = randomBits(1000, 5);
    const want = roundArray(src, p);
    const out = new Float32Array(1000);
    expect(roundArray(src, p, out)).toBe(out);
    expectSameBits(src, out, want);
    const inplace = src.slice();
    roundArray(inplace, p, inplace);
    expectSameBits(src, inplace, want);
    expect(() => roundArray(src, p, new Float32Array(3))).toThrow(/length/);
  });

  it('bit helpers encode the rounded value', () => {
    const src = randomBits(20_000, 21);
    const rounded = refRoundArray(src, f);
    const back = p === 'bfloat16' ? fromBf16Bits(toBf16Bits(src)) : fromFp16Bits(toFp16Bits(src));
    expectSameBits(src, back, rounded);
  });
});

describe('roundArray: fixed expectations', () => {
  it('fp16 overflow and subnormal boundaries', () => {
    const src = new Float32Array([65504, 65519, 65520, 2 ** -24, 2 ** -25, 3 * 2 ** -25, -(2 ** -25), 2 ** -14 - 2 ** -26]);
    const r = roundArray(src, 'float16');
    expect(Array.from(r)).toEqual([65504, 65504, Infinity, 2 ** -24, 0, 2 ** -23, -0, 2 ** -14]);
    expect(Object.is(r[6], -0)).toBe(true);
  });

  it('bf16 overflow and subnormal boundaries', () => {
    const src = fromBits([0x7f7f7fff, 0x7f7f8000, 0x00008000, 0x00018000, 0x80008000, 0x00000001]);
    const r = new Uint32Array(roundArray(src, 'bfloat16').buffer);
    expect(Array.from(r, (x) => x.toString(16))).toEqual(['7f7f0000', '7f800000', '0', '20000', '80000000', '0']);
  });

  it('float32 is a copy', () => {
    const src = randomBits(100, 3);
    expectSameBits(src, roundArray(src, 'float32'), src);
  });
});
