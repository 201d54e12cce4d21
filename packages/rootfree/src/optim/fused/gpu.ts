import * as tf from '@tensorflow/tfjs-core';
import { FUSED_KERNEL } from '../../backend/gpu/names.js';
import type { StepContext } from '../types.js';
import type { Program } from './simd.js';

export { gpuFusedActive, setGpuFused } from '../../backend/gpu/register.js';

/**
 * Runs `program` over `buffers` (in program order) as one GPU kernel and assigns its outputs (the
 * stored buffers, ascending) to `targets`. With `ctx.gpuPlan` (a checked step) it only plans
 * that: the program's check (its gradient, buffer 1, and every new value) and the write, which
 * then keeps the old values when the step's flag says "not finite".
 */
export function runGpuUpdate(program: Program, key: string, buffers: tf.Tensor[], targets: tf.Variable[], scalars: number[], ctx: StepContext): void {
  const plan = ctx.gpuPlan;
  if (plan === undefined) return writeUpdate(program, key, buffers, targets, scalars, null);
  plan.checks.push({ kind: 'update', program, key, scalars, buffers: buffers.slice(), what: `the update of '${targets[0].name}' (its new value or state)` });
  plan.commits.push((flag) => writeUpdate(program, key, buffers, targets, scalars, flag));
}

function writeUpdate(program: Program, key: string, buffers: tf.Tensor[], targets: tf.Variable[], scalars: number[], flag: tf.Tensor | null): void {
  const inputs: Record<string, tf.Tensor> = {};
  buffers.forEach((t, k) => (inputs[`b${k}`] = t));
  if (flag !== null) inputs.ok = flag;
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
