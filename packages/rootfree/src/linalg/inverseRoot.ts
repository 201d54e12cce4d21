import { NonFiniteError } from '../errors.js';
import { eigh, type EighOptions } from './eigh.js';
import { spectralCompose64 } from './dense64.js';
import { newtonInverseRoot64, type NewtonOptions } from './newton.js';

/** How a full factor's inverse root is computed. */
export type RootMethod = 'eigen' | 'newton';

export interface InverseRootOptions {
  /** Root p > 0: the result is (A + εI)^(−η/p). */
  root: number;
  /** ε added to the (PSD-shifted) eigenvalues, or to the diagonal for the Newton path. >= 0. */
  epsilon: number;
  /** η (Distributed Shampoo's `exponent_multiplier`). Default 1; Newton requires 1. */
  exponentMultiplier?: number;
  /** Use the diagonal shortcut diag((diag(A) + ε)^(−η/p)) (the caller asserts A is diagonal). */
  isDiagonal?: boolean;
  /** 'eigen' (default; what Distributed Shampoo uses) or 'newton' (coupled inverse Newton). */
  method?: RootMethod;
  newton?: NewtonOptions;
  eigh?: EighOptions;
}

/**
 * Distributed Shampoo's `matrix_inverse_root` (SPEC §5.4) in float64 on an n×n row-major matrix:
 * scalar path for 1×1, diagonal shortcut when flagged, otherwise the eigen path (shift the spectrum
 * up by −min(λ_min, 0) so it is PSD, add ε, raise to −η/p) or the coupled Newton iteration (§5.5).
 * Throws on non-finite results (the caller decides whether to keep the previous root).
 */
export function matrixInverseRoot(a: ArrayLike<number>, n: number, o: InverseRootOptions): Float64Array {
  if (a.length !== n * n) throw new RangeError(`matrixInverseRoot: expected a square ${n}×${n} matrix (${n * n} values), got ${a.length} values`);
  if (!(o.root > 0) || !Number.isFinite(o.root)) throw new RangeError(`matrixInverseRoot: root must be a finite number > 0, got ${o.root}`);
  if (!(o.epsilon >= 0)) throw new RangeError(`matrixInverseRoot: epsilon must be >= 0, got ${o.epsilon}`);
  const eta = o.exponentMultiplier ?? 1;
  const alpha = -eta / o.root;
  let x: Float64Array;
  if (n === 1) {
    x = Float64Array.of((a[0] + o.epsilon) ** alpha);
  } else if (o.isDiagonal) {
    x = new Float64Array(n * n);
    for (let i = 0; i < n; i++) x[i * n + i] = (a[i * n + i] + o.epsilon) ** alpha;
  } else if ((o.method ?? 'eigen') === 'newton') {
    if (eta !== 1) throw new RangeError(`matrixInverseRoot: the Newton method needs exponentMultiplier = 1, got ${eta}`);
    x = newtonInverseRoot64(a, n, o.root, o.epsilon, o.newton).x;
  } else {
    x = eigenInverseRoot(a, n, o.root, o.epsilon, eta, o.eigh).x;
  }
  for (let i = 0; i < x.length; i++) {
    if (!Number.isFinite(x[i])) throw new NonFiniteError(`matrixInverseRoot: non-finite value in the inverse root (entry ${i}); the factor is singular and epsilon = ${o.epsilon} is too small`);
  }
  return x;
}

export interface EigenRootResult {
  x: Float64Array;
  /** Eigenvalues of A (ascending) before the PSD shift and ε. */
  eigenvalues: Float64Array;
}

/** Eigen path of {@link matrixInverseRoot}: X = Q·diag((λ − min(λ_min, 0) + ε)^(−η/p))·Qᵀ. */
export function eigenInverseRoot(a: ArrayLike<number>, n: number, root: number, epsilon: number, exponentMultiplier = 1, eighOptions?: EighOptions): EigenRootResult {
  const { values, vectors } = eigh(a, n, eighOptions);
  const shift = n > 0 ? -Math.min(values[0], 0) : 0;
  const alpha = -exponentMultiplier / root;
  const f = new Float64Array(n);
  for (let k = 0; k < n; k++) f[k] = (values[k] + shift + epsilon) ** alpha;
  return { x: spectralCompose64(vectors, f, n), eigenvalues: values };
}
