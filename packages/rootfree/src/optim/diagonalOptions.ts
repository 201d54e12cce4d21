/**
 * The option types of the diagonal methods, apart from their math so the fused kernels
 * (fused/methods.ts) can name them without importing the method files that import them.
 */
import type { Precision } from '../precision/index.js';
import type { BaseOptions } from './common.js';

/** torch.optim.SGD semantics (SPEC §1.3). */
export interface SGDOptions extends BaseOptions {
  /** Heavy-ball momentum μ. Default 0, range [0, 1). */
  momentum: number;
  /** Dampening of the momentum update. Default 0, range [0, 1]. */
  dampening: number;
  /** Coupled L2 weight decay κ added to the gradient. Default 0, >= 0. */
  weightDecay: number;
  /** Nesterov momentum (needs momentum > 0 and dampening = 0). Default false. */
  nesterov: boolean;
}

/** torch.optim.AdamW semantics (SPEC §1.3): decoupled decay first, bias-corrected root denominator. */
export interface AdamWOptions extends BaseOptions {
  /** First-moment EMA factor b1 (paper α1 for AdamW). Default 0.9, range [0, 1). */
  beta1: number;
  /** Second-moment EMA factor b2 = 1 − β2 (paper β2 = preconditioner lr). Default 0.999, range [0, 1). */
  beta2: number;
  /** ε added to sqrt(v̂) (paper λ). Default 1e-8, >= 0. */
  epsilon: number;
  /** Decoupled weight decay κ: p ← p·(1 − lr·κ). Default 1e-2, >= 0. */
  weightDecay: number;
  /** Use the running maximum of v (AMSGrad). Default false. */
  amsgrad: boolean;
}

/**
 * torch.optim.RMSprop semantics (SPEC §1.3): ε outside the root, L2 folded into the gradient
 * before the second moment. (tfjs's built-in puts ε inside the root, so it is not this.)
 */
export interface RMSpropOptions extends BaseOptions {
  /** Smoothing constant (= 1 − β2). Default 0.99, range [0, 1). */
  alpha: number;
  /** ε added to sqrt(v). Default 1e-8, >= 0. */
  epsilon: number;
  /** Coupled L2 weight decay κ. Default 0, >= 0. */
  weightDecay: number;
  /** Heavy-ball momentum μ. Default 0, range [0, 1). */
  momentum: number;
  /** Normalise by the variance estimate v − ḡ² instead of v. Default false. */
  centered: boolean;
}

/**
 * Root-free RMSProp (SPEC §1.1, the paper's `MyRmsProp`): no square root, damping added to B·v,
 * state starting at 1/B (s₀ = 1), L2 added after preconditioning, heavy-ball momentum.
 */
export interface RFRMSpropOptions extends BaseOptions {
  /** Second-moment decay; the preconditioner lr is β2 = 1 − alpha. Default 0.99, range [0, 1). */
  alpha: number;
  /** Damping λ added to B·v (reference `eps`). Default 1e-4, >= 0. */
  damping: number;
  /** L2 weight decay κ, added after preconditioning. Default 0, >= 0. */
  weightDecay: number;
  /** Heavy-ball momentum α1 (no dampening). Default 0, range [0, 1). */
  momentum: number;
  /** Scale by the batch size B (loss is a mean over the batch). Default true. */
  batchAveraged: boolean;
  /** Precision of v, the direction and the momentum buffer (reference `cast_dtype`). Default float32. */
  stateDtype: Precision;
  /** Ablation: start v at 0 instead of 1/B. Default false. */
  dummyInit: boolean;
  /** Ablation: drop the factor B (F = 1). Default false. */
  dummyScaling: boolean;
}

/**
 * Root-free AdamW (SPEC §1.2, the paper code's `MyAdamW`): decoupled decay first, EMA moments
 * with v starting at 1/B, denominator B·v/c2 + λ without a square root.
 */
export interface RFAdamWOptions extends BaseOptions {
  /** First-moment EMA factor b1 (paper α1). Default 0.9, range [0, 1). */
  beta1: number;
  /** Second-moment EMA factor b2 = 1 − β2 (β2: preconditioner lr). Default 0.999, range [0, 1). */
  beta2: number;
  /** Damping λ added to B·v/c2 (reference `eps`). Default 1e-4, >= 0. */
  damping: number;
  /** Decoupled weight decay κ: p ← p·(1 − lr·κ). Default 0, >= 0. */
  weightDecay: number;
  /** Scale by the batch size B. Default true. */
  batchAveraged: boolean;
  /** Divide m by 1 − b1^t and v by 1 − b2^t (as the reference does, even though v₀ ≠ 0). Default false. */
  biasCorrection: boolean;
  /** Precision of m, v and the denominator (reference `cast_dtype`). Default float32. */
  stateDtype: Precision;
  /** Ablation: start v at 0. Default false. */
  dummyInit: boolean;
  /** Ablation: F = 1. Default false. */
  dummyScaling: boolean;
}
