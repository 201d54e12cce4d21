import * as tf from '@tensorflow/tfjs-core';
import type { Precision } from '../../precision/index.js';
import { flagBool, gpuFusedActive, runGpuUpdate } from '../fused/gpu.js';
import { tailProgram } from '../fused/programs.js';
import type { TailOptions } from '../fused/tail.js';
import type { StepContext, State } from '../types.js';

/**
 * IF-Shampoo on webgl/webgpu: the factor work stays in tfjs ops (its new state selected with the
 * step's device flag), the elementwise tail (κ·p, momentum, update) is one GPU program per
 * parameter. False, having done nothing, when the backend has no GPU programs.
 */
export function gpuStep(
  params: tf.Variable[],
  bufs: Array<tf.Variable | null>,
  state: Record<string, tf.Variable>,
  ctx: StepContext,
  directions: () => { parts: tf.Tensor[]; updated: State; pv: Precision },
  tailOptions: (pv: Precision) => TailOptions,
): boolean {
  if (!gpuFusedActive()) return false;
  tf.tidy(() => {
    const { parts, updated, pv } = directions();
    const ok = ctx.deviceFinite ? flagBool(ctx.deviceFinite) : null;
    for (const [k, t] of Object.entries(updated)) state[k].assign(ok === null ? t : tf.where(ok, t, state[k]));
    const o = tailOptions(pv);
    const fr = Math.fround;
    const kappa = fr(o.kappa) !== 0;
    const dir = kappa ? (o.directionPrecision ?? 'float32') : 'float32';
    const precision = o.precision ?? 'float32';
    const f = { kappa, momentum: false, bf16: precision === 'bfloat16', fp16: precision === 'float16', dirBf16: dir === 'bfloat16', dirFp16: dir === 'float16' };
    const scalars = [fr(o.lr), fr(o.kappa), fr(o.alpha1)];
    params.forEach((p, i) => {
      const buf = bufs[i];
      const g = { ...f, momentum: buf !== null };
      const key = `tail${Object.values(g).map(Number).join('')}`;
      runGpuUpdate(tailProgram(g), key, buf ? [p, parts[i], buf] : [p, parts[i]], buf ? [p, buf] : [p], scalars, ctx);
    });
  });
  return true;
}
