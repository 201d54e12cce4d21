import * as tf from '@tensorflow/tfjs-core';
import type { Precision } from '../../precision/index.js';
import { flagBool, gpuFusedActive, runGpuUpdate } from '../fused/gpu.js';
import { tailProgram } from '../fused/programs.js';
import type { TailOptions } from '../fused/tail.js';
import type { StepContext, State } from '../types.js';

/**
 * IF-Shampoo on webgl/webgpu: the factor work stays in tfjs ops (on a checked step its new state
 * is checked and written with the step's device flag, `ctx.gpuPlan`), the elementwise tail (κ·p,
 * momentum, update) is one GPU program per parameter. False, having done nothing, when the
 * backend has no GPU programs.
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
  const plan = ctx.gpuPlan;
  const run = (): void => {
    const { parts, updated, pv } = directions();
    if (plan === undefined) for (const [k, t] of Object.entries(updated)) state[k].assign(t);
    else {
      // Checked step: the new factor state joins the step's checks and is written with its flag.
      const names = params.map((p) => `'${p.name}'`).join(' + ');
      for (const [k, t] of Object.entries(updated)) plan.checks.push({ kind: 'tensor', tensor: t, what: `the new state slot '${k}' of ${names}` });
      plan.commits.push((flag) => {
        const ok = flag === null ? null : flagBool(flag);
        for (const [k, t] of Object.entries(updated)) state[k].assign(ok === null ? t : tf.where(ok, t, state[k]));
      });
    }
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
  };
  // A planned step's tensors must live until its writes run: the driver's tidy disposes them.
  if (plan === undefined) tf.tidy(run);
  else run();
  return true;
}
