import * as tf from '@tensorflow/tfjs-core';
import { FINITE_KERNEL, GPU_BACKENDS } from '../backend/gpu/names.js';
import { gpuKernelsActive } from '../backend/gpu/register.js';
import { NonFiniteError } from '../errors.js';
import type { GradList } from './gradients.js';

/**
 * The non-finite policy on webgl/webgpu, where reading the device during a step stalls the
 * pipeline (and can lose a WebGPU device): the check runs on the device (one chained program per
 * gradient, `backend/gpu/`), every update keeps the old values when the step's flag says "not
 * finite", and the flag is read asynchronously after the step. A failure under 'throw' is thrown
 * by the next `applyGradients` (which then changes nothing); `lastStepFinite()` resolves with
 * the outcome of the latest step. cpu and wasm keep the synchronous check (`finiteCheck.ts`).
 */

/** Whether this step's check runs on the device (active backend is webgl/webgpu with its kernels). */
export function deviceChecked(): boolean {
  return GPU_BACKENDS.includes(tf.getBackend()) && gpuKernelsActive();
}

/**
 * The step's flag `[all finite ? 1 : 0, 1 + index in list of the first bad gradient, or 0]`, or
 * null when no gradient has elements. No host read.
 */
export function deviceFlag(list: GradList): tf.Tensor | null {
  return chainedFlag(list.map((g) => g.tensor), 0);
}

/**
 * `[all finite ? 1 : 0, offset + 1 + index of the first tensor holding NaN/Inf, or 0]` over
 * `tensors` (null and empty ones skipped), one chained check program each; null when none has
 * elements. No host read.
 */
export function chainedFlag(tensors: Array<tf.Tensor | null>, offset: number): tf.Tensor | null {
  const present: number[] = [];
  tensors.forEach((t, i) => {
    if (t !== null && t.size > 0) present.push(i);
  });
  let prev: tf.Tensor | null = null;
  present.forEach((i, k) => {
    const inputs = prev === null ? { x: tensors[i]! } : { x: tensors[i]!, prev };
    const attrs = { index: offset + i, last: k === present.length - 1 };
    const next = tf.engine().runKernel(FINITE_KERNEL, inputs as unknown as tf.NamedTensorMap, attrs as unknown as tf.NamedAttrMap) as tf.Tensor;
    prev?.dispose();
    prev = next;
  });
  return prev;
}

/** Both flags' verdict in one: finite when both are; the first flag's culprit, else the second's. */
export function combineFlags(a: tf.Tensor | null, b: tf.Tensor | null): tf.Tensor | null {
  if (a === null || b === null) return a ?? b;
  return tf.tidy(() => {
    const ok = tf.minimum(tf.slice(a, [0], [1]), tf.slice(b, [0], [1]));
    const ca = tf.slice(a, [1], [1]);
    return tf.concat([ok, tf.where(tf.greater(ca, 0), ca, tf.slice(b, [1], [1]))]);
  });
}

/** `where(flag, next, old)` for the composite path; `okBool` is the flag's first entry as a bool scalar. */
export function selectIfFinite(okBool: tf.Tensor | null, next: tf.Tensor, old: tf.Tensor): tf.Tensor {
  return okBool === null ? next : tf.where(okBool, next, old);
}

export function flagAsBool(flag: tf.Tensor): tf.Tensor {
  return tf.greater(tf.reshape(tf.slice(flag, [0], [1]), []), 0.5);
}

/** Outcomes of past steps, learned without blocking. */
export class StepStatus {
  private last: Promise<boolean> = Promise.resolve(true);
  /** Reads still in flight (their flags are disposed when they settle). */
  private readonly inFlight = new Set<Promise<boolean>>();
  private failure: NonFiniteError | null = null;

  /** Takes ownership of `flag` (kept out of the step's tidy) and reads it asynchronously. */
  recordDevice(flag: tf.Tensor, step: number, culprits: string[], who: string, throwLater: boolean, rejected: () => void): void {
    const read = flag
      .data()
      .then((v) => {
        if (v[0] === 1) return true;
        rejected();
        const culprit = v[1] > 0 ? culprits[v[1] - 1] : undefined;
        if (throwLater && this.failure === null) {
          this.failure = new NonFiniteError(
            `${who}: ${culprit ?? 'a gradient or new value'} contains NaN or Inf (step ${step}, detected on the device after the step); ` +
              `that step changed no parameter or state and is not counted. Use nonFinite: 'skip' to skip such steps.`,
          );
        }
        return false;
      })
      .catch(() => false)
      .finally(() => {
        flag.dispose();
        this.inFlight.delete(read);
      });
    this.inFlight.add(read);
    this.last = read;
  }

  recordHost(finite: boolean): void {
    this.last = Promise.resolve(finite);
  }

  /** Throws (once) the failure a device check found after an earlier step. */
  surface(): void {
    const f = this.failure;
    if (f === null) return;
    this.failure = null;
    throw f;
  }

  /** The latest step's outcome, once every earlier read has settled too (all flags disposed). */
  async lastStepFinite(): Promise<boolean> {
    const last = this.last;
    await Promise.all([...this.inFlight]);
    return last;
  }
}
