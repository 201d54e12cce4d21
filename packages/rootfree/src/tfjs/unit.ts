import type * as tf from '@tensorflow/tfjs-core';
import type { LrSchedule } from '../optim/schedules.js';
import type { ParamInfo, StepContext } from '../optim/types.js';

/** Name of the per-unit step counter in `getWeights` output (never a method's state slot). */
export const COUNT_SLOT = 'count';

/**
 * One preconditioned unit: the variables a method updates together (one parameter, or several
 * combined by IF-Shampoo's rules), with its state and per-step scratch.
 */
export interface Unit<O> {
  indices: number[];
  info: ParamInfo[];
  options: O;
  lr: LrSchedule;
  state: Record<string, tf.Variable> | null;
  count: number;
  /** Per-step scratch (reused so a step over many small tensors allocates nothing per unit). */
  g: tf.Tensor[];
  p: tf.Variable[];
  ctx: StepContext;
  lrNow: number;
}

/** The name prefix of a unit's weights in `getWeights`: `<unit index>/<param names joined by +>`. */
export function unitPrefix<O>(u: number, unit: Unit<O>): string {
  return `${u}/${unit.info.map((i) => i.name).join('+')}`;
}
