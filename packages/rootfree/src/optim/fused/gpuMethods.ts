import type * as tf from '@tensorflow/tfjs-core';
import type { AdamWOptions, RFAdamWOptions, RFRMSpropOptions, RMSpropOptions, SGDOptions } from '../diagonalOptions.js';
import type { StepContext } from '../types.js';
import { adamwPlan, rfAdamWPlan, rfRmspropPlan, rmspropPlan, sgdPlan } from './plans.js';
import { rfAdamWProgram, rfRmspropProgram } from './programs.js';
import { gpuFusedActive, runGpuUpdate } from './gpu.js';

/**
 * The diagonal methods on webgl/webgpu: the same programs and float32 scalars as the wasm SIMD
 * kernels, run as one GPU program per parameter (`backend/gpu/`). Each returns false, having done
 * nothing, when the active backend has no GPU programs; the driver then runs the composite path.
 */

type Vars = Record<string, tf.Variable>;

export function sgdGpu(p: tf.Variable, g: tf.Tensor, state: Vars, o: SGDOptions, ctx: StepContext): boolean {
  if (!gpuFusedActive()) return false;
  const plan = sgdPlan(o, ctx);
  const mom = o.momentum > 0 ? [state.momentum] : [];
  runGpuUpdate(plan.build(), plan.key, [p, g, ...mom], [p, ...mom], plan.scalars, ctx);
  return true;
}

export function adamwGpu(p: tf.Variable, g: tf.Tensor, state: Vars, o: AdamWOptions, ctx: StepContext): boolean {
  if (!gpuFusedActive()) return false;
  const plan = adamwPlan(o, ctx);
  const s = o.amsgrad ? [state.m, state.v, state.vmax] : [state.m, state.v];
  runGpuUpdate(plan.build(), plan.key, [p, g, ...s], [p, ...s], plan.scalars, ctx);
  return true;
}

export function rmspropGpu(p: tf.Variable, g: tf.Tensor, state: Vars, o: RMSpropOptions, ctx: StepContext): boolean {
  if (!gpuFusedActive()) return false;
  const plan = rmspropPlan(o, ctx);
  const s = [state.v, ...(o.centered ? [state.gAvg] : []), ...(o.momentum > 0 ? [state.momentum] : [])];
  runGpuUpdate(plan.build(), plan.key, [p, g, ...s], [p, ...s], plan.scalars, ctx);
  return true;
}

export function rfRmspropGpu(p: tf.Variable, g: tf.Tensor, state: Vars, o: RFRMSpropOptions, ctx: StepContext): boolean {
  if (!gpuFusedActive()) return false;
  const plan = rfRmspropPlan(o, ctx);
  const f = { wd: plan.c.wd !== 0, momentum: o.momentum > 0, bf16: o.stateDtype === 'bfloat16', fp16: o.stateDtype === 'float16' };
  const s = o.momentum > 0 ? [state.v, state.momentum] : [state.v];
  runGpuUpdate(rfRmspropProgram(f), `${plan.key}${+f.fp16}`, [p, g, ...s], [p, ...s], plan.scalars, ctx);
  return true;
}

export function rfAdamWGpu(p: tf.Variable, g: tf.Tensor, state: Vars, o: RFAdamWOptions, ctx: StepContext): boolean {
  if (!gpuFusedActive()) return false;
  const plan = rfAdamWPlan(o, ctx);
  const f = { decay: plan.c.hasDecay, bf16: o.stateDtype === 'bfloat16', fp16: o.stateDtype === 'float16' };
  runGpuUpdate(rfAdamWProgram(f), `${plan.key}${+f.fp16}`, [p, g, state.m, state.v], [p, state.m, state.v], plan.scalars, ctx);
  return true;
}
