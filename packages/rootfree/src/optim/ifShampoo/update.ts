import * as tf from '@tensorflow/tfjs-core';
import { maybeRound } from '../../precision/index.js';
import { DenseMatrix } from '../../structures/dense.js';
import type { Structured } from '../../structures/index.js';
import type { UnitLayout } from './layout.js';
import { cycleModes, prod, unfoldings } from './modes.js';

export interface FactorHyper {
  lam: number;
  alpha2: number;
  beta2: number;
  batchSize: number;
}

/** Scale trick switches (SPEC §2.4); both identities, so results agree with them off (tested). */
export interface ScalingTricks {
  /** Work with K̂ = K/√d in the update. Default true. */
  kScaling: boolean;
}

/**
 * The preconditioner update of SPEC §2.2 in the [SF] form of §2.4 (K̂_j = K_j/√d_j):
 *   Ĝ = √B·G ×_j K̂_jᵀ (all j), KTK_j = Π(K̂_jᵀK̂_j), t_j = tr(KTK_j)/d_j,
 *   Δ_a = (λ/2)(Π_{j≠a} t_j)(Π_j d_j)·KTK_a + (d_a/2)·Π(unf_a(Ĝ)unf_a(Ĝ)ᵀ) − ½I,
 *   m_a ← α2·m_a + (1−α2)·Δ_a (m_a = Δ_a if α2 = 0), K_a ← K_a − β2/max(1, ‖m_a‖_F)·K_a m_a.
 * Every factor's quantities are computed from the old factors before any factor changes.
 * Rounding follows [SF] with per-factor dtypes: the gradient is cast to a factor's precision
 * before that factor touches it; structured ops round their own results. Scalars (traces, η)
 * stay tensors so no step forces a device sync.
 */
export function updateFactors(
  g: tf.Tensor,
  K: Structured[],
  m: Array<Structured | null>,
  layout: UnitLayout,
  h: FactorHyper,
  tricks: ScalingTricks = { kScaling: true },
): { K: Structured[]; m: Array<Structured | null> } {
  const { dims, precisions: p } = layout;
  const N = dims.length;
  const c = tricks.kScaling ? dims.map((d) => 1 / Math.sqrt(d)) : dims.map(() => 1);
  const kh = K.map((k, a) => (c[a] === 1 ? k : k.scale(c[a])));
  const gs = tf.mul(g, Math.sqrt(h.batchSize));
  const k1 = kh[1];
  // A matrix with a dense second factor: Ĝ = K̂_0ᵀ·G·K̂_1 directly, no rotation transposes.
  const gk =
    N === 2 && k1 instanceof DenseMatrix
      ? k1.matmulRight(maybeRound(kh[0].rmatmat(maybeRound(tf.reshape(gs, [dims[0], dims[1]]) as tf.Tensor2D, p[0])), p[1]))
      : cycleModes(gs, dims, (a, x) => kh[a].rmatmat(maybeRound(x, p[a])));
  const ktk = kh.map((k) => k.fromInner());
  const tr = ktk.map((k) => k.averageTrace());
  const us = unfoldings(gk, dims);
  // A matrix's two unfoldings are each other's transposes: Π(UUᵀ) needs no further transpose.
  const usT = (a: number): tf.Tensor2D | undefined => (N === 2 ? maybeRound(us[1 - a], p[a]) : undefined);
  const n = prod(dims);
  const newK: Structured[] = [];
  const newM: Array<Structured | null> = [];
  for (let a = 0; a < N; a++) {
    const others = tr.filter((_, j) => j !== a);
    // With K̂ the traces carry 1/d_j and the data term 1/d_a: Π_j d_j and d_a restore §2.2's scale.
    const damp = tricks.kScaling ? (h.lam / 2) * n : h.lam / 2;
    const coef = others.length === 0 ? damp : tf.mul(others.reduce((x, y) => tf.mul(x, y)), damp);
    const dataCoef = tricks.kScaling ? dims[a] / 2 : 1 / (2 * (n / dims[a]));
    let step = ktk[a].scale(coef as number | tf.Scalar);
    step = step.add(layout.classes[a].fromMatInner(maybeRound(us[a], p[a]), p[a], usT(a)), dataCoef);
    step = step.diagAdd(-0.5);
    const mom = h.alpha2 === 0 ? step : m[a]!.scale(h.alpha2).add(step, 1 - h.alpha2);
    const eta = tf.div(-h.beta2, tf.maximum(mom.frobeniusNorm(), 1)) as tf.Scalar;
    newK.push(K[a].add(K[a].mul(mom).scale(eta)));
    newM.push(h.alpha2 === 0 ? null : mom);
  }
  return { K: newK, m: newM };
}
