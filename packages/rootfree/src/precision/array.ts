import type { Precision } from './types.js';

/*
 * Bit-level round-to-nearest-even of float32 arrays to bfloat16 / float16 values (still stored as
 * float32). Loops work on Int32Array views so every intermediate stays a small integer in V8
 * (magnitude bits `a < 2^31`, so `a + bias` never leaves int32 range).
 */

const SIGN = 0x80000000 | 0;
const ABS = 0x7fffffff;
const INF_BITS = 0x7f800000;
const QUIET = 0x00400000;

/** fp16 magnitudes below 2^-14 (float32 bits 0x38800000) are subnormal in fp16. */
const FP16_MIN_NORMAL_BITS = 0x38800000;
/** 65520 = 65504 + half an ulp: this and above round to Inf (the tie goes to the even Inf). */
const FP16_OVERFLOW_BITS = 0x477ff000;
/** Adding then subtracting 2^52 rounds a float64 in [0, 2^51) to an integer, ties to even. */
const RNE_MAGIC = 4503599627370496;
const TWO24 = 16777216;
const TWO_M24 = 1 / TWO24;

function i32(a: Float32Array): Int32Array {
  return new Int32Array(a.buffer, a.byteOffset, a.length);
}

function checkOut(src: Float32Array, out: Float32Array | undefined): Float32Array {
  if (out === undefined) return new Float32Array(src.length);
  if (out.length !== src.length) throw new RangeError(`roundArray: out has length ${out.length}, expected ${src.length}`);
  return out;
}

/**
 * Rounds every element of `src` to `precision` (round-to-nearest-even, overflow to ±Inf,
 * subnormals of the target format kept, NaN stays a quiet NaN) and writes float32 values that
 * are exactly representable in that format into `out` (may be `src` itself). Returns `out`.
 */
export function roundArray(src: Float32Array, precision: Precision, out?: Float32Array): Float32Array {
  const dst = checkOut(src, out);
  if (precision === 'float32') {
    if (dst !== src) dst.set(src);
  } else if (precision === 'bfloat16') {
    roundBf16Loop(i32(src), i32(dst), src.length);
  } else {
    roundFp16Loop(src, dst, src.length);
  }
  return dst;
}

function roundBf16Loop(s: Int32Array, o: Int32Array, n: number): void {
  for (let i = 0; i < n; i++) {
    const u = s[i];
    const a = u & ABS;
    if (a > INF_BITS) {
      o[i] = (u | QUIET) & 0xffff0000;
    } else {
      // Carry out of the mantissa bumps the exponent; past the max finite it lands exactly on Inf.
      o[i] = ((a + 0x7fff + ((a >>> 16) & 1)) & 0xffff0000) | (u & SIGN);
    }
  }
}

function roundFp16Loop(src: Float32Array, dst: Float32Array, n: number): void {
  const s = i32(src);
  const o = i32(dst);
  for (let i = 0; i < n; i++) {
    const u = s[i];
    const a = u & ABS;
    if (a >= FP16_MIN_NORMAL_BITS) {
      if (a < FP16_OVERFLOW_BITS) {
        o[i] = ((a + 0xfff + ((a >>> 13) & 1)) & 0xffffe000) | (u & SIGN);
      } else if (a <= INF_BITS) {
        o[i] = INF_BITS | (u & SIGN);
      } else {
        o[i] = (u | QUIET) & 0xffffe000;
      }
    } else {
      // fp16 subnormal range: quantum 2^-24. |x|·2^24 < 1024 is exact in float64 and the magic
      // addition rounds it to an integer with ties to even; the product back is exact in float32.
      const x = Math.abs(src[i]);
      const q = (x * TWO24 + RNE_MAGIC) - RNE_MAGIC;
      dst[i] = u < 0 ? -(q * TWO_M24) : q * TWO_M24;
    }
  }
}

/** Rounds to bfloat16 and returns the 16-bit patterns (sign, 8 exponent, 7 mantissa bits). */
export function toBf16Bits(src: Float32Array, out?: Uint16Array): Uint16Array {
  const dst = out ?? new Uint16Array(src.length);
  if (dst.length !== src.length) throw new RangeError(`toBf16Bits: out has length ${dst.length}, expected ${src.length}`);
  const s = i32(src);
  for (let i = 0; i < src.length; i++) {
    const u = s[i];
    const a = u & ABS;
    const r = a > INF_BITS ? (u | QUIET) : ((a + 0x7fff + ((a >>> 16) & 1)) | (u & SIGN));
    dst[i] = r >>> 16;
  }
  return dst;
}

/** Expands bfloat16 bit patterns to float32 values (exact). */
export function fromBf16Bits(bits: Uint16Array, out?: Float32Array): Float32Array {
  const dst = out ?? new Float32Array(bits.length);
  if (dst.length !== bits.length) throw new RangeError(`fromBf16Bits: out has length ${dst.length}, expected ${bits.length}`);
  const o = i32(dst);
  for (let i = 0; i < bits.length; i++) o[i] = bits[i] << 16;
  return dst;
}

/** Rounds to float16 and returns the IEEE binary16 bit patterns. */
export function toFp16Bits(src: Float32Array, out?: Uint16Array): Uint16Array {
  const dst = out ?? new Uint16Array(src.length);
  if (dst.length !== src.length) throw new RangeError(`toFp16Bits: out has length ${dst.length}, expected ${src.length}`);
  const s = i32(src);
  for (let i = 0; i < src.length; i++) {
    const u = s[i];
    const a = u & ABS;
    const sign = (u >>> 16) & 0x8000;
    let h: number;
    if (a >= FP16_MIN_NORMAL_BITS) {
      if (a < FP16_OVERFLOW_BITS) {
        // Re-bias the exponent (127 → 15) after rounding; a carry into the exponent is kept.
        h = (((a + 0xfff + ((a >>> 13) & 1)) >>> 13) - (112 << 10));
      } else if (a <= INF_BITS) {
        h = 0x7c00;
      } else {
        h = 0x7e00 | ((a >>> 13) & 0x3ff);
      }
    } else {
      // Subnormal fp16: the integer multiple of 2^-24 is the bit pattern (1024 = smallest normal).
      h = (Math.abs(src[i]) * TWO24 + RNE_MAGIC) - RNE_MAGIC;
    }
    dst[i] = sign | h;
  }
  return dst;
}

let fp16Table: Int32Array | undefined;
/** float32 bit patterns of all 65536 fp16 values (built once, 256 KiB). */
function fp16ToF32Table(): Int32Array {
  if (fp16Table) return fp16Table;
  const t = new Int32Array(65536);
  const f = new Float32Array(t.buffer);
  for (let h = 0; h < 65536; h++) {
    const sign = (h & 0x8000) << 16;
    const e = (h >>> 10) & 0x1f;
    const m = h & 0x3ff;
    if (e === 0) {
      f[h] = (h & 0x8000 ? -m : m) * TWO_M24;
    } else if (e === 31) {
      t[h] = sign | INF_BITS | (m << 13);
    } else {
      t[h] = sign | ((e + 112) << 23) | (m << 13);
    }
  }
  fp16Table = t;
  return t;
}

/** Expands IEEE binary16 bit patterns to float32 values (exact). */
export function fromFp16Bits(bits: Uint16Array, out?: Float32Array): Float32Array {
  const dst = out ?? new Float32Array(bits.length);
  if (dst.length !== bits.length) throw new RangeError(`fromFp16Bits: out has length ${dst.length}, expected ${bits.length}`);
  const t = fp16ToF32Table();
  const o = i32(dst);
  for (let i = 0; i < bits.length; i++) o[i] = t[bits[i]];
  return dst;
}
