import { validateSchedule, type LrSchedule } from './schedules.js';
import { checkNumber } from './validate.js';

/** Options every method resolves the same way. */
export interface BaseOptions {
  /** Learning rate β1 (number, schedule spec or function of the step). */
  lr: LrSchedule;
}

export function resolveLr(raw: Record<string, unknown>, fallback: number): LrSchedule {
  return validateSchedule('lr', raw.lr ?? fallback);
}

/** Batch size B: a positive integer. */
export function resolveBatchSize(value: unknown, option = 'batchSize'): number {
  return checkNumber(option, value, { min: 1, integer: true });
}

export const num = (raw: Record<string, unknown>, key: string, fallback: number): unknown => raw[key] ?? fallback;
