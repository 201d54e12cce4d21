import { OptionError } from '../validate.js';
import type { IFShampooOptions } from './options.js';

/** Largest k with 4^k <= n (integer arithmetic: `Math.log(n)/Math.log(4)` can round down at powers of 4). */
export function floorLog4(n: number): number {
  let k = 0;
  let p = 4;
  while (p <= n) {
    k++;
    p *= 4;
  }
  return k;
}

/** Interval after an update at step t in the [RS] schedule: clamp(⌊log4(t + 1)⌋, 1, T). */
export function paperInterval(t: number, T: number): number {
  return Math.min(Math.max(floorLog4(t + 1), 1), T);
}

/**
 * The [RS] schedule is a pure function of the step; remembering the last reached update step
 * per cap T keeps the per-step cost O(1) for increasing steps (the usual case).
 */
const cursors = new Map<number, { update: number; next: number }>();

export function isPaperUpdateStep(step: number, T: number): boolean {
  let c = cursors.get(T);
  if (!c || c.update > step) c = { update: 0, next: paperInterval(0, T) };
  while (c.next <= step) c = { update: c.next, next: c.next + paperInterval(c.next, T) };
  cursors.set(T, c);
  return c.update === step;
}

/** The update steps of the [RS] schedule below `end` (for tests and reports). */
export function paperUpdateSteps(T: number, end: number): number[] {
  const out: number[] = [];
  for (let t = 0; t < end; t += paperInterval(t, T)) out.push(t);
  return out;
}

/** Function-valued T is evaluated once per step and options object (one parameter group). */
const lastDecision = new WeakMap<object, { step: number; update: boolean }>();

/** Whether the preconditioner is updated at this 0-based optimizer step (SPEC §2.5). */
export function isUpdateStep(o: IFShampooOptions, step: number): boolean {
  if (typeof o.T === 'function') {
    const last = lastDecision.get(o);
    if (last && last.step === step) return last.update;
    const update: unknown = o.T(step);
    if (typeof update !== 'boolean') throw new OptionError(`T(${step})`, update, 'a boolean from the update-schedule function');
    lastDecision.set(o, { step, update });
    return update;
  }
  if (o.paperSchedule) return isPaperUpdateStep(step, o.T);
  return step % o.T === 0;
}

/** Whether some steps skip the update, so that caching K̃K̃ᵀ between updates pays off. */
export function mayskipUpdates(o: IFShampooOptions): boolean {
  return typeof o.T === 'function' || o.T > 1;
}
