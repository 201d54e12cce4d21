import * as tf from '@tensorflow/tfjs-core';
import type { LrSchedule } from '../optim/schedules.js';
import type { Method, ParamInfo, State, StepContext } from '../optim/types.js';

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

/** Creates a unit's state variables from `method.init` (no-op when it has state). */
export function createState<O>(unit: Unit<O>, method: Method<O>, ctx: StepContext, namePrefix: string): void {
  if (unit.state !== null) return;
  const init = tf.tidy(() => method.init(unit.info, unit.options, ctx)) as State;
  const state: Record<string, tf.Variable> = {};
  try {
    for (const [slot, t] of Object.entries(init)) {
      if (slot === COUNT_SLOT || slot.includes('/')) throw new Error(`internal: invalid state slot name '${slot}'`);
      state[slot] = tf.variable(t, false, `${namePrefix}/${unit.indices[0]}/${slot}`);
    }
  } catch (e) {
    Object.values(state).forEach((v) => v.dispose());
    throw e;
  } finally {
    Object.values(init).forEach((t) => t.dispose());
  }
  unit.state = state;
}

/** Disposes a unit's state variables and marks it stateless. */
export function dropState<O>(unit: Unit<O>): void {
  Object.values(unit.state ?? {}).forEach((v) => v.dispose());
  unit.state = null;
}
