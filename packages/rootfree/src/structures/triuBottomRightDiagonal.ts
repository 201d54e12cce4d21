import type { Precision } from '../precision/index.js';
import { ArrowMatrix, arrowClass } from './arrowBase.js';
import type { Parts } from './ops.js';

/** `[[a, bᵀ], [0, diag(c)]]`: corner a with a dense first row b and diagonal c (d−1) (SPEC §3.2). */
export class TriuBottomRightDiagonalMatrix extends ArrowMatrix {
  readonly kind = 'triuBottomRightDiagonal';
  readonly lower = false;
  readonly topLeft = false;
  constructor(parts: Parts, precision: Precision = 'float32') {
    super(parts, precision);
  }
  protected create(parts: Parts, precision: Precision): this {
    return new TriuBottomRightDiagonalMatrix(parts, precision) as this;
  }
}

export const TriuBottomRightDiagonal = arrowClass('triuBottomRightDiagonal', { lower: false, topLeft: false }, (parts, p) => new TriuBottomRightDiagonalMatrix(parts, p));
