import type * as tf from '@tensorflow/tfjs-core';
import type { Span, StorageAccess } from '../../backend/fusedKernels.js';
import type { ManyKernel } from './simd.js';

/**
 * Deferred wasm SIMD updates. During a step each tensor's update is appended as a table row
 * (n, then its buffers' byte offsets) to the batch of its kernel and scalars; `flushFused`, which
 * the driver calls once at the end of every step (inside the step's `tf.tidy`, so gradients are
 * still alive), writes each table to the heap and runs the whole batch with one `many` call, then
 * tells the backend which parameters changed. With 200 small tensors this replaces 200 JS→wasm
 * calls interleaved with memory-streaming loops (which evict the JS working set) by one call.
 * Nothing reads the parameters between enqueue and flush: the step loop only writes them.
 */
interface Batch {
  acc: StorageAccess;
  many: ManyKernel;
  scalars: number[];
  stride: number;
  rows: number[];
  params: tf.Variable[];
}

/** Keyed by the prepared-constants object: one batch per (kernel, scalars) within a step. */
const pending = new Map<object, Batch>();

export function enqueue(key: object, acc: StorageAccess, many: ManyKernel, scalars: number[], stride: number, p: tf.Variable, n: number, spans: ReadonlyArray<Span | null | undefined>): void {
  let b = pending.get(key);
  if (b === undefined) {
    b = { acc, many, scalars, stride, rows: [], params: [] };
    pending.set(key, b);
  }
  const start = b.rows.length;
  b.rows.push(n);
  for (const s of spans) if (s) b.rows.push(s.off * 4);
  if (b.rows.length - start !== stride) throw new Error(`internal: fused batch row has ${b.rows.length - start} entries, kernel expects ${stride}`);
  b.params.push(p);
}

/** Runs every pending batch (no-op when nothing is pending). */
export function flushFused(): void {
  if (pending.size === 0) return;
  const batches = [...pending.values()];
  pending.clear();
  for (const b of batches) {
    // scratch() may grow the heap: take the view after it.
    const ptr = b.acc.scratch!(b.rows.length * 4);
    new Int32Array(b.acc.memory!.buffer, ptr, b.rows.length).set(b.rows);
    b.many(ptr, b.params.length, ...b.scalars);
    for (const p of b.params) b.acc.written(p);
  }
}
