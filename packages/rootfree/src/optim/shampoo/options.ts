import { resolveLr, type BaseOptions } from '../common.js';
import { checkBoolean, checkEnum, checkKnownKeys, checkNumber, OptionError } from '../validate.js';
import type { RootMethod } from '../../linalg/inverseRoot.js';

/**
 * Diagonal method whose step size (norm) Shampoo's direction borrows (SPEC §5.6; docs/shampoo.md
 * lists each with its reference `GraftingType` name). `*Normalized` accumulate g/‖g‖ (per block);
 * 'lars' = SGD and 'lamb' = Adam grafting plus the trust ratio ‖p‖/‖direction‖ (decoupled weight decay only).
 */
export type GraftingType =
  | 'none' | 'sgd' | 'adagrad' | 'rmsprop' | 'adam'
  | 'adagradNormalized' | 'rmspropNormalized' | 'adamNormalized' | 'lars' | 'lamb';
export const GRAFTING_TYPES: readonly GraftingType[] = [
  'none', 'sgd', 'adagrad', 'rmsprop', 'adam', 'adagradNormalized', 'rmspropNormalized', 'adamNormalized', 'lars', 'lamb',
];

/**
 * What happens to a parameter with an axis longer than `maxPreconditionerDim` (reference
 * `LargeDimMethod`): 'blocking' cuts every axis into blocks of at most that size, each block with its
 * own factors and grafting norm; 'adagrad' preconditions the whole parameter with diagonal AdaGrad;
 * 'diagonal' keeps a diagonal factor (squared row norms) for each too-long axis and full factors
 * for the others.
 */
export type LargeDimMethod = 'blocking' | 'adagrad' | 'diagonal';
export const LARGE_DIM_METHODS: readonly LargeDimMethod[] = ['blocking', 'adagrad', 'diagonal'];

/**
 * Precision of the Kronecker factors and their inverse roots. tfjs has no float64 tensors, so
 * `float64` stores factors in float32 but computes every inverse root in float64 (eigen and Newton);
 * `float32` computes eigen roots in float64 and Newton roots with float32 tfjs ops;
 * `bfloat16`/`float16` round the factors, the filtered gradient and the roots to that format and run
 * Newton with rounding after every op (SPEC §5.7: this is where root-based Shampoo breaks).
 */
export type ShampooPrecision = 'float64' | 'float32' | 'bfloat16' | 'float16';
export const SHAMPOO_PRECISIONS: readonly ShampooPrecision[] = ['float64', 'float32', 'bfloat16', 'float16'];

/**
 * Root-based Shampoo = Meta's Distributed Shampoo as vendored by the paper (SPEC §5), single device.
 * Reference names in brackets.
 */
export interface ShampooOptions extends BaseOptions {
  /** EMA factor of the gradient ("filtering"; 0 = off) [betas[0]]. Default 0.9, range [0, 1). */
  beta1: number;
  /** EMA factor of the Kronecker factors; 1 = plain running sum (AdaGrad-like) [betas[1]]. Default 1, range (0, 1]. */
  beta2: number;
  /** ε added to the PSD-shifted eigenvalues before the inverse root (the damping) [epsilon]. Default 1e-12, > 0 (as the reference: with 0 a rank-deficient factor has no inverse root). */
  epsilon: number;
  /** Heavy-ball momentum μ on the search direction [momentum]. Default 0, range [0, 1). */
  momentum: number;
  /** Nesterov variant of the heavy-ball momentum: direction P + μ·buf [use_nesterov]. Default false. */
  nesterov: boolean;
  /** Weight decay κ [weight_decay]. Default 0, >= 0. */
  weightDecay: number;
  /**
   * Decoupled weight decay [use_decoupled_weight_decay]: p ← p·(1 − lr·κ) when momentum = 0,
   * otherwise κ·p is added to the direction (before momentum). false: κ·p is added to the gradient
   * before everything (L2). Default true.
   */
  decoupledWeightDecay: boolean;
  /** Bias-correct the factor EMA (1 − β2^t, only if β2 < 1) and the filtered gradient (1 − β1^t) [use_bias_correction]. Default true. */
  biasCorrection: boolean;
  /** Recompute inverse roots every this many steps [precondition_frequency]. Default 1, integer >= 1. */
  preconditionFrequency: number;
  /**
   * First step (1-based) that uses the Shampoo direction; earlier steps use the grafted method's
   * direction (plain gradient when grafting is 'none') [start_preconditioning_step]. -1 means
   * `preconditionFrequency`. Default -1; otherwise an integer >= preconditionFrequency.
   */
  startPreconditioningStep: number;
  /**
   * Root p of the inverse root L^(−η/p) [exponent_override]: 0 = 2·(tensor order); a number > 0
   * fixes it; a list [p1, p2, …] gives the root per order (vector, matrix, …; 2·order past its end).
   * Default 0.
   */
  exponentOverride: number | number[];
  /** η in L^(−η/p) [exponent_multiplier]. Default 1, > 0 (the Newton method needs 1). */
  exponentMultiplier: number;
  /** Grafted method [grafting_type] (see {@link GraftingType}). Default 'adagrad'. */
  grafting: GraftingType;
  /** ε of the grafted method [grafting_epsilon]. Default 1e-3, > 0 (as the reference: with 0 a zero gradient entry gives 0/0). */
  graftingEpsilon: number;
  /** EMA factor of the grafted method's accumulator (rmsprop*, adam*, lamb; AdaGrad always sums) [grafting_beta2]. Default 1, range (0, 1]. */
  graftingBeta2: number;
  /**
   * Merge neighbouring axes while their product is <= maxPreconditionerDim (size-1 axes always
   * merge) before blocking [use_merge_dims]. Only with largeDimMethod 'blocking' (the reference
   * ignores it otherwise; rootfree rejects the combination). Default false, unlike the reference
   * (true): merging turns e.g. an [8, 32] kernel into one 256×256 factor whose roots cost far more
   * than 8×8 and 32×32 ones, and the paper's configuration (ADAGRAD) never merges.
   */
  mergeDims: boolean;
  /**
   * Largest factor dimension [max_preconditioner_dim]; what happens beyond it is `largeDimMethod`.
   * Default 1024, integer >= 1.
   */
  maxPreconditionerDim: number;
  /**
   * Treatment of axes longer than maxPreconditionerDim [large_dim_method] (see {@link LargeDimMethod}).
   * Default 'blocking', the reference's default; the paper ran 'adagrad' (SPEC §5.1).
   */
  largeDimMethod: LargeDimMethod;
  /** Inverse-root algorithm: 'eigen' (reference) or 'newton' (coupled Newton, SPEC §5.5). Default 'eigen'. */
  rootMethod: RootMethod;
  /** Factor / root precision (see {@link ShampooPrecision}) [preconditioner_dtype]. Default 'float32'. */
  preconditionerPrecision: ShampooPrecision;
  /** Newton iteration cap. Default 100 (the reference's 1000 is pointless in half precision), integer >= 1. */
  newtonMaxIterations: number;
  /** Newton stopping tolerance on max|M − I|. Default 1e-6, > 0. */
  newtonTolerance: number;
  /**
   * Scale ε by the factor's Frobenius norm ‖L/c2‖_F (an upper bound on its largest eigenvalue):
   * the damping is then ε relative to the factor instead of absolute, the fair setting in half
   * precision, where an absolute ε below the factor's rounding step (2⁻⁸·λ_max in bf16) vanishes.
   * Not in the reference. Default false.
   */
  relativeEpsilon: boolean;
  /**
   * Observer called after every inverse-root refresh with what it did (method, iterations and final
   * residual max|M − I| of the Newton iteration, the ε used). Runtime only: not part of the config
   * (`getConfig` leaves it out). Default none.
   */
  onInverseRoot?: (info: InverseRootInfo) => void;
  /**
   * How inverse roots are refreshed on webgl/webgpu (no effect on cpu/wasm; docs/GPU.md).
   * 'newton' (default): on the device, the coupled Newton iteration in the factors' tensor
   * precision (float32 for 'float64'), always `newtonMaxIterations` iterations with the result
   * frozen once max|M − I| <= newtonTolerance; no read-back, so a step never waits for the GPU.
   * Needs exponentMultiplier 1 and integer roots. 'host': as on cpu (`rootMethod`, float64 eigen
   * by default), reading each factor back on refresh steps.
   */
  gpuRoot: GpuRoot;
}

/** What one inverse-root refresh did (see {@link ShampooOptions.onInverseRoot}). */
export interface InverseRootInfo {
  /** Which factor (parameter, block and axis). */
  where: string;
  method: RootMethod;
  precision: ShampooPrecision;
  /** Order of the factor. */
  dim: number;
  /**
   * ε actually added (after {@link ShampooOptions.relativeEpsilon} scaling). On the device
   * (`device`) with relativeEpsilon the scaled ε stays on the GPU: this is then the option's ε.
   */
  epsilon: number;
  /** Newton only: iterations run and the final max|M − I|; converged = residual <= newtonTolerance (absent on the device). */
  iterations?: number;
  residual?: number;
  converged?: boolean;
  /** Computed on webgl/webgpu without a read-back (`gpuRoot: 'newton'`): no iterations, residual or convergence to report. */
  device?: boolean;
}

/** Where Shampoo's inverse roots are computed on webgl/webgpu (see {@link ShampooOptions.gpuRoot}). */
export type GpuRoot = 'newton' | 'host';

export const SHAMPOO_KEYS = [
  'lr', 'beta1', 'beta2', 'epsilon', 'momentum', 'nesterov', 'weightDecay', 'decoupledWeightDecay', 'biasCorrection',
  'preconditionFrequency', 'startPreconditioningStep', 'exponentOverride', 'exponentMultiplier', 'grafting',
  'graftingEpsilon', 'graftingBeta2', 'mergeDims', 'maxPreconditionerDim', 'largeDimMethod', 'rootMethod', 'preconditionerPrecision',
  'newtonMaxIterations', 'newtonTolerance', 'relativeEpsilon', 'onInverseRoot', 'gpuRoot',
];

function parseShampooPrecision(v: unknown): ShampooPrecision {
  const s = String(v).replace(/^torch\./, '').toLowerCase();
  const alias: Record<string, ShampooPrecision> = {
    float64: 'float64', fp64: 'float64', double: 'float64', f64: 'float64',
    float32: 'float32', fp32: 'float32', float: 'float32', f32: 'float32',
    bfloat16: 'bfloat16', bf16: 'bfloat16',
    float16: 'float16', fp16: 'float16', half: 'float16', f16: 'float16',
  };
  const p = typeof v === 'string' ? alias[s] : undefined;
  if (!p) throw new OptionError('preconditionerPrecision', v, `one of ${SHAMPOO_PRECISIONS.map((x) => `'${x}'`).join(' | ')}`);
  return p;
}

function checkExponentOverride(v: unknown): number | number[] {
  const range = { min: 0, integer: false };
  if (Array.isArray(v)) {
    if (v.length === 0) throw new OptionError('exponentOverride', v, 'a number >= 0 or a non-empty list of numbers > 0');
    return v.map((x, i) => checkNumber(`exponentOverride[${i}]`, x, { min: 0, minExclusive: true }));
  }
  return checkNumber('exponentOverride', v, range);
}

export function resolveShampooOptions(raw: Record<string, unknown>): ShampooOptions {
  checkKnownKeys('Shampoo', raw, SHAMPOO_KEYS);
  const preconditionFrequency = checkNumber('preconditionFrequency', raw.preconditionFrequency ?? 1, { min: 1, integer: true });
  let start = checkNumber('startPreconditioningStep', raw.startPreconditioningStep ?? -1, { min: -1, integer: true });
  if (start === -1) start = preconditionFrequency;
  if (start < preconditionFrequency) {
    throw new OptionError('startPreconditioningStep', start, `-1 or an integer >= preconditionFrequency (${preconditionFrequency}); earlier steps would precondition with all-zero inverse roots`);
  }
  const o: ShampooOptions = {
    lr: resolveLr(raw, 1e-2),
    beta1: checkNumber('beta1', raw.beta1 ?? 0.9, { min: 0, max: 1, maxExclusive: true }),
    beta2: checkNumber('beta2', raw.beta2 ?? 1, { min: 0, max: 1, minExclusive: true }),
    epsilon: checkNumber('epsilon', raw.epsilon ?? 1e-12, { min: 0, minExclusive: true }),
    momentum: checkNumber('momentum', raw.momentum ?? 0, { min: 0, max: 1, maxExclusive: true }),
    nesterov: checkBoolean('nesterov', raw.nesterov ?? false),
    weightDecay: checkNumber('weightDecay', raw.weightDecay ?? 0, { min: 0 }),
    decoupledWeightDecay: checkBoolean('decoupledWeightDecay', raw.decoupledWeightDecay ?? true),
    biasCorrection: checkBoolean('biasCorrection', raw.biasCorrection ?? true),
    preconditionFrequency,
    startPreconditioningStep: start,
    exponentOverride: checkExponentOverride(raw.exponentOverride ?? 0),
    exponentMultiplier: checkNumber('exponentMultiplier', raw.exponentMultiplier ?? 1, { min: 0, minExclusive: true }),
    grafting: checkEnum('grafting', raw.grafting ?? 'adagrad', GRAFTING_TYPES),
    graftingEpsilon: checkNumber('graftingEpsilon', raw.graftingEpsilon ?? 1e-3, { min: 0, minExclusive: true }),
    graftingBeta2: checkNumber('graftingBeta2', raw.graftingBeta2 ?? 1, { min: 0, max: 1, minExclusive: true }),
    mergeDims: checkBoolean('mergeDims', raw.mergeDims ?? false),
    maxPreconditionerDim: checkNumber('maxPreconditionerDim', raw.maxPreconditionerDim ?? 1024, { min: 1, integer: true }),
    largeDimMethod: checkEnum('largeDimMethod', raw.largeDimMethod ?? 'blocking', LARGE_DIM_METHODS),
    rootMethod: checkEnum('rootMethod', raw.rootMethod ?? 'eigen', ['eigen', 'newton'] as const),
    preconditionerPrecision: parseShampooPrecision(raw.preconditionerPrecision ?? 'float32'),
    newtonMaxIterations: checkNumber('newtonMaxIterations', raw.newtonMaxIterations ?? 100, { min: 1, integer: true }),
    newtonTolerance: checkNumber('newtonTolerance', raw.newtonTolerance ?? 1e-6, { min: 0, minExclusive: true }),
    relativeEpsilon: checkBoolean('relativeEpsilon', raw.relativeEpsilon ?? false),
    gpuRoot: checkEnum('gpuRoot', raw.gpuRoot ?? 'newton', ['newton', 'host'] as const),
  };
  if (raw.onInverseRoot !== undefined) {
    if (typeof raw.onInverseRoot !== 'function') throw new OptionError('onInverseRoot', raw.onInverseRoot, 'a function (info) => void, or absent');
    o.onInverseRoot = raw.onInverseRoot as (info: InverseRootInfo) => void;
  }
  if (o.mergeDims && o.largeDimMethod !== 'blocking') {
    throw new OptionError('mergeDims', true, `false when largeDimMethod is '${o.largeDimMethod}' (only 'blocking' merges axes; the reference ignores use_merge_dims otherwise)`);
  }
  if (o.rootMethod === 'newton' && o.exponentMultiplier !== 1) {
    throw new OptionError('exponentMultiplier', o.exponentMultiplier, "1 when rootMethod is 'newton' (the coupled iteration computes A^(−1/p) only)");
  }
  if (o.rootMethod === 'newton') {
    const roots = Array.isArray(o.exponentOverride) ? o.exponentOverride : [o.exponentOverride];
    roots.forEach((r, i) => {
      if (!Number.isInteger(r)) throw new OptionError(Array.isArray(o.exponentOverride) ? `exponentOverride[${i}]` : 'exponentOverride', r, "an integer when rootMethod is 'newton'");
    });
  }
  return o;
}
