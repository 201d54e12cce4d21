import type * as tf from '@tensorflow/tfjs-core';
import type { Program } from './simd.js';

/**
 * A GPU step in two phases (webgl/webgpu with a non-finite policy): while the units run, fused
 * updates only describe what they will check and write; the driver chains every check into the
 * step's flag (tfjs/step.ts) and then runs the writes, which select with that flag on the device.
 * So a NaN/Inf in any gradient or any new value rejects the whole step, with no host read.
 */
export type GpuCheck =
  | { kind: 'tensor'; tensor: tf.Tensor; what: string }
  /** An update program evaluated without writing; buffer 1 is the raw gradient when it is one of the step's gradients. */
  | { kind: 'update'; program: Program; key: string; scalars: number[]; buffers: tf.Tensor[]; what: string };

export interface GpuPlan {
  checks: GpuCheck[];
  /** Run in order once the flag is known (null: nothing was checked). */
  commits: Array<(flag: tf.Tensor | null) => void>;
}
