import { checkEnum, checkNumber, didYouMean, OptionError } from './validate.js';

/**
 * Learning-rate schedules as data (so they survive `getConfig`/`model.save`), evaluated as a
 * function of the 0-based step like optax's `count -> value` schedules.
 */
export type ScheduleSpec =
  | { type: 'constant'; value: number }
  /** value · gamma^(number of milestones <= step). */
  | { type: 'multistep'; value: number; milestones: number[]; gamma?: number }
  /**
   * Linear warm-up from `warmupInit` (default 0) to `value` over `warmupSteps`, then cosine decay
   * to `minValue` (default 0) at `totalSteps`; constant `minValue` afterwards.
   */
  | { type: 'cosine'; value: number; totalSteps: number; warmupSteps?: number; minValue?: number; warmupInit?: number };

/** A learning rate: a number, a schedule spec, or a function of the step (not serializable). */
export type LrSchedule = number | ScheduleSpec | ((step: number) => number);

const SCHEDULE_KEYS: Record<ScheduleSpec['type'], string[]> = {
  constant: ['type', 'value'],
  multistep: ['type', 'value', 'milestones', 'gamma'],
  cosine: ['type', 'value', 'totalSteps', 'warmupSteps', 'minValue', 'warmupInit'],
};

export function validateSchedule(option: string, s: unknown): LrSchedule {
  if (typeof s === 'number') return checkNumber(option, s, { min: 0 });
  if (typeof s === 'function') return s as (step: number) => number;
  if (!s || typeof s !== 'object') throw new OptionError(option, s, 'a number, a schedule object or a function');
  const spec = s as ScheduleSpec;
  checkEnum(`${option}.type`, spec.type, ['constant', 'multistep', 'cosine'] as const);
  const known = SCHEDULE_KEYS[spec.type];
  for (const [k, v] of Object.entries(spec)) {
    if (!known.includes(k)) throw new OptionError(`${option}.${k}`, v, `a known key of a '${spec.type}' schedule (${known.join(', ')})${didYouMean(k, known)}`);
  }
  checkNumber(`${option}.value`, spec.value, { min: 0 });
  if (spec.type === 'multistep') {
    if (!Array.isArray(spec.milestones)) throw new OptionError(`${option}.milestones`, spec.milestones, 'an array of step numbers');
    spec.milestones.forEach((m, i) => checkNumber(`${option}.milestones[${i}]`, m, { min: 0, integer: true }));
    if (spec.gamma !== undefined) checkNumber(`${option}.gamma`, spec.gamma, { min: 0 });
  } else if (spec.type === 'cosine') {
    checkNumber(`${option}.totalSteps`, spec.totalSteps, { min: 1, integer: true });
    const w = spec.warmupSteps ?? 0;
    checkNumber(`${option}.warmupSteps`, w, { min: 0, max: spec.totalSteps, integer: true });
    if (spec.minValue !== undefined) checkNumber(`${option}.minValue`, spec.minValue, { min: 0 });
    if (spec.warmupInit !== undefined) checkNumber(`${option}.warmupInit`, spec.warmupInit, { min: 0 });
  }
  return spec;
}

export function evaluateSchedule(s: LrSchedule, step: number): number {
  if (typeof s === 'number') return s;
  if (typeof s === 'function') {
    const v = s(step);
    if (!Number.isFinite(v) || v < 0) throw new OptionError(`lr(${step})`, v, 'a finite number >= 0 from the schedule function');
    return v;
  }
  switch (s.type) {
    case 'constant':
      return s.value;
    case 'multistep': {
      const k = s.milestones.filter((m) => m <= step).length;
      return s.value * (s.gamma ?? 0.1) ** k;
    }
    case 'cosine': {
      const warm = s.warmupSteps ?? 0;
      const min = s.minValue ?? 0;
      if (step < warm) {
        const init = s.warmupInit ?? 0;
        return init + ((s.value - init) * step) / warm;
      }
      if (step >= s.totalSteps) return min;
      const frac = (step - warm) / Math.max(1, s.totalSteps - warm);
      return min + 0.5 * (s.value - min) * (1 + Math.cos(Math.PI * frac));
    }
  }
}

/** The base value of a schedule (for display). */
export function scheduleBase(s: LrSchedule): number {
  if (typeof s === 'number') return s;
  if (typeof s === 'function') return s(0);
  return s.value;
}
