import { mergeSmallDims } from '../../linalg/modeProduct.js';
import type { ShampooOptions } from './options.js';

/** One block of a (merged) parameter: where it starts and its size along every axis. */
export interface Block {
  start: number[];
  size: number[];
}

/** 'full': a d×d factor raised to −η/root; 'diag': a length-d diagonal factor (largeDimMethod 'diagonal'). */
export type AxisKind = 'full' | 'diag';

/** How one parameter is preconditioned. */
export type ShampooPlan =
  /**
   * Kronecker factors per block. `dims` is the (merged) shape the parameter is viewed with; every
   * block has one factor per axis of `dims` (kind `axes[k]`), all raised to −η/root.
   */
  | { kind: 'kronecker'; dims: number[]; root: number; axes: AxisKind[]; blocks: Block[] }
  /** largeDimMethod 'adagrad' and an axis > maxPreconditionerDim: element-wise AdaGrad/RMSProp on the whole parameter. */
  | { kind: 'adagrad' };

/** Distributed Shampoo's `_get_root_from_exponent_override`. */
export function rootFor(order: number, override: number | number[]): number {
  if (Array.isArray(override)) return order > override.length ? 2 * order : override[order - 1];
  return override === 0 ? 2 * order : override;
}

/** Every block of `dims` cut into chunks of `size` along each axis, in row-major block order (the reference's `multi_dim_split`). */
export function blocksOf(dims: readonly number[], size: number): Block[] {
  let blocks: Block[] = [{ start: [], size: [] }];
  for (const d of dims) {
    const next: Block[] = [];
    for (const b of blocks) {
      // An empty axis still gets one (empty) block so every parameter has at least one.
      if (d === 0) next.push({ start: [...b.start, 0], size: [...b.size, 0] });
      for (let s = 0; s < d; s += size) next.push({ start: [...b.start, s], size: [...b.size, Math.min(size, d - s)] });
    }
    blocks = next;
  }
  return blocks;
}

export function planFor(shape: readonly number[], o: ShampooOptions): ShampooPlan {
  const max = o.maxPreconditionerDim;
  if (o.largeDimMethod === 'blocking') {
    const dims = o.mergeDims ? mergeSmallDims(shape, max) : shape.slice();
    return { kind: 'kronecker', dims, root: rootFor(dims.length, o.exponentOverride), axes: dims.map(() => 'full'), blocks: blocksOf(dims, max) };
  }
  const dims = shape.slice();
  const whole = [{ start: dims.map(() => 0), size: dims }];
  if (o.largeDimMethod === 'adagrad') {
    if (dims.some((d) => d > max)) return { kind: 'adagrad' };
    return { kind: 'kronecker', dims, root: rootFor(dims.length, o.exponentOverride), axes: dims.map(() => 'full'), blocks: whole };
  }
  return { kind: 'kronecker', dims, root: rootFor(dims.length, o.exponentOverride), axes: dims.map((d) => (d > max ? 'diag' : 'full')), blocks: whole };
}

/** State slot of factor k of block b (`L<k>`/`X<k>` for an unblocked parameter, `B<b>L<k>`/`B<b>X<k>` otherwise). */
export function slotName(kind: 'L' | 'X', plan: { blocks: Block[] }, b: number, k: number): string {
  return plan.blocks.length === 1 ? `${kind}${k}` : `B${b}${kind}${k}`;
}
