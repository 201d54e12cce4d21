import * as tf from '@tensorflow/tfjs-core';
import { type Attrs, type Backend, type TensorInfo, release, reshape, run, transposeLast2, view } from './util.js';

/*
 * tfjs-wasm reaches XNNPACK only for batch-1, untransposed matmuls; transposed or batched operands
 * fall onto a naive loop that is ~10x slower (TFJS-FINDINGS §1.1). Every matmul gradient (the stock
 * BatchMatMul grad and fused.matMul's customGrad used by tf.layers Dense) asks for transposeA/B, so
 * overriding the kernels reaches all of them, and only on wasm.
 */

/** Batched NN products at or below this many multiply-adds per batch item stay on the stock loop. */
let sliceThreshold = 32 * 32 * 32;

/** For benchmarks: the per-item size above which batched matmuls are split into XNNPACK calls. */
export function setBatchedSliceThreshold(flops: number): void {
  sliceThreshold = flops;
}

function batchSize(shape: number[]): number {
  let n = 1;
  for (let i = 0; i < shape.length - 2; i++) n *= shape[i];
  return n;
}

function stockMatMul(backend: Backend, a: TensorInfo, b: TensorInfo): TensorInfo {
  return run(backend, tf.BatchMatMul, { a, b }, { transposeA: false, transposeB: false });
}

/** Copies item `i` of a [n, r, c] tensor into a fresh [1, r, c] tensor. */
function item(backend: Backend, x: TensorInfo, i: number): TensorInfo {
  const [, r, c] = x.shape;
  const out = backend.makeOutput([1, r, c], x.dtype);
  const src = view(backend, x);
  view(backend, out).set(src.subarray(i * r * c, (i + 1) * r * c));
  return out;
}

/** NN matmul on XNNPACK: one 2-D call when B is shared, else one call per batch item. */
export function nnMatMul(backend: Backend, a: TensorInfo, b: TensorInfo): TensorInfo {
  const bA = batchSize(a.shape);
  const bB = batchSize(b.shape);
  const m = a.shape[a.shape.length - 2];
  const k = a.shape[a.shape.length - 1];
  const n = b.shape[b.shape.length - 1];
  const outBatch = tf.broadcast_util.assertAndGetBroadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2));
  if (bA === 1 && bB === 1) {
    const out = stockMatMul(backend, a, b);
    return withShape(backend, out, [...outBatch, m, n]);
  }
  if (bB === 1) {
    // Shared weight: fold A's batch into rows, one big XNNPACK matmul.
    const a2 = reshape(backend, a, [1, bA * m, k]);
    const b2 = reshape(backend, b, [1, k, n]);
    const out = stockMatMul(backend, a2, b2);
    release(backend, a2, b2);
    return withShape(backend, out, [...outBatch, m, n]);
  }
  if (bA !== bB || m * k * n <= sliceThreshold) {
    return stockMatMul(backend, a, b);
  }
  const a3 = reshape(backend, a, [bA, m, k]);
  const b3 = reshape(backend, b, [bB, k, n]);
  const out = backend.makeOutput([...outBatch, m, n], 'float32');
  for (let i = 0; i < bA; i++) {
    const ai = item(backend, a3, i);
    const bi = item(backend, b3, i);
    const oi = stockMatMul(backend, ai, bi);
    view(backend, out).set(view(backend, oi), i * m * n);
    release(backend, ai, bi, oi);
  }
  release(backend, a3, b3);
  return out;
}

function withShape(backend: Backend, x: TensorInfo, shape: number[]): TensorInfo {
  if (x.shape.length === shape.length && x.shape.every((d, i) => d === shape[i])) return x;
  const y = reshape(backend, x, shape);
  release(backend, x);
  return y;
}

/** Materialises transposed operands (cheap, memory-bound) so the product runs NN on XNNPACK. */
function untranspose(backend: Backend, a: TensorInfo, b: TensorInfo, transposeA: boolean, transposeB: boolean) {
  const owned: TensorInfo[] = [];
  let a2 = a;
  let b2 = b;
  if (transposeA) owned.push((a2 = transposeLast2(backend, a)));
  if (transposeB) owned.push((b2 = transposeLast2(backend, b)));
  return { a: a2, b: b2, owned };
}

function batchMatMul(args: { inputs: Record<string, TensorInfo>; backend: Backend; attrs: Attrs }): TensorInfo {
  const { inputs, backend, attrs } = args;
  const { a, b } = inputs;
  if (a.dtype !== 'float32' || b.dtype !== 'float32' || a.shape.length < 2 || b.shape.length < 2) {
    return run(backend, tf.BatchMatMul, inputs, attrs);
  }
  const u = untranspose(backend, a, b, !!attrs.transposeA, !!attrs.transposeB);
  try {
    return nnMatMul(backend, u.a, u.b);
  } finally {
    release(backend, ...u.owned);
  }
}

function fusedMatMul(args: { inputs: Record<string, TensorInfo>; backend: Backend; attrs: Attrs }): TensorInfo {
  const { inputs, backend, attrs } = args;
  if (!attrs.transposeA && !attrs.transposeB) return run(backend, tf._FusedMatMul, inputs, attrs);
  const u = untranspose(backend, inputs.a, inputs.b, !!attrs.transposeA, !!attrs.transposeB);
  try {
    return run(backend, tf._FusedMatMul, { ...inputs, a: u.a, b: u.b }, { ...attrs, transposeA: false, transposeB: false });
  } finally {
    release(backend, ...u.owned);
  }
}

export const matMulKernels: tf.KernelConfig[] = [
  { kernelName: tf.BatchMatMul, backendName: 'wasm', kernelFunc: batchMatMul as unknown as tf.KernelFunc },
  { kernelName: tf._FusedMatMul, backendName: 'wasm', kernelFunc: fusedMatMul as unknown as tf.KernelFunc },
];
