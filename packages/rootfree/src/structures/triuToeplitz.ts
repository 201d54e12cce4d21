import type * as tf from '@tensorflow/tfjs-core';
import type { Precision } from '../precision/index.js';
import type { Parts } from './ops.js';
import { ToeplitzMatrix, toeplitzClass } from './toeplitzBase.js';

/** Upper-triangular Toeplitz matrix: K[i,j] = c_{j−i} for j ≥ i, 0 below the diagonal (SPEC §3.2). */
export class TriuToeplitzMatrix extends ToeplitzMatrix {
  readonly kind = 'triuToeplitz';
  protected readonly lower = false;
  constructor(coeffs: tf.Tensor1D, precision: Precision = 'float32') {
    super(coeffs, precision);
  }
  protected create(parts: Parts, precision: Precision): this {
    return new TriuToeplitzMatrix(parts.coeffs as tf.Tensor1D, precision) as this;
  }
}

export const TriuToeplitz = toeplitzClass('triuToeplitz', (c, p) => new TriuToeplitzMatrix(c, p));
