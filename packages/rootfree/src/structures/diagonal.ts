import * as tf from '@tensorflow/tfjs-core';
import type { Precision } from '../precision/index.js';
import { StructuredBase, checkParts } from './base.js';
import { col, diagMatrix, diagPart, rowSumSq, sumAll, tidyParts, type Parts } from './ops.js';
import type { Structured, StructureClass } from './types.js';

/** Diagonal matrix diag(δ) (SPEC §3.2 "Diagonal"); every operation O(d) or O(d·m). */
export class DiagonalMatrix extends StructuredBase {
  readonly kind = 'diagonal';
  constructor(readonly diag: tf.Tensor1D, precision: Precision = 'float32') {
    super(diag.shape[0], { diag }, precision);
  }
  protected create(parts: Parts, precision: Precision): this {
    return new DiagonalMatrix(parts.diag as tf.Tensor1D, precision) as this;
  }
  protected sameLayout(): boolean {
    return true;
  }
  toDense(): tf.Tensor2D {
    return tf.tidy(() => diagMatrix(this.diag));
  }
  matmul(x: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => this.r(tf.mul(col(this.diag), x)));
  }
  rmatmat(x: tf.Tensor2D): tf.Tensor2D {
    return this.matmul(x);
  }
  protected mulParts(o: this): Parts {
    return { diag: tf.mul(this.diag, o.diag) };
  }
  protected innerParts(): Parts {
    return { diag: tf.square(this.diag) };
  }
  protected outerParts(s: tf.Tensor2D): Parts {
    return outer(s);
  }
  protected diagAddParts(c: number | tf.Scalar): Parts {
    return { diag: tf.add(this.diag, c) };
  }
  protected trace(): tf.Scalar {
    return sumAll(this.diag);
  }
}

function outer(s: tf.Tensor2D): Parts {
  return { diag: rowSumSq(s) };
}

function make(parts: Parts, p: Precision): DiagonalMatrix {
  return new DiagonalMatrix(parts.diag as tf.Tensor1D, p);
}

export const Diagonal: StructureClass = {
  kind: 'diagonal',
  eye: (d, p = 'float32') => make(tidyParts(() => ({ diag: tf.ones([d]) }), p), p),
  zeros: (d, p = 'float32') => make(tidyParts(() => ({ diag: tf.zeros([d]) }), p), p),
  fromDense: (m, p = 'float32') => make(tidyParts(() => ({ diag: diagPart(m) }), p, [m]), p),
  fromMatInner: (x, p = 'float32') => make(tidyParts(() => outer(x), p, [x]), p),
  fromTensors: (d, t, p = 'float32'): Structured => make(checkParts('diagonal', t, { diag: [d] }), p),
  storageBytes: (d) => 4 * d,
};
