import * as tf from '@tensorflow/tfjs-core';
import { storageAccess } from '../../backend/fusedKernels.js';
import { maybeRound, type Precision } from '../../precision/index.js';
import { tailKernel } from './kernels.js';
import { runSimd, tailProgram } from './programs.js';
import { rounderFor } from './round.js';

/** Scalars of IF-Shampoo's elementwise tail (SPEC §2.3 steps 3–5). */
export interface TailOptions {
  /** Learning rate β1 of this step. */
  lr: number;
  /** Weight decay κ (added after preconditioning). */
  kappa: number;
  /** Heavy-ball momentum α1 (no dampening); 0 = no buffer. */
  alpha1: number;
  /** Storage precision of the momentum buffer (rounded after each op). Default float32. */
  precision?: Precision;
  /**
   * Precision of the direction `V + κ·p` (rounded after the add when κ ≠ 0; IF-Shampoo keeps it in
   * the last factor's dtype, [SF]). Default float32.
   */
  directionPrecision?: Precision;
}

/**
 * IF-Shampoo's tail, in place: `d = rd(V + κ·p)`; `buf ← r(r(α1·buf) + d)` (when `buf` is given);
 * `p ← p − lr·buf` (or `p − lr·d`). One pass over p, V and buf. Returns false, changing nothing,
 * when the backend has no fused access or `p`/`buf` share storage; then use {@link compositeTail}.
 */
export function fusedTail(p: tf.Variable, V: tf.Tensor, buf: tf.Variable | null, o: TailOptions): boolean {
  const acc = storageAccess();
  if (acc === null || V.size !== p.size || (buf !== null && buf.size !== p.size)) return false;
  const U = acc.read(V);
  const P = acc.write(p);
  const B = buf === null ? null : acc.write(buf);
  if (U === null || P === null || (buf !== null && B === null)) return false;
  const fr = Math.fround;
  const c = { lr: fr(o.lr), kappa: fr(o.kappa), alpha1: fr(o.alpha1) };
  const precision = o.precision ?? 'float32';
  const dirPrecision = c.kappa !== 0 ? (o.directionPrecision ?? 'float32') : 'float32';
  const f = { kappa: c.kappa !== 0, momentum: B !== null, bf16: precision === 'bfloat16', dirBf16: dirPrecision === 'bfloat16' };
  // fp16 rounding has no SIMD form: the JS loop handles it.
  const simd =
    precision !== 'float16' &&
    dirPrecision !== 'float16' &&
    runSimd(acc, `tail${+f.kappa}${+f.momentum}${+f.bf16}${+f.dirBf16}`, () => tailProgram(f), p.size, B ? [P, U, B] : [P, U], [c.lr, c.kappa, c.alpha1]);
  if (!simd) tailKernel(p.size, P.arr, P.off, U.arr, U.off, B?.arr ?? null, B?.off ?? 0, c, rounderFor(precision), rounderFor(dirPrecision));
  acc.written(p);
  return true;
}

/** The same math as {@link fusedTail} with tfjs ops; returns new tensors (call inside `tf.tidy`). */
export function compositeTail(p: tf.Tensor, V: tf.Tensor, buf: tf.Tensor | null, o: TailOptions): { p: tf.Tensor; buf: tf.Tensor | null } {
  const r = (x: tf.Tensor): tf.Tensor => maybeRound(x, o.precision ?? 'float32');
  let d = o.kappa !== 0 ? maybeRound(tf.add(tf.reshape(V, p.shape), tf.mul(p, o.kappa)), o.directionPrecision ?? 'float32') : tf.reshape(V, p.shape);
  let nextBuf: tf.Tensor | null = null;
  if (buf !== null) {
    d = r(tf.add(r(tf.mul(buf, o.alpha1)), d));
    nextBuf = d;
  }
  return { p: tf.sub(p, tf.mul(d, o.lr)), buf: nextBuf };
}
