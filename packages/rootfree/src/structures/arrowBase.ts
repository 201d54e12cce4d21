import * as tf from '@tensorflow/tfjs-core';
import type { Precision } from '../precision/index.js';
import { StructuredBase, checkParts } from './base.js';
import { col, concatRows, diagPart, gatherDense, mm, part, row, rowDot, rows, rowSumSq, sumAll, sumSquares, tidyParts, type Parts } from './ops.js';
import type { Structured, StructureClass } from './types.js';

/**
 * Where the dense strip of an arrow structure lives. All four SPEC §3.2 "arrow" classes are a
 * diagonal plus one strip `b` in row or column p (p = d−1 for the top-left variants, 0 for the
 * bottom-right ones) over the other d−1 indices ("rest"). The strip is a row when the triangle
 * and the corner agree (tril+top-left, triu+bottom-right), else a column. Stored as
 * `a` (leading diagonal part), `b` (strip, d−1), `c` (trailing diagonal part): top-left has
 * a = diag[0..d−2], c = diag[d−1]; bottom-right has a = diag[0], c = diag[1..d−1].
 */
export interface ArrowShape {
  readonly lower: boolean;
  readonly topLeft: boolean;
}

const isRowStrip = (s: ArrowShape) => s.lower === s.topLeft;

/**
 * Shared implementation of the arrow structures; every operation is O(d) or O(d·m) (SPEC §3.3
 * "optimal", the reference uses dense fallbacks).
 */
export abstract class ArrowMatrix extends StructuredBase implements ArrowShape {
  abstract readonly lower: boolean;
  abstract readonly topLeft: boolean;
  constructor(parts: Parts, precision: Precision) {
    super(parts.a.shape[0] + parts.c.shape[0], parts, precision);
  }
  get a() { return this.parts.a as tf.Tensor1D; }
  get b() { return this.parts.b as tf.Tensor1D; }
  get c() { return this.parts.c as tf.Tensor1D; }
  /** Diagonal on the d−1 "rest" indices and at the strip index p. */
  private get dRest() { return this.topLeft ? this.a : this.c; }
  private get dP() { return this.topLeft ? this.c : this.a; }
  protected sameLayout(): boolean {
    return true;
  }
  /** Parts from (diag on rest, diag at p, strip). */
  private partsOf(rest: tf.Tensor, p: tf.Tensor, b: tf.Tensor): Parts {
    return this.topLeft ? { a: rest, b, c: p } : { a: p, b, c: rest };
  }
  toDense(): tf.Tensor2D {
    return tf.tidy(() => {
      const flat = tf.concat([this.a, this.c, this.b]) as tf.Tensor1D;
      return gatherDense(flat, arrowIndex(this.dim, this), this.dim, this.dim);
    });
  }
  /** (D + strip)·X with the strip as a row (rowStrip) or as a column. */
  private apply(x: tf.Tensor2D, rowStrip: boolean): tf.Tensor2D {
    const d = this.dim;
    const [xp, xr] = splitRows(x, d, this.topLeft);
    let yRest: tf.Tensor2D = tf.mul(col(this.dRest), xr);
    let yP: tf.Tensor2D = tf.mul(col(this.dP), xp);
    if (rowStrip) yP = tf.add(yP, mm(row(this.b), xr));
    else yRest = tf.add(yRest, tf.mul(col(this.b), xp));
    return this.topLeft ? concatRows([yRest, yP]) : concatRows([yP, yRest]);
  }
  matmul(x: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => this.r(this.apply(x, isRowStrip(this))));
  }
  rmatmat(x: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => this.r(this.apply(x, !isRowStrip(this))));
  }
  protected mulParts(o: this): Parts {
    // Row strip: b'' = b ⊙ δ'_rest + δ_p·b'; column strip: b'' = δ_rest ⊙ b' + δ'_p·b.
    const b = isRowStrip(this)
      ? tf.add(tf.mul(this.b, o.dRest), tf.mul(this.dP, o.b))
      : tf.add(tf.mul(this.dRest, o.b), tf.mul(o.dP, this.b));
    return this.partsOf(tf.mul(this.dRest, o.dRest), tf.mul(this.dP, o.dP), b);
  }
  protected innerParts(): Parts {
    // Row strip K = D + e_p bᵀ: Π(KᵀK) = diag(δ² + b² on rest), strip 2δ_p·b.
    // Column strip K = D + b e_pᵀ: diag(δ², plus ‖b‖² at p), strip 2δ_rest ⊙ b.
    const b2 = tf.square(this.b);
    if (isRowStrip(this)) {
      return this.partsOf(tf.add(tf.square(this.dRest), b2), tf.square(this.dP), tf.mul(tf.mul(this.dP, this.b), 2));
    }
    return this.partsOf(tf.square(this.dRest), tf.add(tf.square(this.dP), sumAll(b2)), tf.mul(tf.mul(this.dRest, this.b), 2));
  }
  protected outerParts(s: tf.Tensor2D): Parts {
    return arrowOuter(s, this.topLeft);
  }
  protected diagAddParts(v: number | tf.Scalar): Parts {
    return { a: tf.add(this.a, v), b: this.b, c: tf.add(this.c, v) };
  }
  protected trace(): tf.Scalar {
    return tf.add(sumAll(this.a), sumAll(this.c));
  }
  override frobeniusNorm(): tf.Scalar {
    return tf.tidy(() => this.r(tf.sqrt(sumSquares([this.a, this.b, this.c]))));
  }
}

/** [x_p (1×m), X_rest ((d−1)×m)]. */
function splitRows(x: tf.Tensor2D, d: number, topLeft: boolean): [tf.Tensor2D, tf.Tensor2D] {
  return topLeft ? [rows(x, d - 1, 1), rows(x, 0, d - 1)] : [rows(x, 0, 1), rows(x, 1, d - 1)];
}

function partsOf(topLeft: boolean, rest: tf.Tensor, p: tf.Tensor, b: tf.Tensor): Parts {
  return topLeft ? { a: rest, b, c: p } : { a: p, b, c: rest };
}

/** Π(S Sᵀ): diagonal rowsum(S²), strip 2·S_rest·s_pᵀ (same for all four variants). */
function arrowOuter(s: tf.Tensor2D, topLeft: boolean): Parts {
  const d = s.shape[0];
  const [sp, sr] = splitRows(s, d, topLeft);
  return partsOf(topLeft, rowSumSq(sr), rowSumSq(sp), tf.mul(rowDot(sr, sp), 2));
}

/** Π(M): diagonal, strip M[p, rest] + M[rest, p]. */
function arrowProject(m: tf.Tensor2D, topLeft: boolean): Parts {
  const d = m.shape[0];
  const dg = diagPart(m);
  const p = topLeft ? d - 1 : 0;
  const r0 = topLeft ? 0 : 1;
  const rowP = tf.reshape(tf.slice(m, [p, r0], [1, d - 1]), [d - 1]);
  const colP = tf.reshape(tf.slice(m, [r0, p], [d - 1, 1]), [d - 1]);
  return partsOf(topLeft, part(dg, r0, d - 1), part(dg, p, 1), tf.add(rowP, colP));
}

const indexCache = new Map<string, Int32Array>();
/** Index into [a…, c…, b…] of every dense entry (−1 = zero). */
function arrowIndex(d: number, s: ArrowShape): Int32Array {
  const key = `${d}/${s.lower}/${s.topLeft}`;
  let idx = indexCache.get(key);
  if (!idx) {
    idx = new Int32Array(d * d).fill(-1);
    for (let i = 0; i < d; i++) idx[i * d + i] = i;
    const p = s.topLeft ? d - 1 : 0;
    const r0 = s.topLeft ? 0 : 1;
    for (let k = 0; k < d - 1; k++) {
      const other = r0 + k;
      const [i, j] = isRowStrip(s) ? [p, other] : [other, p];
      idx[i * d + j] = d + k;
    }
    if (indexCache.size > 64) indexCache.clear();
    indexCache.set(key, idx);
  }
  return idx;
}

/** The StructureClass of one arrow variant. */
export function arrowClass(kind: string, shape: ArrowShape, make: (parts: Parts, p: Precision) => Structured): StructureClass {
  const { topLeft } = shape;
  const shapes = (d: number) => (topLeft ? { a: [d - 1], b: [d - 1], c: [1] } : { a: [1], b: [d - 1], c: [d - 1] });
  const build = (d: number, p: Precision, fn: () => Parts, inputs: tf.Tensor[] = []) => {
    if (!Number.isInteger(d) || d < 1) throw new RangeError(`${kind}: dimension must be a positive integer, got ${d}`);
    return make(tidyParts(fn, p, inputs), p);
  };
  return {
    kind,
    eye: (d, p = 'float32') => build(d, p, () => partsOf(topLeft, tf.ones([d - 1]), tf.ones([1]), tf.zeros([d - 1]))),
    zeros: (d, p = 'float32') => build(d, p, () => partsOf(topLeft, tf.zeros([d - 1]), tf.zeros([1]), tf.zeros([d - 1]))),
    fromDense: (m, p = 'float32') => build(m.shape[0], p, () => arrowProject(m, topLeft), [m]),
    fromMatInner: (x, p = 'float32') => build(x.shape[0], p, () => arrowOuter(x, topLeft), [x]),
    fromTensors: (d, t, p = 'float32') => make(checkParts(kind, t, shapes(d)), p),
    storageBytes: (d) => 4 * (2 * d - 1),
  };
}
