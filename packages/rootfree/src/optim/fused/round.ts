import type { Precision } from '../../precision/index.js';

/**
 * Scalar round-to-nearest-even of a float32 value to bf16/fp16 precision, written with the same
 * float32 operations as the composite rounding in `src/precision/composite.ts` (Veltkamp split,
 * magnitude bands) so fused and composite updates agree bit for bit. Values stay float32.
 */
export type Rounder = (x: number) => number;

const fr = Math.fround;

/** Half-to-even rounding to an integer (tf.round semantics); `Math.round` rounds halves up. */
function rint(y: number): number {
  const r = Math.round(y);
  return r - y === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

const TWO_M64 = 2 ** -64;
const TWO_64 = 2 ** 64;
const TWO_100 = 2 ** 100;
const TWO_M126 = 2 ** -126;
const TWO_133 = 2 ** 133;
const TWO_M133 = 2 ** -133;

export function roundBf16(x: number): number {
  const ax = Math.abs(x);
  if (ax > TWO_100) {
    if (ax === Infinity) return x;
    const y = x * TWO_M64;
    const c = fr(y * 65537);
    return fr(c - fr(c - y)) * TWO_64;
  }
  if (ax < TWO_M126) return rint(x * TWO_133) * TWO_M133;
  const c = fr(x * 65537);
  return fr(c - fr(c - x));
}

const FP16_OVERFLOW = 65520;
const TWO_M14 = 2 ** -14;
const TWO_24 = 2 ** 24;
const TWO_M24 = 2 ** -24;

export function roundFp16(x: number): number {
  const ax = Math.abs(x);
  if (ax >= FP16_OVERFLOW) return x > 0 ? Infinity : -Infinity;
  if (ax < TWO_M14) return rint(x * TWO_24) * TWO_M24;
  const c = fr(x * 8193);
  return fr(c - fr(c - x));
}

/** The rounder of a storage precision; null for float32 (no rounding). */
export function rounderFor(precision: Precision): Rounder | null {
  return precision === 'bfloat16' ? roundBf16 : precision === 'float16' ? roundFp16 : null;
}
