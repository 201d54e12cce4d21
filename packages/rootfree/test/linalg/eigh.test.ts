import { describe, expect, it } from 'vitest';
import { eigh, EighError } from '../../src/linalg/eigh.js';
import { ALPHA_BETA, maxAbs, mm, randomSymmetric, tridiagFamily1, tridiagFamily2 } from './helpers.js';

/** max|VᵀΛV − A| / max|A| and max|VVᵀ − I| for a result with eigenvectors in rows. */
function residuals(a: Float64Array, n: number, values: Float64Array, v: Float64Array): { recon: number; orth: number } {
  let recon = 0;
  let orth = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      let o = 0;
      for (let k = 0; k < n; k++) {
        s += v[k * n + i] * values[k] * v[k * n + j];
        o += v[i * n + k] * v[j * n + k];
      }
      recon = Math.max(recon, Math.abs(s - a[i * n + j]));
      orth = Math.max(orth, Math.abs(o - (i === j ? 1 : 0)));
    }
  }
  return { recon: recon / Math.max(maxAbs(a), Number.MIN_VALUE), orth };
}

const ascending = (v: Float64Array) => v.every((x, i) => i === 0 || v[i - 1] <= x);

describe('eigh (float64 Householder + implicit QL)', () => {
  it.each([1, 2, 3, 5, 17, 64, 150])('random symmetric n = %i: reconstruction and orthogonality ~1e-12, ascending', (n) => {
    const a = randomSymmetric(n, 100 + n);
    const { values, vectors } = eigh(a, n);
    const { recon, orth } = residuals(a, n, values, vectors);
    expect(recon).toBeLessThan(1e-12);
    expect(orth).toBeLessThan(1e-12);
    expect(ascending(values)).toBe(true);
  });

  it('does not modify its input', () => {
    const a = randomSymmetric(6, 1);
    const copy = a.slice();
    eigh(a, 6);
    expect(Array.from(a)).toEqual(Array.from(copy));
  });

  describe.each([10, 100])('SPEC §8.4 tridiagonal families, n = %i', (n) => {
    it.each(ALPHA_BETA)('α = %s, β = %s: eigenvalues of both families to 1e-12 relative', (alpha, beta) => {
      for (const fam of [tridiagFamily1, tridiagFamily2]) {
        const { a, eig } = fam(n, alpha, beta);
        const { values, vectors } = eigh(a, n);
        const scale = alpha + 2 * beta;
        values.forEach((x, k) => expect(Math.abs(x - eig[k])).toBeLessThan(1e-12 * scale));
        const { recon, orth } = residuals(a, n, values, vectors);
        expect(recon).toBeLessThan(1e-12);
        expect(orth).toBeLessThan(1e-12);
      }
    });
  });

  it('repeated eigenvalues (Q·diag(1,1,1,2,2,5)·Qᵀ) are found with an orthonormal basis', () => {
    const n = 6;
    const q = eigh(randomSymmetric(n, 7), n).vectors; // rows: a random orthonormal basis
    const lam = [2, 1, 5, 1, 2, 1];
    const a = new Float64Array(n * n);
    for (let k = 0; k < n; k++) for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) a[i * n + j] += q[k * n + i] * lam[k] * q[k * n + j];
    const { values, vectors } = eigh(a, n);
    [1, 1, 1, 2, 2, 5].forEach((x, k) => expect(Math.abs(values[k] - x)).toBeLessThan(1e-13));
    const { recon, orth } = residuals(a, n, values, vectors);
    expect(recon).toBeLessThan(1e-13);
    expect(orth).toBeLessThan(1e-13);
  });

  it('identity and zero matrices', () => {
    const n = 5;
    const id = new Float64Array(n * n);
    for (let i = 0; i < n; i++) id[i * n + i] = 1;
    const r = eigh(id, n);
    expect(Array.from(r.values)).toEqual([1, 1, 1, 1, 1]);
    expect(residuals(id, n, r.values, r.vectors).orth).toBeLessThan(1e-15);
    const z = eigh(new Float64Array(n * n), n);
    expect(Array.from(z.values)).toEqual([0, 0, 0, 0, 0]);
  });

  it('diagonal input: sorted diagonal, unit eigenvectors', () => {
    const d = [3, -1, 7, 0.5];
    const n = 4;
    const a = new Float64Array(n * n);
    d.forEach((x, i) => (a[i * n + i] = x));
    const { values, vectors } = eigh(a, n);
    expect(Array.from(values)).toEqual([-1, 0.5, 3, 7]);
    const order = [1, 3, 0, 2];
    order.forEach((src, k) => {
      for (let j = 0; j < n; j++) expect(Math.abs(vectors[k * n + j])).toBe(j === src ? 1 : 0);
    });
  });

  it('1×1 and 0×0 inputs', () => {
    const one = eigh([-2.5], 1);
    expect(Array.from(one.values)).toEqual([-2.5]);
    expect(Array.from(one.vectors)).toEqual([1]);
    const zero = eigh([], 0);
    expect(zero.values.length).toBe(0);
  });

  it('a symmetric matrix with a float32-level asymmetry is accepted and symmetrised', () => {
    const n = 8;
    const a = randomSymmetric(n, 3);
    a[1] += 1e-9;
    const { values, vectors } = eigh(a, n);
    const sym = a.slice();
    sym[1] = sym[n] = 0.5 * (a[1] + a[n]);
    expect(residuals(sym, n, values, vectors).recon).toBeLessThan(1e-12);
  });

  it('rejects asymmetric, non-finite and mis-sized input, and reports non-convergence', () => {
    expect(() => eigh([1, 2, 0, 1], 2)).toThrow(EighError);
    expect(() => eigh([1, 2, 0, 1], 2)).toThrow(/not symmetric/);
    expect(() => eigh([1, NaN, NaN, 1], 2)).toThrow(/non-finite/);
    expect(() => eigh([1, 2, 3], 2)).toThrow(/expected 2×2/);
    expect(() => eigh(randomSymmetric(30, 9), 30, { maxIterationsPerEigenvalue: 1 })).toThrow(/did not converge/);
  });

  it('A·v = λ·v for every pair (independent check through a plain matmul)', () => {
    const n = 40;
    const a = randomSymmetric(n, 11, 3);
    const { values, vectors } = eigh(a, n);
    const av = mm(a, Float64Array.from({ length: n * n }, (_, idx) => vectors[(idx % n) * n + Math.floor(idx / n)]), n);
    for (let k = 0; k < n; k++) for (let i = 0; i < n; i++) expect(Math.abs(av[i * n + k] - values[k] * vectors[k * n + i])).toBeLessThan(1e-12 * 3 * n);
  });
});
