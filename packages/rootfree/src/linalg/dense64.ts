/**
 * Small row-major float64 matrix helpers for the factor-sized (≤ a few thousand) matrices of
 * root-based Shampoo. Loops are i-k-j so the innermost loop is contiguous.
 */

export function identity64(n: number, scale = 1): Float64Array {
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) out[i * n + i] = scale;
  return out;
}

/** C = A·B for n×n row-major matrices. */
export function matmul64(a: Float64Array, b: Float64Array, n: number): Float64Array {
  const c = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    const ci = i * n;
    for (let k = 0; k < n; k++) {
      const aik = a[ci + k];
      if (aik === 0) continue;
      const bk = k * n;
      for (let j = 0; j < n; j++) c[ci + j] += aik * b[bk + j];
    }
  }
  return c;
}

/** Aᵖ for a non-negative integer p by binary powering. */
export function matpow64(a: Float64Array, n: number, p: number): Float64Array {
  if (!Number.isInteger(p) || p < 0) throw new RangeError(`matpow64: exponent must be a non-negative integer, got ${p}`);
  let result: Float64Array | null = null;
  let base = a;
  let e = p;
  while (e > 0) {
    if (e & 1) result = result === null ? base.slice() : matmul64(result, base, n);
    e >>>= 1;
    if (e > 0) base = matmul64(base, base, n);
  }
  return result ?? identity64(n);
}

/** max_ij |A_ij − B_ij|. */
export function maxAbsDiff64(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** max_ij |A_ij − δ_ij|. */
export function maxAbsDiffIdentity64(a: ArrayLike<number>, n: number): number {
  let m = 0;
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) m = Math.max(m, Math.abs(a[i * n + j] - (i === j ? 1 : 0)));
  return m;
}

export function frobeniusNorm64(a: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * a[i];
  return Math.sqrt(s);
}

/**
 * Vᵀ·diag(f)·V where the rows of V are eigenvectors: Σ_k f_k v_k v_kᵀ, built as symmetric rank-1
 * updates of the upper triangle (contiguous inner loop) and mirrored, so the result is exactly
 * symmetric.
 */
export function spectralCompose64(vectors: Float64Array, f: Float64Array, n: number): Float64Array {
  const out = new Float64Array(n * n);
  for (let k = 0; k < n; k++) {
    const fk = f[k];
    if (fk === 0) continue;
    const vk = k * n;
    for (let i = 0; i < n; i++) {
      const a = fk * vectors[vk + i];
      if (a === 0) continue;
      const oi = i * n;
      for (let j = i; j < n; j++) out[oi + j] += a * vectors[vk + j];
    }
  }
  for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) out[i * n + j] = out[j * n + i];
  return out;
}
