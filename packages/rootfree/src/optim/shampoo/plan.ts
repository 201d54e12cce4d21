import { mergeSmallDims } from '../../linalg/modeProduct.js';
import type { ShampooOptions } from './options.js';

/** How one parameter is preconditioned. */
export type ShampooPlan =
  /** One dims[k]×dims[k] factor per axis of the (merged) shape, each raised to −η/root. */
  | { kind: 'kronecker'; dims: number[]; root: number }
  /** Some (merged) axis exceeds maxPreconditionerDim: element-wise AdaGrad/RMSProp (reference `large_dim_method=ADAGRAD`). */
  | { kind: 'diagonal' };

/** Distributed Shampoo's `_get_root_from_exponent_override`. */
export function rootFor(order: number, override: number | number[]): number {
  if (Array.isArray(override)) return order > override.length ? 2 * order : override[order - 1];
  return override === 0 ? 2 * order : override;
}

export function planFor(shape: readonly number[], o: ShampooOptions): ShampooPlan {
  const dims = o.mergeDims ? mergeSmallDims(shape, o.maxPreconditionerDim) : shape.slice();
  if (dims.some((d) => d > o.maxPreconditionerDim)) return { kind: 'diagonal' };
  return { kind: 'kronecker', dims, root: rootFor(dims.length, o.exponentOverride) };
}
