import type { Precision } from '../precision/index.js';
import { ArrowMatrix, arrowClass } from './arrowBase.js';
import type { Parts } from './ops.js';

/** `[[a, 0], [b, diag(c)]]`: corner a with a dense first column b and diagonal c (d−1) (SPEC §3.2). */
export class TrilBottomRightDiagonalMatrix extends ArrowMatrix {
  readonly kind = 'trilBottomRightDiagonal';
  readonly lower = true;
  readonly topLeft = false;
  constructor(parts: Parts, precision: Precision = 'float32') {
    super(parts, precision);
  }
  protected create(parts: Parts, precision: Precision): this {
    return new TrilBottomRightDiagonalMatrix(parts, precision) as this;
  }
}

export const TrilBottomRightDiagonal = arrowClass('trilBottomRightDiagonal', { lower: true, topLeft: false }, (parts, p) => new TrilBottomRightDiagonalMatrix(parts, p));
