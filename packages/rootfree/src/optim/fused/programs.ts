import type { Span, StorageAccess } from '../../backend/fusedKernels.js';
import { E, SimdKernels, type Expr, type Kernel, type ManyKernel, type Program, type Stmt } from './simd.js';
import { envVar } from '../../env.js';

/**
 * The fused updates as SIMD programs (same op order as `kernels.ts`, so the same float32
 * results) and their dispatch on the wasm backend. Buffers are numbered in the order they are
 * passed; absent optional buffers are not passed. Scalars are passed in the order listed.
 */

const kernelsByMemory = new WeakMap<WebAssembly.Memory, SimdKernels>();
let simdEnabled = envVar('ROOTFREE_SIMD') !== '0';

/** Turns the wasm SIMD kernels on/off (benchmarks compare them with the scalar JS loops). */
export function setFusedSimd(on: boolean): void {
  simdEnabled = on;
}

/** Whether SIMD kernels are enabled (false after a failed compile: the JS loops run instead). */
export function fusedSimdEnabled(): boolean {
  return simdEnabled;
}

/**
 * The compiled SIMD kernel of `build` for the active backend's heap, or null when the backend is
 * not wasm or SIMD kernels are off/unavailable (the caller runs the JS loop). Look it up once per
 * step, not per tensor: the per-tensor path then is one call with the tensors' byte offsets.
 */
export function simdKernel(acc: StorageAccess, key: string, build: () => Program): Kernel | null {
  return compiled(acc, (k) => k.get(key, build));
}

/** The batched entry point (`many`) of the same program, or null like `simdKernel`. */
export function simdMany(acc: StorageAccess, key: string, build: () => Program): ManyKernel | null {
  return compiled(acc, (k) => k.many(key, build));
}

function compiled<T>(acc: StorageAccess, get: (k: SimdKernels) => T): T | null {
  if (!simdEnabled || acc.memory === undefined) return null;
  let k = kernelsByMemory.get(acc.memory);
  if (k === undefined) {
    k = new SimdKernels(acc.memory);
    kernelsByMemory.set(acc.memory, k);
  }
  try {
    return get(k);
  } catch {
    // No SIMD support in this engine (or an import mismatch): use the JS loops from now on.
    simdEnabled = false;
    return null;
  }
}

/**
 * Runs `program` over `n` elements of the spans when the active backend is wasm with SIMD
 * kernels available; returns false (nothing done) otherwise, and the caller runs the JS loop.
 */
export function runSimd(acc: StorageAccess, key: string, build: () => Program, n: number, spans: Span[], scalars: number[]): boolean {
  const kernel = simdKernel(acc, key, build);
  if (kernel === null) return false;
  const args = [n];
  for (const s of spans) args.push(s.off * 4);
  for (const x of scalars) args.push(x);
  kernel(...(args as [number, ...number[]]));
  return true;
}

const { load, param, v, add, sub, mul, div, max, sqrt, bf16, fp16 } = E;

/** The rounding of a storage precision (fp16 only in GPU programs). */
const rounding = (f: { bf16: boolean; fp16?: boolean }): ((x: Expr) => Expr) => (f.bf16 ? bf16 : f.fp16 ? fp16 : id);
const id = (x: Expr): Expr => x;

export function sgdProgram(f: { wd: boolean; momentum: boolean; first: boolean; nesterov: boolean }): Program {
  // buffers: P, G, [B]; scalars: lr, wd, mu, damp1
  const lr = param(0), wd = param(1), mu = param(2), damp1 = param(3);
  const body: Stmt[] = [E.let('p', load(0)), E.let('d', load(1))];
  if (f.wd) body.push(E.let('d', add(v('d'), mul(v('p'), wd))));
  if (f.momentum) {
    body.push(E.let('buf', f.first ? v('d') : add(mul(load(2), mu), mul(v('d'), damp1))), E.store(2, v('buf')));
    body.push(E.let('d', f.nesterov ? add(v('d'), mul(v('buf'), mu)) : v('buf')));
  }
  body.push(E.store(0, sub(v('p'), mul(v('d'), lr))));
  return { buffers: f.momentum ? 3 : 2, params: 4, body };
}

export function adamwProgram(f: { decay: boolean; amsgrad: boolean }): Program {
  // buffers: P, G, M, V, [X]; scalars: decay, b1, ob1, b2, ob2, sc2, eps, step
  const [decay, b1, ob1, b2, ob2, sc2, eps, step] = [0, 1, 2, 3, 4, 5, 6, 7].map(param);
  const body: Stmt[] = [E.let('p', f.decay ? mul(load(0), decay) : load(0)), E.let('g', load(1))];
  body.push(E.let('m', add(mul(load(2), b1), mul(v('g'), ob1))), E.store(2, v('m')));
  body.push(E.let('v', add(mul(load(3), b2), mul(mul(v('g'), v('g')), ob2))), E.store(3, v('v')));
  if (f.amsgrad) body.push(E.let('v', max(load(4), v('v'))), E.store(4, v('v')));
  body.push(E.let('den', add(div(sqrt(v('v')), sc2), eps)));
  body.push(E.store(0, sub(v('p'), mul(div(v('m'), v('den')), step))));
  return { buffers: f.amsgrad ? 5 : 4, params: 8, body };
}

export function rmspropProgram(f: { wd: boolean; centered: boolean; momentum: boolean }): Program {
  // buffers: P, G, V, [A], [B]; scalars: lr, wd, alpha, oalpha, eps, mu
  const [lr, wd, alpha, oalpha, eps, mu] = [0, 1, 2, 3, 4, 5].map(param);
  const A = 3;
  const B = f.centered ? 4 : 3;
  const body: Stmt[] = [E.let('p', load(0)), E.let('d', load(1))];
  if (f.wd) body.push(E.let('d', add(v('d'), mul(v('p'), wd))));
  body.push(E.let('v', add(mul(load(2), alpha), mul(mul(v('d'), v('d')), oalpha))), E.store(2, v('v')));
  if (f.centered) {
    body.push(E.let('ga', add(mul(load(A), alpha), mul(v('d'), oalpha))), E.store(A, v('ga')));
    body.push(E.let('den', add(sqrt(sub(v('v'), mul(v('ga'), v('ga')))), eps)));
  } else {
    body.push(E.let('den', add(sqrt(v('v')), eps)));
  }
  body.push(E.let('u', div(v('d'), v('den'))));
  if (f.momentum) body.push(E.let('u', add(mul(load(B), mu), v('u'))), E.store(B, v('u')));
  body.push(E.store(0, sub(v('p'), mul(v('u'), lr))));
  return { buffers: 3 + (f.centered ? 1 : 0) + (f.momentum ? 1 : 0), params: 6, body };
}

export function rfRmspropProgram(f: { wd: boolean; momentum: boolean; bf16: boolean; fp16?: boolean }): Program {
  // buffers: P, G, V, [B]; scalars: lr, wd, alpha, rho, F, damping, mu
  const [lr, wd, alpha, rho, F, damping, mu] = [0, 1, 2, 3, 4, 5, 6].map(param);
  const r = rounding(f);
  const body: Stmt[] = [E.let('p', load(0)), E.let('g', r(load(1)))];
  body.push(E.let('v', r(add(r(mul(load(2), alpha)), mul(mul(v('g'), v('g')), rho)))), E.store(2, v('v')));
  body.push(E.let('d', r(div(v('g'), r(add(r(mul(v('v'), F)), damping))))));
  if (f.wd) body.push(E.let('d', r(add(v('d'), mul(v('p'), wd)))));
  if (f.momentum) body.push(E.let('d', r(add(r(mul(load(3), mu)), v('d')))), E.store(3, v('d')));
  body.push(E.store(0, sub(v('p'), mul(v('d'), lr))));
  return { buffers: f.momentum ? 4 : 3, params: 7, body };
}

export function rfAdamWProgram(f: { decay: boolean; bf16: boolean; fp16?: boolean }): Program {
  // buffers: P, G, M, V; scalars: decay, b1, ob1, b2, ob2, F, c2, damping, step
  const [decay, b1, ob1, b2, ob2, F, c2, damping, step] = [0, 1, 2, 3, 4, 5, 6, 7, 8].map(param);
  const r = rounding(f);
  const body: Stmt[] = [E.let('p', f.decay ? mul(load(0), decay) : load(0)), E.let('g', r(load(1)))];
  body.push(E.let('m', r(add(r(mul(load(2), b1)), mul(v('g'), ob1)))), E.store(2, v('m')));
  body.push(E.let('v', r(add(r(mul(load(3), b2)), mul(mul(v('g'), v('g')), ob2)))), E.store(3, v('v')));
  body.push(E.let('den', r(add(r(div(r(mul(v('v'), F)), c2)), damping))));
  body.push(E.store(0, sub(v('p'), mul(div(v('m'), v('den')), step))));
  return { buffers: 4, params: 9, body };
}

export function tailProgram(f: { kappa: boolean; momentum: boolean; bf16: boolean; dirBf16?: boolean; fp16?: boolean; dirFp16?: boolean }): Program {
  // buffers: P, U, [B]; scalars: lr, kappa, alpha1
  const [lr, kappa, alpha1] = [0, 1, 2].map(param);
  const r = rounding(f);
  const rd = rounding({ bf16: f.dirBf16 ?? false, fp16: f.dirFp16 });
  const body: Stmt[] = [E.let('p', load(0)), E.let('d', load(1))];
  if (f.kappa) body.push(E.let('d', rd(add(v('d'), mul(v('p'), kappa)))));
  if (f.momentum) body.push(E.let('d', r(add(r(mul(load(2), alpha1)), v('d')))), E.store(2, v('d')));
  body.push(E.store(0, sub(v('p'), mul(v('d'), lr))));
  return { buffers: f.momentum ? 3 : 2, params: 3, body };
}
