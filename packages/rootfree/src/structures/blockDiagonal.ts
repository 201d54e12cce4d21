import * as tf from '@tensorflow/tfjs-core';
import type { Precision } from '../precision/index.js';
import { StructuredBase, checkParts } from './base.js';
import {
  bT, batchDiagPart, bmm, concatRows, diagPart, gatherDense, mm, mmNT, mmTN, plusIdentity, rows, tr, sumAll, tidyParts,
  type Parts,
} from './ops.js';
import type { Structured, StructureClass } from './types.js';

export interface BlockDiagonalOptions {
  /**
   * Reproduce the reference (SINGD `BlockDiagonalMatrixTemplate`), which treats its blocks as
   * symmetric: `rmatmat(X)` returns K·X instead of Kᵀ·X, so `fromInner(X)` = Π(K X Xᵀ Kᵀ), and
   * `fromInner()` returns Π(K Kᵀ) instead of Π(Kᵀ K) (SPEC §3.2 caveat). Wrong once the blocks
   * stop being symmetric (after the second IF-Shampoo/SINGD update) — use it only to match the
   * reference's golden files (e.g. `sirfshampoo_block30diagonal_40x35`). Default false.
   */
  referenceTranspose?: boolean;
}

/** Layout of a d×d block-diagonal matrix with block size b: n full blocks plus an r×r tail. */
function layout(d: number, b: number) {
  const n = Math.floor(d / b);
  return { n, r: d - n * b, nb: n * b };
}

/**
 * Block-diagonal matrix: n = ⌊d/b⌋ full b×b blocks (`blocks`, n×b×b) and a trailing r×r block
 * (`last`, r = d − n·b, possibly 0×0) (SPEC §3.2). Products, projections and inner products
 * cost O(d·b·m) / O(d·b²). By default the transpose is honoured (correct for non-symmetric
 * blocks); see {@link BlockDiagonalOptions.referenceTranspose} for the reference's behaviour.
 */
export class BlockDiagonalMatrix extends StructuredBase {
  readonly kind: string;
  readonly blocks: tf.Tensor3D;
  readonly last: tf.Tensor2D;
  constructor(
    readonly blockSize: number,
    blocks: tf.Tensor3D,
    last: tf.Tensor2D,
    precision: Precision = 'float32',
    readonly referenceTranspose = false,
  ) {
    super(blocks.shape[0] * blockSize + last.shape[0], { blocks, last }, precision);
    this.blocks = blocks;
    this.last = last;
    this.kind = blockDiagonalName(blockSize, referenceTranspose);
  }
  protected create(parts: Parts, precision: Precision): this {
    return new BlockDiagonalMatrix(this.blockSize, parts.blocks as tf.Tensor3D, parts.last as tf.Tensor2D, precision, this.referenceTranspose) as this;
  }
  protected sameLayout(other: Structured): boolean {
    return (other as BlockDiagonalMatrix).blockSize === this.blockSize;
  }
  toDense(): tf.Tensor2D {
    return tf.tidy(() => {
      const d = this.dim;
      const flat = tf.concat([tf.reshape(this.blocks, [-1]), tf.reshape(this.last, [-1])]) as tf.Tensor1D;
      return gatherDense(flat, denseIndex(d, this.blockSize), d, d);
    });
  }
  matmul(x: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => this.r(applyBlocks(this.blocks, this.last, x)));
  }
  rmatmat(x: tf.Tensor2D): tf.Tensor2D {
    if (this.referenceTranspose) return this.matmul(x);
    return tf.tidy(() => this.r(applyBlocks(bT(this.blocks), tr(this.last), x)));
  }
  protected mulParts(o: this): Parts {
    return { blocks: bmm(this.blocks, o.blocks), last: mm(this.last, o.last) };
  }
  protected innerParts(): Parts {
    if (this.referenceTranspose) return { blocks: bmm(this.blocks, bT(this.blocks)), last: mmNT(this.last, this.last) };
    return { blocks: bmm(bT(this.blocks), this.blocks), last: mmTN(this.last, this.last) };
  }
  protected outerParts(s: tf.Tensor2D): Parts {
    return outer(s, this.blockSize);
  }
  protected diagAddParts(c: number | tf.Scalar): Parts {
    return { blocks: plusIdentity(this.blocks, c), last: plusIdentity(this.last, c) };
  }
  protected trace(): tf.Scalar {
    return tf.add(sumAll(batchDiagPart(this.blocks)), sumAll(diagPart(this.last)));
  }
}

/** blocks·X row-group-wise: one batched product for the full blocks, one 2-D for the tail. */
function applyBlocks(blocks: tf.Tensor3D, last: tf.Tensor2D, x: tf.Tensor2D): tf.Tensor2D {
  const [n, b] = blocks.shape;
  const r = last.shape[0];
  const m = x.shape[1];
  const nb = n * b;
  const top = n === 0 ? tf.zeros([0, m]) as tf.Tensor2D : tf.reshape(bmm(blocks, tf.reshape(rows(x, 0, nb), [n, b, m])), [nb, m]) as tf.Tensor2D;
  const bottom = r === 0 ? tf.zeros([0, m]) as tf.Tensor2D : mm(last, rows(x, nb, r));
  return concatRows([top, bottom]);
}

/** Π(S Sᵀ): per row group S_i S_iᵀ. */
function outer(s: tf.Tensor2D, b: number): Parts {
  const [d, m] = s.shape;
  const { n, r, nb } = layout(d, b);
  const top = tf.reshape(rows(s, 0, nb), [n, b, m]) as tf.Tensor3D;
  const tail = rows(s, nb, r);
  return { blocks: bmm(top, bT(top)), last: mmNT(tail, tail) };
}

const indexCache = new Map<string, Int32Array>();
/** Flat index (into [blocks…, last…]) of every dense entry, −1 off the blocks. */
function denseIndex(d: number, b: number): Int32Array {
  const key = `${d}/${b}`;
  let idx = indexCache.get(key);
  if (!idx) {
    const { nb, r } = layout(d, b);
    idx = new Int32Array(d * d).fill(-1);
    for (let i = 0; i < d; i++) {
      const inTail = i >= nb;
      const g = inTail ? nb : i - (i % b);
      const size = inTail ? r : b;
      for (let j = g; j < g + size; j++) idx[i * d + j] = inTail ? nb * b + (i - nb) * r + (j - nb) : g * b + (i - g) * b + (j - g);
    }
    if (indexCache.size > 64) indexCache.clear();
    indexCache.set(key, idx);
  }
  return idx;
}

/** Flat indices into M (d×d) of the entries of the n full diagonal blocks, in blocks order. */
function blockEntries(d: number, b: number): Int32Array {
  const { n } = layout(d, b);
  const out = new Int32Array(n * b * b);
  let k = 0;
  for (let i = 0; i < n; i++) for (let p = 0; p < b; p++) for (let q = 0; q < b; q++) out[k++] = (i * b + p) * d + i * b + q;
  return out;
}

/** Canonical name: `block<b>diagonal` (`block<b>diagonalRef` with the reference transpose). */
export function blockDiagonalName(b: number, referenceTranspose = false): string {
  return `block${b}diagonal${referenceTranspose ? 'Ref' : ''}`;
}

/** The class of block-diagonal matrices with block size `b` (SPEC §3.2). */
export function blockDiagonal(b: number, options: BlockDiagonalOptions = {}): StructureClass {
  if (!Number.isInteger(b) || b < 1) throw new RangeError(`blockDiagonal: block size must be a positive integer, got ${b}`);
  const ref = options.referenceTranspose ?? false;
  const make = (parts: Parts, p: Precision) => new BlockDiagonalMatrix(b, parts.blocks as tf.Tensor3D, parts.last as tf.Tensor2D, p, ref);
  const build = (d: number, p: Precision, fn: () => Parts, inputs: tf.Tensor[] = []) => {
    if (!Number.isInteger(d) || d < 1) throw new RangeError(`${blockDiagonalName(b, ref)}: dimension must be a positive integer, got ${d}`);
    return make(tidyParts(fn, p, inputs), p);
  };
  return {
    kind: blockDiagonalName(b, ref),
    eye: (d, p = 'float32') => build(d, p, () => {
      const { n, r } = layout(d, b);
      return { blocks: tf.tile(tf.reshape(tf.eye(b), [1, b, b]), [n, 1, 1]), last: tf.eye(r) };
    }),
    zeros: (d, p = 'float32') => build(d, p, () => {
      const { n, r } = layout(d, b);
      return { blocks: tf.zeros([n, b, b]), last: tf.zeros([r, r]) };
    }),
    fromDense: (m, p = 'float32') => build(m.shape[0], p, () => {
      const d = m.shape[0];
      const { n, r, nb } = layout(d, b);
      const blocks = n === 0 ? tf.zeros([0, b, b]) : tf.reshape(tf.gather(tf.reshape(m, [-1]), tf.tensor1d(blockEntries(d, b), 'int32')), [n, b, b]);
      return { blocks, last: r === 0 ? tf.zeros([0, 0]) : tf.slice(m, [nb, nb], [r, r]) };
    }, [m]),
    fromMatInner: (x, p = 'float32') => build(x.shape[0], p, () => outer(x, b), [x]),
    fromTensors: (d, t, p = 'float32') => {
      const { n, r } = layout(d, b);
      return make(checkParts(blockDiagonalName(b, ref), t, { blocks: [n, b, b], last: [r, r] }), p);
    },
    storageBytes: (d) => {
      const { n, r } = layout(d, b);
      return 4 * (n * b * b + r * r);
    },
  };
}
