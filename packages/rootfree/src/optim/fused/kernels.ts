import type { Rounder } from './round.js';

/**
 * One-pass elementwise optimizer updates over raw float32 storage (`arr[off + i]`). Each loop
 * performs exactly the float32 operations of the method's composite `apply`, in the same order
 * (`fr` after every op; a store into a Float32Array rounds too), so both paths agree bit for bit.
 * Scalars arrive already rounded to float32, as tfjs turns them into float32 scalar tensors.
 * Optional buffers are `null`; loop-invariant branches cost little next to the memory traffic.
 */

const fr = Math.fround;

export interface SgdConsts {
  lr: number;
  wd: number;
  mu: number;
  /** 1 − dampening. */
  damp1: number;
  nesterov: boolean;
  /** First update of this buffer: it becomes d (PyTorch copies d into the buffer). */
  first: boolean;
}

export function sgdKernel(n: number, P: Float32Array, po: number, G: Float32Array, go: number, B: Float32Array | null, bo: number, c: SgdConsts): void {
  const { lr, wd, mu, damp1, nesterov, first } = c;
  for (let i = 0; i < n; i++) {
    const p = P[po + i];
    let d = G[go + i];
    if (wd !== 0) d = fr(d + fr(p * wd));
    if (B !== null) {
      const buf = first ? d : fr(fr(B[bo + i] * mu) + fr(d * damp1));
      B[bo + i] = buf;
      d = nesterov ? fr(d + fr(buf * mu)) : buf;
    }
    P[po + i] = p - fr(d * lr);
  }
}

export interface AdamWConsts {
  /** 1 − lr·κ, or 1 when there is no decay (then the multiply is skipped). */
  decay: number;
  hasDecay: boolean;
  b1: number;
  ob1: number;
  b2: number;
  ob2: number;
  /** sqrt(1 − b2^t). */
  sc2: number;
  eps: number;
  /** lr / (1 − b1^t). */
  step: number;
}

export function adamwKernel(
  n: number,
  P: Float32Array, po: number,
  G: Float32Array, go: number,
  M: Float32Array, mo: number,
  V: Float32Array, vo: number,
  X: Float32Array | null, xo: number,
  c: AdamWConsts,
): void {
  const { decay, hasDecay, b1, ob1, b2, ob2, sc2, eps, step } = c;
  for (let i = 0; i < n; i++) {
    let p = P[po + i];
    if (hasDecay) p = fr(p * decay);
    const g = G[go + i];
    const m = fr(fr(M[mo + i] * b1) + fr(g * ob1));
    M[mo + i] = m;
    let v = fr(fr(V[vo + i] * b2) + fr(fr(g * g) * ob2));
    V[vo + i] = v;
    if (X !== null) {
      v = Math.max(X[xo + i], v);
      X[xo + i] = v;
    }
    const den = fr(fr(fr(Math.sqrt(v)) / sc2) + eps);
    P[po + i] = p - fr(fr(m / den) * step);
  }
}

export interface RmspropConsts {
  lr: number;
  wd: number;
  alpha: number;
  oalpha: number;
  eps: number;
  mu: number;
}

export function rmspropKernel(
  n: number,
  P: Float32Array, po: number,
  G: Float32Array, go: number,
  V: Float32Array, vo: number,
  A: Float32Array | null, ao: number,
  B: Float32Array | null, bo: number,
  c: RmspropConsts,
): void {
  const { lr, wd, alpha, oalpha, eps, mu } = c;
  for (let i = 0; i < n; i++) {
    const p = P[po + i];
    let d = G[go + i];
    if (wd !== 0) d = fr(d + fr(p * wd));
    const v = fr(fr(V[vo + i] * alpha) + fr(fr(d * d) * oalpha));
    V[vo + i] = v;
    let den: number;
    if (A !== null) {
      const ga = fr(fr(A[ao + i] * alpha) + fr(d * oalpha));
      A[ao + i] = ga;
      den = fr(fr(Math.sqrt(fr(v - fr(ga * ga)))) + eps);
    } else {
      den = fr(fr(Math.sqrt(v)) + eps);
    }
    let u = fr(d / den);
    if (B !== null) {
      u = fr(fr(B[bo + i] * mu) + u);
      B[bo + i] = u;
    }
    P[po + i] = p - fr(u * lr);
  }
}

export interface RfRmspropConsts {
  lr: number;
  wd: number;
  alpha: number;
  /** 1 − alpha. */
  rho: number;
  /** The batch factor F. */
  F: number;
  damping: number;
  mu: number;
}

const ident: Rounder = (x) => x;

export function rfRmspropKernel(
  n: number,
  P: Float32Array, po: number,
  G: Float32Array, go: number,
  V: Float32Array, vo: number,
  B: Float32Array | null, bo: number,
  c: RfRmspropConsts,
  round: Rounder | null,
): void {
  if (round === null) return rfRmspropF32(n, P, po, G, go, V, vo, B, bo, c);
  const r = round;
  const { lr, wd, alpha, rho, F, damping, mu } = c;
  for (let i = 0; i < n; i++) {
    const p = P[po + i];
    const g = r(G[go + i]);
    const v = r(fr(r(fr(V[vo + i] * alpha)) + fr(fr(g * g) * rho)));
    V[vo + i] = v;
    let d = r(fr(g / r(fr(r(fr(v * F)) + damping))));
    if (wd !== 0) d = r(fr(d + fr(p * wd)));
    if (B !== null) {
      d = r(fr(r(fr(B[bo + i] * mu)) + d));
      B[bo + i] = d;
    }
    P[po + i] = p - fr(d * lr);
  }
}

function rfRmspropF32(n: number, P: Float32Array, po: number, G: Float32Array, go: number, V: Float32Array, vo: number, B: Float32Array | null, bo: number, c: RfRmspropConsts): void {
  const { lr, wd, alpha, rho, F, damping, mu } = c;
  for (let i = 0; i < n; i++) {
    const p = P[po + i];
    const g = G[go + i];
    const v = fr(fr(V[vo + i] * alpha) + fr(fr(g * g) * rho));
    V[vo + i] = v;
    let d = fr(g / fr(fr(v * F) + damping));
    if (wd !== 0) d = fr(d + fr(p * wd));
    if (B !== null) {
      d = fr(fr(B[bo + i] * mu) + d);
      B[bo + i] = d;
    }
    P[po + i] = p - fr(d * lr);
  }
}

export interface RfAdamWConsts {
  decay: number;
  hasDecay: boolean;
  b1: number;
  ob1: number;
  b2: number;
  ob2: number;
  F: number;
  /** 1 − b2^t (or 1). */
  c2: number;
  damping: number;
  /** lr / c1. */
  step: number;
}

export function rfAdamWKernel(
  n: number,
  P: Float32Array, po: number,
  G: Float32Array, go: number,
  M: Float32Array, mo: number,
  V: Float32Array, vo: number,
  c: RfAdamWConsts,
  round: Rounder | null,
): void {
  if (round === null) return rfAdamWF32(n, P, po, G, go, M, mo, V, vo, c);
  const r = round;
  const { decay, hasDecay, b1, ob1, b2, ob2, F, c2, damping, step } = c;
  for (let i = 0; i < n; i++) {
    let p = P[po + i];
    if (hasDecay) p = fr(p * decay);
    const g = r(G[go + i]);
    const m = r(fr(r(fr(M[mo + i] * b1)) + fr(g * ob1)));
    M[mo + i] = m;
    const v = r(fr(r(fr(V[vo + i] * b2)) + fr(fr(g * g) * ob2)));
    V[vo + i] = v;
    const den = r(fr(r(fr(r(fr(v * F)) / c2)) + damping));
    P[po + i] = p - fr(fr(m / den) * step);
  }
}

function rfAdamWF32(n: number, P: Float32Array, po: number, G: Float32Array, go: number, M: Float32Array, mo: number, V: Float32Array, vo: number, c: RfAdamWConsts): void {
  const { decay, hasDecay, b1, ob1, b2, ob2, F, c2, damping, step } = c;
  for (let i = 0; i < n; i++) {
    let p = P[po + i];
    if (hasDecay) p = fr(p * decay);
    const g = G[go + i];
    const m = fr(fr(M[mo + i] * b1) + fr(g * ob1));
    M[mo + i] = m;
    const v = fr(fr(V[vo + i] * b2) + fr(fr(g * g) * ob2));
    V[vo + i] = v;
    const den = fr(fr(fr(v * F) / c2) + damping);
    P[po + i] = p - fr(fr(m / den) * step);
  }
}

export interface TailConsts {
  lr: number;
  kappa: number;
  alpha1: number;
}

/**
 * IF-Shampoo's elementwise tail (SPEC §2.3 steps 3–5): d = rd(V + κ·p); buf ← r(r(α1·buf) + d);
 * p ← p − lr·buf (or p − lr·d without momentum). `rd` rounds the direction (only when κ ≠ 0).
 */
export function tailKernel(
  n: number,
  P: Float32Array, po: number,
  U: Float32Array, uo: number,
  B: Float32Array | null, bo: number,
  c: TailConsts,
  round: Rounder | null,
  roundDirection: Rounder | null = null,
): void {
  const r = round ?? ident;
  const rd = roundDirection ?? ident;
  const { lr, kappa, alpha1 } = c;
  for (let i = 0; i < n; i++) {
    const p = P[po + i];
    let d = U[uo + i];
    if (kappa !== 0) d = rd(fr(d + fr(p * kappa)));
    if (B !== null) {
      d = r(fr(r(fr(B[bo + i] * alpha1)) + d));
      B[bo + i] = d;
    }
    P[po + i] = p - fr(d * lr);
  }
}
