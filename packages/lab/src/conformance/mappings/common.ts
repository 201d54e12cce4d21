import type { GoldenCase } from '../golden.js';
import { MappingError } from '../registry.js';

/** The case's hyper-parameters under the reference's names. */
export const h = (c: GoldenCase) => c.hyperparameters as Record<string, any>;

/** A reference dtype string (`torch.float64`, `torch.bfloat16`, null) as a rootfree precision; float64 runs map to float32. */
export const dtypeOf = (v: unknown): string => (v === undefined || v === null ? 'float32' : String(v).replace('torch.', '').replace('float64', 'float32'));

/** Throws a MappingError unless `value` is one the mapping reproduces. */
export function requireValue(c: GoldenCase, key: string, allowed: readonly unknown[]): void {
  const v = h(c)[key];
  if (v !== undefined && !allowed.some((a) => JSON.stringify(a) === JSON.stringify(v))) {
    throw new MappingError(`${c.optimizer} ${key}=${JSON.stringify(v)} not mapped (only ${allowed.map((a) => JSON.stringify(a)).join(', ')})`);
  }
}
