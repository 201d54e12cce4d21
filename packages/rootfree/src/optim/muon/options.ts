import { parsePrecision, type Precision } from '../../precision/index.js';
import { resolveLr, type BaseOptions } from '../common.js';
import { validateSchedule, type LrSchedule } from '../schedules.js';
import { checkBoolean, checkEnum, checkKnownKeys, checkNumber, OptionError } from '../validate.js';

/**
 * Axis convention of the weights Muon sees. 'tfjs': Dense kernels [in, out], Conv2D filters
 * [kh, kw, in, out]; 'torch': PyTorch's [out, in] and [out, in, kh, kw]. It decides which axes
 * the aspect scale √max(1, out/in) reads (v3 README §5.1 step 5, §7.2).
 */
export type WeightLayout = 'tfjs' | 'torch';

/** The auxiliary AdamW of `SingleDeviceMuonWithAuxAdam` (eps outside the root, decoupled decay). */
export interface AuxAdamOptions {
  /** Learning rate (number, schedule spec or function of the step). Default 3e-4. */
  lr: LrSchedule;
  /** First-moment EMA β₁. Default 0.9, range [0, 1). */
  beta1: number;
  /** Second-moment EMA β₂. Default 0.95, range [0, 1). */
  beta2: number;
  /** ε added to the bias-corrected √v. Default 1e-10, >= 0. */
  epsilon: number;
  /** Decoupled weight decay: p ← p·(1 − lr·weightDecay). Default 0, >= 0. */
  weightDecay: number;
}

/** Muon (KellerJordan/Muon `muon.py`; v3 README §5): momentum orthogonalized by Newton–Schulz. */
export interface MuonOptions extends BaseOptions {
  /** Momentum μ of the EMA buf ← μ·buf + (1 − μ)·G. Default 0.95, range [0, 1). */
  momentum: number;
  /** Decoupled weight decay: p ← p·(1 − lr·weightDecay) before the update. Default 0, >= 0. */
  weightDecay: number;
  /** Orthogonalize (1 − μ)·G + μ·buf instead of buf. Default true. */
  nesterov: boolean;
  /** Newton–Schulz iterations. Default 5, integer >= 1. */
  nsSteps: number;
  /** Coefficients (a, b, c) of the quintic X ← aX + (bA + cA²)X, A = XXᵀ. Default [3.4445, −4.775, 2.0315]. */
  nsCoefficients: [number, number, number];
  /** ε added to ‖X‖_F before normalizing. Default 1e-7, >= 0. */
  nsEps: number;
  /** Precision of Newton–Schulz and of the scaled update: 'bfloat16' (the reference), 'float32' or 'float16'. Default 'bfloat16'. */
  nsPrecision: Precision;
  /** Axis convention of the weights. Default 'tfjs'. */
  weightLayout: WeightLayout;
  /**
   * Which parameters Muon updates (the rest go to the auxiliary AdamW): 'auto' = 2-D and 4-D
   * weights; true / false per parameter group. Only `MuonWithAuxAdam` accepts values other than true.
   */
  useMuon: boolean | 'auto';
  /** The auxiliary AdamW's options (used where useMuon says no). */
  adam: AuxAdamOptions;
}

const KEYS = ['lr', 'momentum', 'weightDecay', 'nesterov', 'nsSteps', 'nsCoefficients', 'nsEps', 'nsPrecision', 'weightLayout', 'useMuon', 'adam'];
const ADAM_KEYS = ['lr', 'beta1', 'beta2', 'epsilon', 'weightDecay'];

export type MuonUserOptions = Partial<Omit<MuonOptions, 'adam' | 'nsPrecision'>> & { adam?: Partial<AuxAdamOptions>; nsPrecision?: string };

export function resolveMuon(raw: Record<string, unknown>, aux: boolean): MuonOptions {
  const where = aux ? 'MuonWithAuxAdam' : 'Muon';
  checkKnownKeys(where, raw, aux ? KEYS : KEYS.filter((k) => k !== 'useMuon' && k !== 'adam'));
  const coeffs = raw.nsCoefficients ?? [3.4445, -4.775, 2.0315];
  if (!Array.isArray(coeffs) || coeffs.length !== 3) throw new OptionError('nsCoefficients', coeffs, 'three finite numbers [a, b, c]');
  const useMuon = raw.useMuon ?? (aux ? 'auto' : true);
  if (useMuon !== 'auto' && typeof useMuon !== 'boolean') throw new OptionError('useMuon', useMuon, "'auto' or a boolean");
  return {
    lr: resolveLr(raw, 0.02),
    momentum: checkNumber('momentum', raw.momentum ?? 0.95, { min: 0, max: 1, maxExclusive: true }),
    weightDecay: checkNumber('weightDecay', raw.weightDecay ?? 0, { min: 0 }),
    nesterov: checkBoolean('nesterov', raw.nesterov ?? true),
    nsSteps: checkNumber('nsSteps', raw.nsSteps ?? 5, { min: 1, integer: true }),
    nsCoefficients: coeffs.map((c, i) => checkNumber(`nsCoefficients[${i}]`, c)) as [number, number, number],
    nsEps: checkNumber('nsEps', raw.nsEps ?? 1e-7, { min: 0 }),
    nsPrecision: checkEnum('nsPrecision', parsePrecisionOr(raw.nsPrecision ?? 'bfloat16'), ['bfloat16', 'float32', 'float16'] as const),
    weightLayout: checkEnum('weightLayout', raw.weightLayout ?? 'tfjs', ['tfjs', 'torch'] as const),
    useMuon,
    adam: resolveAdam(raw.adam ?? {}),
  };
}

function parsePrecisionOr(v: unknown): unknown {
  try {
    return parsePrecision(v, 'nsPrecision');
  } catch {
    return v;
  }
}

function resolveAdam(raw: unknown): AuxAdamOptions {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw new OptionError('adam', raw, 'an object { lr, beta1, beta2, epsilon, weightDecay }');
  const a = raw as Record<string, unknown>;
  checkKnownKeys('adam', a, ADAM_KEYS);
  return {
    lr: validateSchedule('adam.lr', a.lr ?? 3e-4),
    beta1: checkNumber('adam.beta1', a.beta1 ?? 0.9, { min: 0, max: 1, maxExclusive: true }),
    beta2: checkNumber('adam.beta2', a.beta2 ?? 0.95, { min: 0, max: 1, maxExclusive: true }),
    epsilon: checkNumber('adam.epsilon', a.epsilon ?? 1e-10, { min: 0 }),
    weightDecay: checkNumber('adam.weightDecay', a.weightDecay ?? 0, { min: 0 }),
  };
}

/** Whether Muon (rather than the auxiliary AdamW) updates a parameter of this shape. */
export function usesMuon(o: MuonOptions, shape: number[]): boolean {
  return o.useMuon === 'auto' ? shape.length === 2 || shape.length === 4 : o.useMuon;
}
