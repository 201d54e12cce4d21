/**
 * Independent float64 reference for float32 → bf16/fp16 round-to-nearest-even: plain arithmetic
 * on the value (binade, quantum, floor and remainder), no bit manipulation. Slow; tests only.
 */
export interface Format {
  /** Significant bits including the implicit one. */
  digits: number;
  /** Exponent of the smallest normal. */
  emin: number;
  /** Largest finite value. */
  max: number;
}

export const FORMATS: Record<'bfloat16' | 'float16', Format> = {
  bfloat16: { digits: 8, emin: -126, max: (2 - 2 ** -7) * 2 ** 127 },
  float16: { digits: 11, emin: -14, max: 65504 },
};

function binade(a: number): number {
  let e = Math.floor(Math.log2(a));
  while (2 ** e > a) e--;
  while (2 ** (e + 1) <= a) e++;
  return e;
}

/** Rounds the float32 value `v` (a JS number) to the format; the result is a float32 value. */
export function refRound(v: number, f: Format): number {
  if (Number.isNaN(v) || v === 0 || !Number.isFinite(v)) return v;
  const a = Math.abs(v);
  const q = 2 ** (Math.max(binade(a), f.emin) - (f.digits - 1));
  const y = a / q;
  let r = Math.floor(y);
  const frac = y - r;
  if (frac > 0.5 || (frac === 0.5 && r % 2 === 1)) r += 1;
  let out = r * q;
  if (out > f.max) out = Infinity;
  return v < 0 ? -out : out;
}

export function refRoundArray(src: Float32Array, f: Format): Float32Array {
  const out = new Float32Array(src.length);
  for (let i = 0; i < src.length; i++) out[i] = refRound(src[i], f);
  return out;
}

/** Index of the first element whose bits differ (NaN matches any NaN), or -1. */
export function firstMismatch(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return 0;
  const ai = new Int32Array(a.buffer, a.byteOffset, a.length);
  const bi = new Int32Array(b.buffer, b.byteOffset, b.length);
  for (let i = 0; i < a.length; i++) {
    if (ai[i] !== bi[i] && !(Number.isNaN(a[i]) && Number.isNaN(b[i]))) return i;
  }
  return -1;
}

export function describeMismatch(src: Float32Array, got: Float32Array, want: Float32Array): string {
  const i = firstMismatch(got, want);
  if (i < 0) return 'none';
  const bits = (x: number) => (new Int32Array(new Float32Array([x]).buffer)[0] >>> 0).toString(16).padStart(8, '0');
  return `index ${i}: input ${src[i]} (0x${bits(src[i])}) → got ${got[i]} (0x${bits(got[i])}), want ${want[i]} (0x${bits(want[i])})`;
}

/** float32 values from raw bit patterns. */
export function fromBits(bits: ArrayLike<number>): Float32Array {
  const u = Uint32Array.from(bits, (b) => b >>> 0);
  return new Float32Array(u.buffer);
}

/** Deterministic 32-bit generator (mulberry32). */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
}

/** Exact midpoints between consecutive representable values (plus their float32 neighbours). */
export function tieCases(f: Format, seed = 1): Float32Array {
  const next = rng(seed);
  const out: number[] = [];
  const lowest = f.emin - (f.digits - 1);
  const emax = Math.floor(Math.log2(f.max));
  for (let e = f.emin; e <= emax; e++) {
    const q = 2 ** (Math.max(e, f.emin) - (f.digits - 1));
    for (let j = 0; j < 6; j++) {
      const k = 2 ** (f.digits - 1) + (next() % 2 ** (f.digits - 1));
      const mid = (k + (j % 2) + 0.5) * q; // both odd and even lower neighbours
      if (mid < f.max) out.push(mid, -mid);
    }
  }
  // Subnormal band of the format: quantum 2^lowest.
  for (let j = 0; j < 64; j++) {
    const k = next() % 2 ** (f.digits - 1);
    out.push((k + 0.5) * 2 ** lowest, -(k + 0.5) * 2 ** lowest);
  }
  const mids = new Float32Array(out);
  const withNeighbours = new Int32Array(mids.length * 3);
  const mi = new Int32Array(mids.buffer);
  for (let i = 0; i < mi.length; i++) withNeighbours.set([mi[i], mi[i] - 1, mi[i] + 1], 3 * i);
  return new Float32Array(withNeighbours.buffer);
}

/** Special values: signed zeros, NaN, ±Inf, overflow thresholds, smallest subnormals. */
export function specialCases(): Float32Array {
  const v = [
    0, -0, NaN, Infinity, -Infinity, 1, -1,
    // fp16
    65504, 65505, 65519, 65519.99609375, 65520, 65520.00390625, 65535, 65536, 1e5,
    2 ** -24, 2 ** -25, 3 * 2 ** -26, 2 ** -25 + 2 ** -40, 3 * 2 ** -25, 2 ** -14, 2 ** -14 - 2 ** -25, 2 ** -14 - 2 ** -26,
    2 ** -15, 2 ** -26, 1e-8, 6e-8, 6.1e-5,
    // bf16 / float32 extremes
    3.3895313892515355e38, 3.3961775292304e38, 3.4028234663852886e38, 2 ** 127, 2 ** 111, 2 ** 112, 2 ** 100, 2 ** 101,
    2 ** -126, 2 ** -133, 2 ** -134, 3 * 2 ** -135, 2 ** -149, 2 ** -127, 1.17e-38,
  ];
  const out = new Float32Array(v.length * 2);
  v.forEach((x, i) => { out[2 * i] = x; out[2 * i + 1] = -x; });
  const extra = fromBits([0x7f7f7fff, 0x7f7f8000, 0x7f7f8001, 0x7fc00000, 0x7f800001, 0xffc00001, 0x7fbfffff, 0x477fefff, 0x477ff000, 0x477ff001, 0x00000001, 0x807fffff]);
  const all = new Float32Array(out.length + extra.length);
  all.set(out);
  all.set(extra, out.length);
  return all;
}

export function randomBits(n: number, seed: number): Float32Array {
  const next = rng(seed);
  const u = new Uint32Array(n);
  for (let i = 0; i < n; i++) u[i] = next();
  return new Float32Array(u.buffer);
}
