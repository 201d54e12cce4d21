import { describe, expect, it } from 'vitest';
import { matrixInverseRoot } from '../../src/linalg/inverseRoot.js';
import { ALPHA_BETA, infNorm, maxAbs, mm, power, sub, tridiagFamily1, tridiagFamily2 } from './helpers.js';

/** Gauss–Jordan inverse with partial pivoting (independent of the eigensolver). */
function inverse(a: Float64Array, n: number): Float64Array {
  const m = Array.from({ length: n }, (_, i) => [...Array.from(a.subarray(i * n, i * n + n)), ...Array.from({ length: n }, (_, j) => (i === j ? 1 : 0))]);
  for (let c = 0; c < n; c++) {
    let piv = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r][c]) > Math.abs(m[piv][c])) piv = r;
    [m[c], m[piv]] = [m[piv], m[c]];
    const d = m[c][c];
    for (let j = 0; j < 2 * n; j++) m[c][j] /= d;
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = m[r][c];
      if (f !== 0) for (let j = 0; j < 2 * n; j++) m[r][j] -= f * m[c][j];
    }
  }
  return Float64Array.from(m.flatMap((row) => row.slice(n)));
}

describe('matrixInverseRoot: SPEC §9 G5 exactly (float64, 1e-12)', () => {
  const A = [2, 1, 1, 2];
  const close = (x: ArrayLike<number>, want: number[], tol = 1e-12) => want.forEach((w, i) => expect(Math.abs(x[i] - w)).toBeLessThan(tol));

  it('eigen A^(−1/4) of [[2,1],[1,2]]', () => {
    close(matrixInverseRoot(A, 2, { root: 4, epsilon: 0 }), [0.8799178428257961, -0.12008215717420373, -0.12008215717420373, 0.8799178428257961]);
  });
  it('A^(−1/2) with ε = 1e-3, eigen and Newton', () => {
    const want = [0.78837722144, -0.21112315325, -0.21112315325, 0.78837722144];
    const e = matrixInverseRoot(A, 2, { root: 2, epsilon: 1e-3 });
    const nw = matrixInverseRoot(A, 2, { root: 2, epsilon: 1e-3, method: 'newton' });
    close(e, want, 1e-11); // G5 prints 11 decimals
    close(nw, Array.from(e), 1e-12);
  });
  it('negative eigenvalue: [[1,2],[2,1]], p = 2, ε = 0.1 → PSD shift to (0.1, 4.1)', () => {
    close(matrixInverseRoot([1, 2, 2, 1], 2, { root: 2, epsilon: 0.1 }), [1.8280712292465866, -1.334206430921792, -1.334206430921792, 1.8280712292465866]);
  });
});

describe('matrixInverseRoot paths (SPEC §8.4 matrix_functions_test)', () => {
  it('scalar path (a + ε)^(−η/p): 2^(−1.82/2)', () => {
    expect(matrixInverseRoot([2], 1, { root: 2, epsilon: 0, exponentMultiplier: 1.82 })[0]).toBe(2 ** (-1.82 / 2));
    expect(matrixInverseRoot([2], 1, { root: 4, epsilon: 0.5 })[0]).toBe(2.5 ** -0.25);
  });
  it.each(['diagonal', 'eigen', 'newton'] as const)('diag(1, 4), root 2 → diag(1, 0.5) via the %s path', (path) => {
    const x = matrixInverseRoot([1, 0, 0, 4], 2, { root: 2, epsilon: 0, isDiagonal: path === 'diagonal', method: path === 'newton' ? 'newton' : 'eigen', newton: { tolerance: 1e-12 } });
    [1, 0, 0, 0.5].forEach((w, i) => expect(Math.abs(x[i] - w)).toBeLessThan(1e-12));
  });
  it('identity → identity for every root', () => {
    const n = 7;
    const id = new Float64Array(n * n);
    for (let i = 0; i < n; i++) id[i * n + i] = 1;
    for (const root of [1, 2, 4, 8]) expect(maxAbs(sub(matrixInverseRoot(id, n, { root, epsilon: 0 }), id))).toBeLessThan(1e-15);
  });

  describe.each([10, 100])('tridiagonal families with known spectra, n = %i', (n) => {
    it.each(ALPHA_BETA)('α = %s, β = %s: X^r = A (η = −1) and X^r·A = I (η = 1) for r ∈ {1,2,4,8}', (alpha, beta) => {
      for (const fam of [tridiagFamily1, tridiagFamily2]) {
        const { a, eig } = fam(n, alpha, beta);
        const norm = Math.max(1, infNorm(a, n));
        const cond = eig[n - 1] / eig[0];
        for (const r of [1, 2, 4, 8]) {
          const root = matrixInverseRoot(a, n, { root: r, epsilon: 0, exponentMultiplier: -1 });
          // The reference's bound is 1e-4; float64 eigen roots are far tighter.
          expect(infNorm(sub(power(root, n, r), a), n) / norm).toBeLessThan(1e-12);
          const inv = matrixInverseRoot(a, n, { root: r, epsilon: 0 });
          const id = mm(power(inv, n, r), a, n);
          for (let i = 0; i < n; i++) id[i * n + i] -= 1;
          expect(maxAbs(id)).toBeLessThan(1e-13 * n * cond);
        }
        if (n === 10) {
          // X^(−r) against A through an independent Gauss–Jordan inverse (the reference's check).
          const x = matrixInverseRoot(a, n, { root: 2, epsilon: 0 });
          expect(infNorm(sub(inverse(power(x, n, 2), n), a), n) / norm).toBeLessThan(1e-4);
        }
      }
    });
  });

  it('rejects bad input and throws on non-finite roots', () => {
    expect(() => matrixInverseRoot([1, 2, 3], 2, { root: 2, epsilon: 0 })).toThrow(/square/);
    expect(() => matrixInverseRoot([1, 0, 0, 1], 2, { root: 0, epsilon: 0 })).toThrow(/root/);
    expect(() => matrixInverseRoot([1, 0, 0, 1], 2, { root: 2, epsilon: -1 })).toThrow(/epsilon/);
    expect(() => matrixInverseRoot([1, 0, 0, 1], 2, { root: 2, epsilon: 0, exponentMultiplier: 2, method: 'newton' })).toThrow(/exponentMultiplier = 1/);
    expect(() => matrixInverseRoot([0, 0, 0, 0], 2, { root: 2, epsilon: 0 })).toThrow(/non-finite/);
    expect(() => matrixInverseRoot([0], 1, { root: 2, epsilon: 0 })).toThrow(/non-finite/);
  });
});
