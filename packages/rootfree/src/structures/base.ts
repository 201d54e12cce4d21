import * as tf from '@tensorflow/tfjs-core';
import { maybeRound, type Precision } from '../precision/index.js';
import { maxAbs, sumSquares, tidyParts, type Parts } from './ops.js';
import type { Structured } from './types.js';

/**
 * Shared plumbing of the stored-tensor structures: every operation runs under `tf.tidy` (only
 * its results survive) and rounds what it stores to `precision` once, at the end (SPEC §6.3);
 * operations the reference composes from other rounded operations (`fromInner(X)` uses the
 * rounded `Kᵀ X`) compose the rounded public operations here too.
 */
export abstract class StructuredBase implements Structured {
  abstract readonly kind: string;
  protected constructor(
    readonly dim: number,
    protected readonly parts: Parts,
    readonly precision: Precision,
  ) {}

  /** A structure of the same class and layout from new parts. */
  protected abstract create(parts: Parts, precision: Precision): this;
  /** True when `other` has the same class and layout (block sizes, …) as this. */
  protected abstract sameLayout(other: Structured): boolean;
  /** Unrounded parts of Π(Kᵀ K). */
  protected abstract innerParts(): Parts;
  /** Unrounded parts of Π(S Sᵀ) for a dense d×m S (the class's `fromMatInner`). */
  protected abstract outerParts(s: tf.Tensor2D): Parts;
  /** Unrounded parts of K·L. */
  protected abstract mulParts(other: this): Parts;
  /** Unrounded parts of K + c·I. */
  protected abstract diagAddParts(c: number | tf.Scalar): Parts;
  /** Unrounded tr(K). */
  protected abstract trace(): tf.Scalar;

  abstract toDense(): tf.Tensor2D;
  abstract matmul(x: tf.Tensor2D): tf.Tensor2D;
  abstract rmatmat(x: tf.Tensor2D): tf.Tensor2D;

  tensors(): Record<string, tf.Tensor> {
    return { ...this.parts };
  }

  protected r<T extends tf.Tensor>(x: T): T {
    return maybeRound(x, this.precision);
  }

  protected build(fn: () => Parts, precision: Precision = this.precision, other?: StructuredBase): this {
    const inputs = [...Object.values(this.parts), ...(other ? Object.values(other.parts) : [])];
    return this.create(tidyParts(fn, precision, inputs), precision);
  }

  protected same(other: Structured): this {
    if (!(other instanceof StructuredBase) || other.constructor !== this.constructor || other.dim !== this.dim || !this.sameLayout(other)) {
      throw new TypeError(`${this.kind}: cannot combine a ${this.dim}×${this.dim} '${this.kind}' with a ${other.dim}×${other.dim} '${other.kind}' matrix`);
    }
    return other as this;
  }

  mul(other: Structured): this {
    const o = this.same(other);
    return this.build(() => this.mulParts(o), this.precision, o);
  }

  add(other: Structured, alpha = 1): this {
    const o = this.same(other);
    return this.build(() => {
      const out: Parts = {};
      for (const [k, t] of Object.entries(this.parts)) {
        out[k] = alpha === 1 ? tf.add(t, o.parts[k]) : tf.add(t, tf.mul(o.parts[k], alpha));
      }
      return out;
    }, this.precision, o);
  }

  scale(c: number | tf.Scalar): this {
    return this.build(() => mapParts(this.parts, (t) => tf.mul(t, c)));
  }

  fromInner(x?: tf.Tensor2D): this {
    if (!x) return this.build(() => this.innerParts());
    // The reference stores S = Kᵀ X in the structure's dtype before forming Π(S Sᵀ).
    const s = this.rmatmat(x);
    try {
      return this.build(() => this.outerParts(s));
    } finally {
      s.dispose();
    }
  }

  diagAdd(c: number | tf.Scalar): this {
    return this.build(() => this.diagAddParts(c));
  }

  averageTrace(): tf.Scalar {
    return tf.tidy(() => this.r(tf.div(this.trace(), this.dim)));
  }

  frobeniusNorm(): tf.Scalar {
    return tf.tidy(() => this.r(tf.sqrt(sumSquares(Object.values(this.parts)))));
  }

  maxNorm(): tf.Scalar {
    return tf.tidy(() => maxAbs(Object.values(this.parts)));
  }

  withPrecision(p: Precision): this {
    return this.build(() => ({ ...this.parts }), p);
  }
}

export function mapParts(parts: Parts, f: (t: tf.Tensor, key: string) => tf.Tensor): Parts {
  const out: Parts = {};
  for (const [k, t] of Object.entries(parts)) out[k] = f(t, k);
  return out;
}

/** Checks the tensors handed to `fromTensors` (state restore) against the expected shapes. */
export function checkParts(kind: string, t: Record<string, tf.Tensor>, shapes: Record<string, number[]>): Parts {
  const out: Parts = {};
  for (const [k, shape] of Object.entries(shapes)) {
    const v = t[k];
    if (!v) throw new RangeError(`${kind}: missing stored tensor '${k}' (expected ${Object.keys(shapes).join(', ')})`);
    if (v.shape.length !== shape.length || v.shape.some((s, i) => s !== shape[i])) {
      throw new RangeError(`${kind}: stored tensor '${k}' has shape [${v.shape.join(',')}], expected [${shape.join(',')}]`);
    }
    out[k] = v;
  }
  return out;
}
