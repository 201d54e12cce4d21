import type { Program } from '../../optim/fused/simd.js';

/** One fused optimizer update: inputs `b0…b<k>` (program buffers) and optional `ok` ([2] flag). */
export const FUSED_KERNEL = 'RootfreeFusedUpdate';
/** One gradient's non-finite check, chained over a step's gradients (inputs `x`, optional `prev`). */
export const FINITE_KERNEL = 'RootfreeFiniteCheck';
/** The backends that have GPU programs for both kernels. */
export const GPU_BACKENDS: readonly string[] = ['webgl', 'webgpu'];
/** Partial results of the chained check (one per chunk of each gradient). */
export const CHUNKS = 256;

export interface FusedAttrs {
  /** The update (`optim/fused/programs.ts`); its stored buffers are the outputs, ascending. */
  program: Program;
  /** Cache key of `program` (its flags). */
  key: string;
  /** float32 scalars, in the program's order. */
  scalars: number[];
  /** Shape of every output (the parameter's). */
  shape: number[];
}

export interface FiniteAttrs {
  /** Position of this gradient in the step (reported as the first bad one); -1: none checked. */
  index: number;
  /** The step's last check: reduce to the [2] flag `[all finite ? 1 : 0, first bad index + 1]`. */
  last: boolean;
  /**
   * Checks an update instead of a tensor: inputs `b0…b<k>` as for {@link FUSED_KERNEL}; the
   * program is evaluated per element without writing, and an element is bad where buffer
   * `gradBuf` (reported as `index`) or any new value (reported as `valueIndex`) is NaN/Inf.
   */
  update?: { program: Program; key: string; scalars: number[]; gradBuf: number; valueIndex: number };
}
