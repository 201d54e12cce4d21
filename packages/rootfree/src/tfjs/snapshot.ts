import * as tf from '@tensorflow/tfjs-core';
import { storageAccess, type StorageAccess } from '../backend/fusedKernels.js';

/**
 * Values of the variables a fused (in-place) step is about to overwrite, so a step whose result
 * turns out non-finite can be undone. One copy pass into an arena owned by the optimizer and
 * reused every step (no allocation after the first); restoring is the rare path and assigns
 * fresh tensors, which works whatever the variables' storage became during the step.
 */
export class Snapshot {
  private arena = new Float32Array(0);
  private used = 0;
  private readonly saved: Array<{ v: tf.Variable; off: number }> = [];
  private acc: StorageAccess | null = null;

  /** Forgets the previous step's values (the arena is kept). */
  begin(): void {
    this.used = 0;
    this.saved.length = 0;
    this.acc = storageAccess();
  }

  save(v: tf.Variable): void {
    const n = v.size;
    if (n === 0) return;
    if (this.used + n > this.arena.length) {
      const grown = new Float32Array(Math.max(this.used + n, 2 * this.arena.length));
      grown.set(this.arena.subarray(0, this.used));
      this.arena = grown;
    }
    const span = this.acc?.read(v) ?? null;
    const src = span ? span.arr.subarray(span.off, span.off + n) : (v.dataSync() as Float32Array);
    this.arena.set(src, this.used);
    this.saved.push({ v, off: this.used });
    this.used += n;
  }

  /** Every variable saved since `begin`. */
  variables(): tf.Variable[] {
    return this.saved.map((s) => s.v);
  }

  /** Writes the saved values back. */
  restore(): void {
    for (const { v, off } of this.saved) {
      if (v.isDisposed) continue;
      const t = tf.tensor(this.arena.slice(off, off + v.size), v.shape, 'float32');
      v.assign(t);
      t.dispose();
    }
    this.begin();
  }

  /** Releases the arena (optimizer disposed or reset). */
  release(): void {
    this.begin();
    this.acc = null;
    this.arena = new Float32Array(0);
  }
}
