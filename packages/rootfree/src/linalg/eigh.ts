/**
 * Symmetric eigendecomposition in float64 (tfjs has no `eigh` and no float64).
 *
 * Householder tridiagonalisation followed by the implicit QL algorithm with Wilkinson-type shifts
 * (the EISPACK tred2/tql2 pair). The working matrix is kept *transposed* so that every inner loop
 * walks contiguous memory: row j of the work array holds column j of the textbook algorithm, and
 * at the end row j is the j-th eigenvector. That makes the Givens rotations of the QL sweep two
 * contiguous row updates instead of two strided column updates (~3x faster at n = 256).
 */

/** Thrown when the input is not a finite symmetric matrix or the QL iteration does not converge. */
export class EighError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EighError';
  }
}

export interface EighOptions {
  /**
   * Largest accepted asymmetry max|A − Aᵀ| relative to max|A| (default 1e-6: float32 matMuls of
   * G·Gᵀ are symmetric only up to rounding). The solver uses (A + Aᵀ)/2.
   */
  symmetryTolerance?: number;
  /** QL iterations allowed per eigenvalue before giving up (default 60). */
  maxIterationsPerEigenvalue?: number;
}

export interface EighResult {
  /** Eigenvalues in ascending order. */
  values: Float64Array;
  /**
   * Eigenvectors, row-major n×n, **one eigenvector per row** (row k belongs to `values[k]`), so
   * A = Vᵀ diag(values) V with V = `vectors`.
   */
  vectors: Float64Array;
}

/** Eigendecomposition of the symmetric n×n row-major matrix `a` (not modified). */
export function eigh(a: ArrayLike<number>, n: number, options: EighOptions = {}): EighResult {
  if (!Number.isInteger(n) || n < 0) throw new EighError(`eigh: n must be a non-negative integer, got ${n}`);
  if (a.length !== n * n) throw new EighError(`eigh: expected ${n}×${n} = ${n * n} values, got ${a.length}`);
  const w = symmetrizedCopy(a, n, options.symmetryTolerance ?? 1e-6);
  const d = new Float64Array(n);
  const e = new Float64Array(n);
  if (n === 0) return { values: d, vectors: w };
  tridiagonalize(w, d, e, n);
  qlImplicit(w, d, e, n, options.maxIterationsPerEigenvalue ?? 60);
  sortAscending(w, d, n);
  return { values: d, vectors: w };
}

function symmetrizedCopy(a: ArrayLike<number>, n: number, tol: number): Float64Array {
  const w = new Float64Array(n * n);
  let maxAbs = 0;
  let maxAsym = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      const x = a[i * n + j];
      const y = a[j * n + i];
      if (!Number.isFinite(x) || !Number.isFinite(y)) throw new EighError(`eigh: non-finite entry at (${i}, ${j})`);
      const m = 0.5 * (x + y);
      w[i * n + j] = m;
      w[j * n + i] = m;
      maxAbs = Math.max(maxAbs, Math.abs(x), Math.abs(y));
      maxAsym = Math.max(maxAsym, Math.abs(x - y));
    }
  }
  if (maxAsym > tol * maxAbs) {
    throw new EighError(`eigh: matrix is not symmetric (max|A − Aᵀ| = ${maxAsym.toExponential(2)}, max|A| = ${maxAbs.toExponential(2)}, tolerance ${tol} relative)`);
  }
  return w;
}

/**
 * Householder reduction to tridiagonal form (tred2), accumulating the orthogonal transform.
 * `w` holds Vᵀ throughout: the textbook's V[r][c] is w[c*n + r].
 */
function tridiagonalize(w: Float64Array, d: Float64Array, e: Float64Array, n: number): void {
  for (let j = 0; j < n; j++) d[j] = w[j * n + (n - 1)];
  for (let i = n - 1; i > 0; i--) {
    let scale = 0;
    let h = 0;
    for (let k = 0; k < i; k++) scale += Math.abs(d[k]);
    if (scale === 0) {
      e[i] = d[i - 1];
      for (let j = 0; j < i; j++) {
        d[j] = w[j * n + (i - 1)];
        w[j * n + i] = 0;
        w[i * n + j] = 0;
      }
    } else {
      for (let k = 0; k < i; k++) {
        d[k] /= scale;
        h += d[k] * d[k];
      }
      let f = d[i - 1];
      let g = Math.sqrt(h);
      if (f > 0) g = -g;
      e[i] = scale * g;
      h -= f * g;
      d[i - 1] = f - g;
      for (let j = 0; j < i; j++) e[j] = 0;
      // e ← A·u on the leading i×i block (lower triangle of V = upper rows of w).
      for (let j = 0; j < i; j++) {
        const rowJ = j * n;
        f = d[j];
        w[i * n + j] = f;
        g = e[j] + w[rowJ + j] * f;
        for (let k = j + 1; k < i; k++) {
          const v = w[rowJ + k];
          g += v * d[k];
          e[k] += v * f;
        }
        e[j] = g;
      }
      f = 0;
      for (let j = 0; j < i; j++) {
        e[j] /= h;
        f += e[j] * d[j];
      }
      const hh = f / (h + h);
      for (let j = 0; j < i; j++) e[j] -= hh * d[j];
      for (let j = 0; j < i; j++) {
        const rowJ = j * n;
        f = d[j];
        g = e[j];
        for (let k = j; k < i; k++) w[rowJ + k] -= f * e[k] + g * d[k];
        d[j] = w[rowJ + (i - 1)];
        w[rowJ + i] = 0;
      }
    }
    d[i] = h;
  }
  // Accumulate the transformations.
  for (let i = 0; i < n - 1; i++) {
    const rowI = i * n;
    const rowI1 = (i + 1) * n;
    w[rowI + (n - 1)] = w[rowI + i];
    w[rowI + i] = 1;
    const h = d[i + 1];
    if (h !== 0) {
      for (let k = 0; k <= i; k++) d[k] = w[rowI1 + k] / h;
      for (let j = 0; j <= i; j++) {
        const rowJ = j * n;
        let g = 0;
        for (let k = 0; k <= i; k++) g += w[rowI1 + k] * w[rowJ + k];
        for (let k = 0; k <= i; k++) w[rowJ + k] -= g * d[k];
      }
    }
    for (let k = 0; k <= i; k++) w[rowI1 + k] = 0;
  }
  for (let j = 0; j < n; j++) {
    d[j] = w[j * n + (n - 1)];
    w[j * n + (n - 1)] = 0;
  }
  w[(n - 1) * n + (n - 1)] = 1;
  e[0] = 0;
}

/** Implicit QL on the tridiagonal (d, e) with eigenvector accumulation into the rows of `w` (tql2). */
function qlImplicit(w: Float64Array, d: Float64Array, e: Float64Array, n: number, maxIter: number): void {
  for (let i = 1; i < n; i++) e[i - 1] = e[i];
  e[n - 1] = 0;
  let f = 0;
  let tst1 = 0;
  const eps = 2 ** -52;
  for (let l = 0; l < n; l++) {
    tst1 = Math.max(tst1, Math.abs(d[l]) + Math.abs(e[l]));
    let m = l;
    while (m < n) {
      if (Math.abs(e[m]) <= eps * tst1) break;
      m++;
    }
    if (m > l) {
      let iter = 0;
      do {
        if (++iter > maxIter) {
          throw new EighError(`eigh: QL iteration did not converge for eigenvalue ${l} of ${n} after ${maxIter} iterations`);
        }
        let g = d[l];
        let p = (d[l + 1] - g) / (2 * e[l]);
        let r = Math.hypot(p, 1);
        if (p < 0) r = -r;
        d[l] = e[l] / (p + r);
        d[l + 1] = e[l] * (p + r);
        const dl1 = d[l + 1];
        let h = g - d[l];
        for (let i = l + 2; i < n; i++) d[i] -= h;
        f += h;
        p = d[m];
        let c = 1;
        let c2 = c;
        let c3 = c;
        const el1 = e[l + 1];
        let s = 0;
        let s2 = 0;
        for (let i = m - 1; i >= l; i--) {
          c3 = c2;
          c2 = c;
          s2 = s;
          g = c * e[i];
          h = c * p;
          r = Math.hypot(p, e[i]);
          e[i + 1] = s * r;
          s = e[i] / r;
          c = p / r;
          p = c * d[i] - s * g;
          d[i + 1] = h + s * (c * g + s * d[i]);
          // Rotate eigenvector rows i and i+1 (contiguous thanks to the transposed storage).
          const ri = i * n;
          const ri1 = ri + n;
          for (let k = 0; k < n; k++) {
            const x1 = w[ri1 + k];
            const x0 = w[ri + k];
            w[ri1 + k] = s * x0 + c * x1;
            w[ri + k] = c * x0 - s * x1;
          }
        }
        p = (-s * s2 * c3 * el1 * e[l]) / dl1;
        e[l] = s * p;
        d[l] = c * p;
      } while (Math.abs(e[l]) > eps * tst1);
    }
    d[l] += f;
    e[l] = 0;
  }
}

function sortAscending(w: Float64Array, d: Float64Array, n: number): void {
  const tmp = new Float64Array(n);
  for (let i = 0; i < n - 1; i++) {
    let k = i;
    let p = d[i];
    for (let j = i + 1; j < n; j++) {
      if (d[j] < p) {
        k = j;
        p = d[j];
      }
    }
    if (k !== i) {
      d[k] = d[i];
      d[i] = p;
      tmp.set(w.subarray(i * n, i * n + n));
      w.copyWithin(i * n, k * n, k * n + n);
      w.set(tmp, k * n);
    }
  }
}
