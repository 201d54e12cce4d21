/** Float64 test helpers (independent of src/linalg). */
import { rng } from '../core/helpers.js';

export function randomSymmetric(n: number, seed: number, scale = 1): Float64Array {
  const r = rng(seed);
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) a[i * n + j] = a[j * n + i] = r.normal() * scale;
  return a;
}

export function mm(a: ArrayLike<number>, b: ArrayLike<number>, n: number): Float64Array {
  const c = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let k = 0; k < n; k++) for (let j = 0; j < n; j++) c[i * n + j] += a[i * n + k] * b[k * n + j];
  return c;
}

export function power(a: ArrayLike<number>, n: number, p: number): Float64Array {
  let out: Float64Array = new Float64Array(n * n);
  for (let i = 0; i < n; i++) out[i * n + i] = 1;
  for (let k = 0; k < p; k++) out = mm(out, a, n);
  return out;
}

/** ‖A‖_∞ (max row sum). */
export function infNorm(a: ArrayLike<number>, n: number): number {
  let m = 0;
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < n; j++) s += Math.abs(a[i * n + j]);
    m = Math.max(m, s);
  }
  return m;
}

export function sub(a: ArrayLike<number>, b: ArrayLike<number>): Float64Array {
  return Float64Array.from(a, (x, i) => x - b[i]);
}

export function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]));
  return m;
}

/** SPEC §8.4 family 1: diagonal α, off-diagonal β, corners α+β; eigenvalues α + 2β·cos(jπ/n), j = 0..n−1. */
export function tridiagFamily1(n: number, alpha: number, beta: number): { a: Float64Array; eig: number[] } {
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    a[i * n + i] = alpha;
    if (i + 1 < n) a[i * n + i + 1] = a[(i + 1) * n + i] = beta;
  }
  a[0] += beta;
  a[n * n - 1] += beta;
  const eig = Array.from({ length: n }, (_, j) => alpha + 2 * beta * Math.cos((j * Math.PI) / n)).sort((x, y) => x - y);
  return { a, eig };
}

/** SPEC §8.4 family 2: first diagonal entry α−β; eigenvalues α + 2β·cos(2jπ/(2n+1)), j = 1..n. */
export function tridiagFamily2(n: number, alpha: number, beta: number): { a: Float64Array; eig: number[] } {
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    a[i * n + i] = alpha;
    if (i + 1 < n) a[i * n + i + 1] = a[(i + 1) * n + i] = beta;
  }
  a[0] -= beta;
  const eig = Array.from({ length: n }, (_, j) => alpha + 2 * beta * Math.cos((2 * (j + 1) * Math.PI) / (2 * n + 1))).sort((x, y) => x - y);
  return { a, eig };
}

export const ALPHA_BETA: Array<[number, number]> = (() => {
  const vals = [1e-3, 1e-2, 1e-1, 1, 10, 100];
  const out: Array<[number, number]> = [];
  for (const alpha of vals) for (const beta of vals) if (2 * beta <= alpha) out.push([alpha, beta]);
  return out;
})();
