import * as tf from '@tensorflow/tfjs-core';
import type { Precision } from '../precision/index.js';
import { StructuredBase, checkParts } from './base.js';
import {
  col, colSumSq, cols, concatCols, concatRows, diagMatrix, diagPart, mm, mmNT, mmTN, part, plusIdentity, row, rowSumSq,
  rows, sumAll, tidyParts, tr, type Parts,
} from './ops.js';
import type { Structured, StructureClass } from './types.js';

/** Block sizes [k1 | dc | k2] of the three regimes (SPEC §3.2 "Hierarchical"). */
export function hierarchicalSizes(d: number, K1: number, K2: number): { k1: number; dc: number; k2: number } {
  if (d <= K1) return { k1: d, dc: 0, k2: 0 };
  if (d <= K1 + K2) return { k1: K1, dc: 0, k2: d - K1 };
  return { k1: K1, dc: d - K1 - K2, k2: K2 };
}

/**
 * Hierarchical matrix with parameters (K1, K2), rows/columns split [k1 | dc | k2]:
 * ```
 * [ A  B_C  B_E ]   A: k1×k1, B = [B_C | B_E]: k1×(d−k1)
 * [ 0  C    0   ]   C: diagonal (vector, length dc)
 * [ 0  D    E   ]   D: k2×dc, E: k2×k2
 * ```
 * Every operation costs O((K1+K2)·d·m) or O((K1+K2)²·d) (SPEC §3.2/§3.3); correct for
 * non-symmetric K.
 */
export class HierarchicalMatrix extends StructuredBase {
  readonly kind: string;
  readonly k1: number;
  readonly dc: number;
  readonly k2: number;
  constructor(readonly K1: number, readonly K2: number, parts: Parts, precision: Precision = 'float32') {
    const k1 = parts.A.shape[0];
    super(k1 + (parts.B.shape[1] ?? 0), parts, precision);
    this.kind = hierarchicalName(K1, K2);
    ({ k1: this.k1, dc: this.dc, k2: this.k2 } = hierarchicalSizes(this.dim, K1, K2));
  }
  get A() { return this.parts.A as tf.Tensor2D; }
  get B() { return this.parts.B as tf.Tensor2D; }
  get C() { return this.parts.C as tf.Tensor1D; }
  get D() { return this.parts.D as tf.Tensor2D; }
  get E() { return this.parts.E as tf.Tensor2D; }
  private get BC() { return cols(this.B, 0, this.dc); }
  private get BE() { return cols(this.B, this.dc, this.k2); }

  protected create(parts: Parts, precision: Precision): this {
    return new HierarchicalMatrix(this.K1, this.K2, parts, precision) as this;
  }
  protected sameLayout(other: Structured): boolean {
    const o = other as HierarchicalMatrix;
    return o.K1 === this.K1 && o.K2 === this.K2;
  }
  toDense(): tf.Tensor2D {
    return tf.tidy(() => {
      const { k1, dc, k2 } = this;
      // For d ≤ K1 the concatenation is A itself: clone so the caller may dispose the result.
      return tf.clone(concatRows([
        concatCols([this.A, this.B]),
        concatCols([tf.zeros([dc, k1]), diagMatrix(this.C), tf.zeros([dc, k2])]),
        concatCols([tf.zeros([k2, k1]), this.D, this.E]),
      ]));
    });
  }
  matmul(x: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => {
      const { k1, dc, k2 } = this;
      const [xt, xm, xb] = [rows(x, 0, k1), rows(x, k1, dc), rows(x, k1 + dc, k2)];
      return this.r(concatRows([
        tf.add(mm(this.A, xt), mm(this.B, rows(x, k1, dc + k2))),
        tf.mul(col(this.C), xm),
        tf.add(mm(this.D, xm), mm(this.E, xb)),
      ]));
    });
  }
  rmatmat(x: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => {
      const { k1, dc, k2 } = this;
      const [xt, xm, xb] = [rows(x, 0, k1), rows(x, k1, dc), rows(x, k1 + dc, k2)];
      const btx = mmTN(this.B, xt); // [B_Cᵀ X_t; B_Eᵀ X_t]
      return this.r(concatRows([
        mmTN(this.A, xt),
        tf.add(tf.add(rows(btx, 0, dc), tf.mul(col(this.C), xm)), mmTN(this.D, xb)),
        tf.add(rows(btx, dc, k2), mmTN(this.E, xb)),
      ]));
    });
  }
  protected mulParts(o: this): Parts {
    const cp = row(o.C);
    return {
      A: mm(this.A, o.A),
      B: concatCols([
        tf.add(tf.add(mm(this.A, o.BC), tf.mul(this.BC, cp)), mm(this.BE, o.D)),
        tf.add(mm(this.A, o.BE), mm(this.BE, o.E)),
      ]),
      C: tf.mul(this.C, o.C),
      D: tf.add(tf.mul(this.D, cp), mm(this.E, o.D)),
      E: mm(this.E, o.E),
    };
  }
  protected innerParts(): Parts {
    const bc = this.BC;
    const be = this.BE;
    return {
      A: mmTN(this.A, this.A),
      B: tf.mul(mmTN(this.A, this.B), 2),
      C: tf.add(tf.add(tf.square(this.C), colSumSq(bc)), colSumSq(this.D)),
      D: tf.mul(tf.add(mmTN(be, bc), mmTN(this.E, this.D)), 2),
      E: tf.add(mmTN(this.E, this.E), mmTN(be, be)),
    };
  }
  protected outerParts(s: tf.Tensor2D): Parts {
    return outer(s, this.K1, this.K2);
  }
  protected diagAddParts(c: number | tf.Scalar): Parts {
    return { A: plusIdentity(this.A, c), B: this.B, C: tf.add(this.C, c), D: this.D, E: plusIdentity(this.E, c) };
  }
  protected trace(): tf.Scalar {
    return tf.add(tf.add(sumAll(diagPart(this.A)), sumAll(this.C)), sumAll(diagPart(this.E)));
  }
}

/** Π(S Sᵀ) with S split [S_A; S_C; S_E] by rows. */
function outer(s: tf.Tensor2D, K1: number, K2: number): Parts {
  const { k1, dc, k2 } = hierarchicalSizes(s.shape[0], K1, K2);
  const sa = rows(s, 0, k1);
  const sc = rows(s, k1, dc);
  const se = rows(s, k1 + dc, k2);
  return {
    A: mmNT(sa, sa),
    B: tf.mul(mmNT(sa, rows(s, k1, dc + k2)), 2),
    C: rowSumSq(sc),
    D: tf.mul(mmNT(se, sc), 2),
    E: mmNT(se, se),
  };
}

/** Canonical name `hierarchical<K1>x<K2>` (no '_': tfjs camelCases saved config strings). */
export function hierarchicalName(K1: number, K2: number): string {
  return `hierarchical${K1}x${K2}`;
}

function shapes(d: number, K1: number, K2: number): Record<string, number[]> {
  const { k1, dc, k2 } = hierarchicalSizes(d, K1, K2);
  return { A: [k1, k1], B: [k1, d - k1], C: [dc], D: [k2, dc], E: [k2, k2] };
}

/** The class of hierarchical matrices with parameters (K1, K2) (SPEC §3.2). */
export function hierarchical(K1: number, K2: number): StructureClass {
  for (const [n, v] of [['K1', K1], ['K2', K2]] as const) {
    if (!Number.isInteger(v) || v < 1) throw new RangeError(`hierarchical: ${n} must be a positive integer, got ${v}`);
  }
  const kind = hierarchicalName(K1, K2);
  const make = (parts: Parts, p: Precision) => new HierarchicalMatrix(K1, K2, parts, p);
  const build = (d: number, p: Precision, fn: (s: ReturnType<typeof hierarchicalSizes>) => Parts, inputs: tf.Tensor[] = []) => {
    if (!Number.isInteger(d) || d < 1) throw new RangeError(`${kind}: dimension must be a positive integer, got ${d}`);
    const sz = hierarchicalSizes(d, K1, K2);
    return make(tidyParts(() => fn(sz), p, inputs), p);
  };
  const zerosParts = (d: number) => {
    const out: Parts = {};
    for (const [k, sh] of Object.entries(shapes(d, K1, K2))) out[k] = tf.zeros(sh);
    return out;
  };
  return {
    kind,
    eye: (d, p = 'float32') => build(d, p, ({ k1, dc, k2 }) => ({ ...zerosParts(d), A: tf.eye(k1), C: tf.ones([dc]), E: tf.eye(k2) })),
    zeros: (d, p = 'float32') => build(d, p, () => zerosParts(d)),
    fromDense: (m, p = 'float32') => build(m.shape[0], p, ({ k1, dc, k2 }) => {
      const d = m.shape[0];
      const top = rows(m, 0, k1);
      const bottom = rows(m, k1 + dc, k2);
      const mid = rows(m, k1, dc);
      // Kept upper copies store M_upper + M_lowerᵀ (SPEC §3.1).
      return {
        A: cols(top, 0, k1),
        B: tf.add(cols(top, k1, d - k1), tr(cols(rows(m, k1, d - k1), 0, k1))),
        C: part(diagPart(m), k1, dc),
        D: tf.add(cols(bottom, k1, dc), tr(cols(mid, k1 + dc, k2))),
        E: cols(bottom, k1 + dc, k2),
      };
    }, [m]),
    fromMatInner: (x, p = 'float32') => build(x.shape[0], p, () => outer(x, K1, K2), [x]),
    fromTensors: (d, t, p = 'float32') => make(checkParts(kind, t, shapes(d, K1, K2)), p),
    storageBytes: (d) => 4 * Object.values(shapes(d, K1, K2)).reduce((s, sh) => s + sh.reduce((a, b) => a * b, 1), 0),
  };
}
