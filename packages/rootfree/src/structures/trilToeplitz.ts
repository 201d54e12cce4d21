import type * as tf from '@tensorflow/tfjs-core';
import type { Precision } from '../precision/index.js';
import type { Parts } from './ops.js';
import { ToeplitzMatrix, toeplitzClass } from './toeplitzBase.js';

/** Lower-triangular Toeplitz matrix: K[i,j] = c_{i−j} for i ≥ j, 0 above the diagonal (SPEC §3.2). */
export class TrilToeplitzMatrix extends ToeplitzMatrix {
  readonly kind = 'trilToeplitz';
  protected readonly lower = true;
  constructor(coeffs: tf.Tensor1D, precision: Precision = 'float32') {
    super(coeffs, precision);
  }
  protected create(parts: Parts, precision: Precision): this {
    return new TrilToeplitzMatrix(parts.coeffs as tf.Tensor1D, precision) as this;
  }
}

export const TrilToeplitz = toeplitzClass('trilToeplitz', (c, p) => new TrilToeplitzMatrix(c, p));
