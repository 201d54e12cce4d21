import * as tf from '@tensorflow/tfjs-core';
import { FINITE_KERNEL, GPU_BACKENDS, type FiniteAttrs } from '../backend/gpu/names.js';
import type { GpuCheck } from '../optim/fused/gpuPlan.js';
import { gpuKernelsActive } from '../backend/gpu/register.js';
import { NonFiniteError } from '../errors.js';

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

/** The step's device flag and the culprit named by each code (code c → `culprits[c − 1]`). */
export interface DeviceCheck {
  /** `[all finite ? 1 : 0, code of the first culprit found, or 0]`; null when nothing had elements. */
  flag: tf.Tensor | null;
  culprits: string[];
}

/**
 * The step's flag, with no host read: one chained check program per gradient (`names[i]` is
 * gradient i's), per composite new value and per planned fused update (which evaluates the
 * update without writing and checks its gradient and every new value, so that gradient needs
 * no check of its own); the last one reduces the partial results to the [2] flag.
 */
export function stepFlag(grads: Array<tf.Tensor | null>, names: string[], checks: GpuCheck[]): DeviceCheck {
  const culprits = names.map((n) => `the gradient of '${n}'`);
  const covered = new Set<tf.Tensor>();
  for (const c of checks) if (c.kind === 'update' && grads.includes(c.buffers[1])) covered.add(c.buffers[1]);
  const items: Array<{ inputs: Record<string, tf.Tensor>; attrs: Omit<FiniteAttrs, 'last'> }> = [];
  grads.forEach((g, i) => {
    if (g !== null && g.size > 0 && !covered.has(g)) items.push({ inputs: { x: g }, attrs: { index: i } });
  });
  for (const c of checks) {
    const code = culprits.push(c.what) - 1;
    if (c.kind === 'tensor') {
      if (c.tensor.size > 0) items.push({ inputs: { x: c.tensor }, attrs: { index: code } });
      continue;
    }
    if (c.buffers[0].size === 0) continue;
    const inputs: Record<string, tf.Tensor> = {};
    c.buffers.forEach((t, k) => (inputs[`b${k}`] = t));
    const gi = grads.indexOf(c.buffers[1]);
    items.push({ inputs, attrs: { index: gi, update: { program: c.program, key: c.key, scalars: c.scalars, gradBuf: gi >= 0 ? 1 : -1, valueIndex: code } } });
  }
  let prev: tf.Tensor | null = null;
  items.forEach((item, k) => {
    const inputs = prev === null ? item.inputs : { ...item.inputs, prev };
    const attrs = { ...item.attrs, last: k === items.length - 1 };
    const next = tf.engine().runKernel(FINITE_KERNEL, inputs as unknown as tf.NamedTensorMap, attrs as unknown as tf.NamedAttrMap) as tf.Tensor;
    prev?.dispose();
    prev = next;
  });
  return { flag: prev, culprits };
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
