import { blockDiagonal } from './blockDiagonal.js';
import { Dense } from './dense.js';
import { Diagonal } from './diagonal.js';
import { hierarchical } from './hierarchical.js';
import { TrilBottomRightDiagonal } from './trilBottomRightDiagonal.js';
import { TrilToeplitz } from './trilToeplitz.js';
import { TrilTopLeftDiagonal } from './trilTopLeftDiagonal.js';
import { TriuBottomRightDiagonal } from './triuBottomRightDiagonal.js';
import { TriuTopLeftDiagonal } from './triuTopLeftDiagonal.js';
import { TriuToeplitz } from './triuToeplitz.js';
import type { StructureClass } from './types.js';

export type { Structured, StructureClass } from './types.js';
export { blockDiagonal, blockDiagonalName, BlockDiagonalMatrix, type BlockDiagonalOptions } from './blockDiagonal.js';
export { Dense, DenseMatrix } from './dense.js';
export { Diagonal, DiagonalMatrix } from './diagonal.js';
export { TrilToeplitz, TrilToeplitzMatrix } from './trilToeplitz.js';
export { TrilTopLeftDiagonal, TrilTopLeftDiagonalMatrix } from './trilTopLeftDiagonal.js';
export { TrilBottomRightDiagonal, TrilBottomRightDiagonalMatrix } from './trilBottomRightDiagonal.js';
export { TriuTopLeftDiagonal, TriuTopLeftDiagonalMatrix } from './triuTopLeftDiagonal.js';
export { TriuBottomRightDiagonal, TriuBottomRightDiagonalMatrix } from './triuBottomRightDiagonal.js';
export { TriuToeplitz, TriuToeplitzMatrix } from './triuToeplitz.js';
export { hierarchical, hierarchicalName, hierarchicalSizes, HierarchicalMatrix } from './hierarchical.js';

export interface StructureClassOptions {
  /**
   * Reproduce the reference's known deviations from the math (today only the block-diagonal
   * transpose quirk, SPEC §3.2: `block<b>diagonal` then behaves like `block<b>diagonalRef`).
   * Structures whose reference implementation is correct ignore it. Default false.
   */
  referenceCompat?: boolean;
}

const NAMES = 'dense, diagonal, block<b>diagonal (block<b>diagonalRef), hierarchical<k1>x<k2>, trilToeplitz, triuToeplitz, trilTopLeftDiagonal, trilBottomRightDiagonal, triuTopLeftDiagonal, triuBottomRightDiagonal';

/**
 * Parses a structure name (case-insensitive) to its class. Canonical names (what `kind`
 * reports; no '_' because tfjs camelCases strings in saved configs): `dense`, `diagonal`,
 * `block<b>diagonal` (e.g. `block30diagonal`; `block<b>diagonalRef` reproduces the reference's
 * transpose quirk), `hierarchical<k1>x<k2>` (e.g. `hierarchical15x15`; the reference spelling
 * `hierarchical15_15` is accepted), `trilToeplitz`, `triuToeplitz`, `trilTopLeftDiagonal`,
 * `trilBottomRightDiagonal`, `triuTopLeftDiagonal`, `triuBottomRightDiagonal`.
 */
export function structureClass(name: string, options: StructureClassOptions = {}): StructureClass {
  const key = name.toLowerCase();
  if (key === 'dense') return Dense;
  if (key === 'diagonal') return Diagonal;
  if (key === 'triltoeplitz') return TrilToeplitz;
  if (key === 'triutoeplitz') return TriuToeplitz;
  if (key === 'triltopleftdiagonal') return TrilTopLeftDiagonal;
  if (key === 'trilbottomrightdiagonal') return TrilBottomRightDiagonal;
  if (key === 'triutopleftdiagonal') return TriuTopLeftDiagonal;
  if (key === 'triubottomrightdiagonal') return TriuBottomRightDiagonal;
  const block = /^block(\d+)diagonal(ref)?$/.exec(key);
  if (block) {
    const b = Number(block[1]);
    if (b < 1) throw new RangeError(`structure: block size must be positive in '${name}'`);
    return blockDiagonal(b, { referenceTranspose: block[2] !== undefined || (options.referenceCompat ?? false) });
  }
  const hier = /^hierarchical(\d+)[x_](\d+)$/.exec(key);
  if (hier) return hierarchical(Number(hier[1]), Number(hier[2]));
  throw new RangeError(`structure: unknown structure '${name}' (expected ${NAMES})`);
}
