import * as tf from '@tensorflow/tfjs-core';
import { FUSED_KERNEL } from '../../backend/gpu/names.js';
import type { StepContext } from '../types.js';
import type { Program } from './simd.js';

export { gpuFusedActive, setGpuFused } from '../../backend/gpu/register.js';

/**
 * Runs `program` over `buffers` (in program order) as one GPU kernel and assigns its outputs (the
 * stored buffers, ascending) to `targets`. With the step's device flag (`ctx.deviceFinite`) the
 * program keeps the old values when the step was rejected, so nothing changes.
 */
export function runGpuUpdate(program: Program, key: string, buffers: tf.Tensor[], targets: tf.Variable[], scalars: number[], ctx: StepContext): void {
  const inputs: Record<string, tf.Tensor> = {};
  buffers.forEach((t, k) => (inputs[`b${k}`] = t));
  if (ctx.deviceFinite) inputs.ok = ctx.deviceFinite;
  const attrs = { program, key, scalars, shape: targets[0].shape };
  const out = tf.engine().runKernel(FUSED_KERNEL, inputs as unknown as tf.NamedTensorMap, attrs as unknown as tf.NamedAttrMap) as tf.Tensor | tf.Tensor[];
  const outs = Array.isArray(out) ? out : [out];
  if (outs.length !== targets.length) throw new Error(`internal: fused GPU program '${key}' wrote ${outs.length} outputs for ${targets.length} variables`);
  outs.forEach((t, j) => {
    targets[j].assign(t);
    t.dispose();
  });
}

/** The step's device flag as a bool scalar for `tf.where` (composite parts of a GPU step). */
export function flagBool(flag: tf.Tensor): tf.Tensor {
  return tf.greater(tf.reshape(tf.slice(flag, [0], [1]), []), 0.5);
}
