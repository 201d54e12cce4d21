import * as tf from '@tensorflow/tfjs-core';
import { maybeRound, type Precision } from '../../precision/index.js';
import { Dense, type Structured } from '../../structures/index.js';

/** What one factor update needs besides the factors (SPEC §4.3, v3 README §4.1). */
export interface SingdFactorHyper {
  damping: number;
  /** α₁ in force (0 with kfacLike). */
  alpha1: number;
  /** β₁ at this step. */
  lrCov: number;
  normalizeLrCov: boolean;
  kfacLike: boolean;
}

/** Σ over passes of Π(Kᵀ xᵢᵀ xᵢ K) for the captured matrices xᵢ (rows × d), in K's precision. */
export function curvature(K: Structured, xs: tf.Tensor2D[]): Structured {
  const rows = xs.reduce((n, x) => n + x.shape[0], 0);
  // A dense float32 K with many rows (expanded convolutions: B·O1·O2): one Gram matrix Σxᵢᵀxᵢ
  // (d²·rows) and Kᵀ(Σxᵢᵀxᵢ)K (2d³) instead of Kᵀxᵢᵀ and its outer product (2·d²·rows). In
  // half precision the reference's rounding points (Kᵀxᵀ stored in the factor's dtype) are kept.
  if (K.kind === 'dense' && K.precision === 'float32' && rows > 2 * K.dim) return gramCurvature(K, xs);
  let H: Structured | null = null;
  for (const x of xs) {
    const h = K.fromInner(maybeRound(tf.transpose(x), K.precision) as tf.Tensor2D);
    H = H === null ? h : H.add(h);
  }
  if (H === null) throw new Error('internal: curvature of no statistics');
  return H;
}

export function gramCurvature(K: Structured, xs: tf.Tensor2D[]): Structured {
  const H = tf.tidy(() => {
    const M = xs.map((x) => tf.matMul(x, x, true, false)).reduce((a, b) => tf.add(a, b));
    const k = K.toDense();
    return tf.matMul(tf.matMul(k, M, true, false), k) as tf.Tensor2D;
  });
  return Dense.fromDense(H, K.precision);
}

/**
 * One SINGD factor update from the current K, C (the ones the backward pass saw):
 *   m̂_K = s·[avgtr(H_C)·H_K + λ·avgtr(C̃)·K̃ − I] (kfacLike: s·[H_K + λ·K̃ − I]), same for C;
 *   m ← α₁·m + m̂ (if α₁ ≠ 0); K ← K − β_K·K·m_K with β_K = β₁ (normalized: β₁/max(1, max|m_K|)).
 * s = ½(1 − α₁) with normalizeLrCov, else ½. K̃ = Π(KᵀK).
 */
export function updateFactors(
  K: Structured,
  C: Structured,
  mK: Structured | null,
  mC: Structured | null,
  HK: Structured,
  HC: Structured,
  h: SingdFactorHyper,
): { K: Structured; C: Structured; mK: Structured; mC: Structured } {
  const KtK = K.fromInner();
  const CtC = C.fromInner();
  const s = h.normalizeLrCov ? 0.5 * (1 - h.alpha1) : 0.5;
  const hat = (H: Structured, Ht: tf.Scalar, F: Structured, Ft: tf.Scalar): Structured => {
    const data = h.kfacLike ? H : H.scale(Ht);
    const damp = h.kfacLike ? F.scale(h.damping) : F.scale(tf.mul(Ft, h.damping) as tf.Scalar);
    return data.add(damp).diagAdd(-1).scale(s);
  };
  const hatK = hat(HK, HC.averageTrace(), KtK, CtC.averageTrace());
  const hatC = hat(HC, HK.averageTrace(), CtC, KtK.averageTrace());
  const newMK = h.alpha1 !== 0 && mK ? mK.scale(h.alpha1).add(hatK) : hatK;
  const newMC = h.alpha1 !== 0 && mC ? mC.scale(h.alpha1).add(hatC) : hatC;
  const step = (F: Structured, m: Structured): Structured => {
    const beta = h.normalizeLrCov ? tf.div(-h.lrCov, tf.maximum(m.maxNorm(), 1)) : tf.scalar(-h.lrCov);
    return F.add(F.mul(m).scale(beta as tf.Scalar));
  };
  return { K: step(K, newMK), C: step(C, newMC), mK: newMK, mC: newMC };
}

/** N = C·Cᵀ·G·K·Kᵀ, computed as C(Cᵀ((K(KᵀGᵀ))ᵀ)) in the factors' precisions (SPEC §4.4). */
export function naturalGradient(K: Structured, C: Structured, G: tf.Tensor2D, pK: Precision, pC: Precision): tf.Tensor2D {
  const t = K.matmul(K.rmatmat(maybeRound(tf.transpose(G), pK) as tf.Tensor2D));
  return C.matmul(C.rmatmat(maybeRound(tf.transpose(t), pC) as tf.Tensor2D));
}
