import type { Precision } from '../precision/index.js';
import { ArrowMatrix, arrowClass } from './arrowBase.js';
import type { Parts } from './ops.js';

/** `[[diag(a), b], [0, c]]`: diagonal a (d−1) with a dense last column b and corner c (SPEC §3.2). */
export class TriuTopLeftDiagonalMatrix extends ArrowMatrix {
  readonly kind = 'triuTopLeftDiagonal';
  readonly lower = false;
  readonly topLeft = true;
  constructor(parts: Parts, precision: Precision = 'float32') {
    super(parts, precision);
  }
  protected create(parts: Parts, precision: Precision): this {
    return new TriuTopLeftDiagonalMatrix(parts, precision) as this;
  }
}

export const TriuTopLeftDiagonal = arrowClass('triuTopLeftDiagonal', { lower: false, topLeft: true }, (parts, p) => new TriuTopLeftDiagonalMatrix(parts, p));
