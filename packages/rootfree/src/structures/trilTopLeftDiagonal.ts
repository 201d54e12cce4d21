import type { Precision } from '../precision/index.js';
import { ArrowMatrix, arrowClass } from './arrowBase.js';
import type { Parts } from './ops.js';

/** `[[diag(a), 0], [bᵀ, c]]`: diagonal a (d−1) with a dense last row b and corner c (SPEC §3.2). */
export class TrilTopLeftDiagonalMatrix extends ArrowMatrix {
  readonly kind = 'trilTopLeftDiagonal';
  readonly lower = true;
  readonly topLeft = true;
  constructor(parts: Parts, precision: Precision = 'float32') {
    super(parts, precision);
  }
  protected create(parts: Parts, precision: Precision): this {
    return new TrilTopLeftDiagonalMatrix(parts, precision) as this;
  }
}

export const TrilTopLeftDiagonal = arrowClass('trilTopLeftDiagonal', { lower: true, topLeft: true }, (parts, p) => new TrilTopLeftDiagonalMatrix(parts, p));
