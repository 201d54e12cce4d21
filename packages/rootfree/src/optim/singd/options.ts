import { parsePrecision, type Precision } from '../../precision/index.js';
import { structureClass } from '../../structures/index.js';
import { resolveLr, type BaseOptions } from '../common.js';
import { validateSchedule, type LrSchedule } from '../schedules.js';
import { checkBoolean, checkEnum, checkKnownKeys, checkNumber, OptionError } from '../validate.js';

/** How weight sharing (sequence positions, convolution locations) enters KFAC (SPEC §4.2). */
export type KfacApprox = 'expand' | 'reduce';
/** What the loss averages over (v3 README §2.3): sets the √n factor on the output gradients. */
export type LossAverage = 'batch' | 'batch+sequence' | 'none';

/**
 * SINGD (SPEC §4; f-dangel/singd). Names are singd's in camelCase; the paper symbols
 * (arXiv 2312.05705) are given per option. They differ from IF-Shampoo's (v3 README §4.3).
 */
export interface SINGDOptions extends BaseOptions {
  /** Parameter momentum α₂ (heavy ball, no dampening; 0 = no buffer). Default 0.9, range [0, 1). */
  momentum: number;
  /** Damping λ of m̂. Default 1e-3, >= 0. */
  damping: number;
  /**
   * Riemannian momentum α₁ on m_K, m_C: m ← α₁·m + m̂ (no (1 − α₁) factor). Forced to 0 when
   * `kfacLike` is on. Default 0.5, range [0, 1).
   */
  alpha1: number;
  /** Weight decay γ, added to the natural gradient after preconditioning. Default 0, >= 0. */
  weightDecay: number;
  /** Factor-update interval T: factors change on steps with step mod T = 0. Default 10, integer >= 1. */
  T: number;
  /** Factor learning rate β₁ (number, schedule spec or function of the 0-based step). Default 1e-2, >= 0. */
  lrCov: LrSchedule;
  /** Structures of [K, C] (names as `structureClass` accepts; one name = both). Default ['dense', 'dense']. */
  structures: [string, string];
  /** 'expand' (every shared position is a sample) or 'reduce' (inputs averaged, gradients summed). Default 'expand'. */
  kfacApprox: KfacApprox;
  /** IKFAC-like update m̂_K = s·[H_K + λ·Π(KᵀK) − I] (and α₁ = 0). Default false. */
  kfacLike: boolean;
  /** The loss the captured gradients come from: mean over the batch, over batch·sequence, or a sum ('none'). Default 'batch'. */
  lossAverage: LossAverage;
  /** Divide β₁ by max(1, max|m|) per factor and scale m̂ by ½(1 − α₁) instead of ½. Default false. */
  normalizeLrCov: boolean;
  /** Storage/arithmetic precision of [K (m_K, H_K), C (m_C, H_C)]. Default ['float32', 'float32']. */
  preconditionerDtypes: [Precision, Precision];
}

const KEYS = [
  'lr', 'momentum', 'damping', 'alpha1', 'weightDecay', 'T', 'lrCov', 'structures', 'kfacApprox', 'kfacLike',
  'lossAverage', 'normalizeLrCov', 'preconditionerDtypes',
];

/** User options: everything optional; pairs may be one value for both factors; lossAverage null = 'none'. */
export interface SINGDUserOptions {
  lr?: LrSchedule;
  momentum?: number;
  damping?: number;
  alpha1?: number;
  weightDecay?: number;
  T?: number;
  lrCov?: LrSchedule;
  structures?: string | [string, string];
  kfacApprox?: KfacApprox;
  kfacLike?: boolean;
  lossAverage?: LossAverage | null;
  normalizeLrCov?: boolean;
  preconditionerDtypes?: string | [string, string];
}

export function resolveSINGD(raw: Record<string, unknown>): SINGDOptions {
  checkKnownKeys('SINGD', raw, KEYS);
  return {
    lr: resolveLr(raw, 1e-3),
    momentum: checkNumber('momentum', raw.momentum ?? 0.9, { min: 0, max: 1, maxExclusive: true }),
    damping: checkNumber('damping', raw.damping ?? 1e-3, { min: 0 }),
    alpha1: checkNumber('alpha1', raw.alpha1 ?? 0.5, { min: 0, max: 1, maxExclusive: true }),
    weightDecay: checkNumber('weightDecay', raw.weightDecay ?? 0, { min: 0 }),
    T: checkNumber('T', raw.T ?? 10, { min: 1, integer: true }),
    lrCov: validateSchedule('lrCov', raw.lrCov ?? 1e-2),
    structures: pair('structures', raw.structures ?? 'dense', (v, where) => {
      if (typeof v !== 'string') throw new OptionError(where, v, 'a structure name');
      try {
        structureClass(v);
      } catch (e) {
        throw new OptionError(where, v, `a registered structure (${(e as Error).message})`);
      }
      return v;
    }),
    kfacApprox: checkEnum('kfacApprox', raw.kfacApprox ?? 'expand', ['expand', 'reduce'] as const),
    kfacLike: checkBoolean('kfacLike', raw.kfacLike ?? false),
    lossAverage: checkEnum('lossAverage', raw.lossAverage === null ? 'none' : (raw.lossAverage ?? 'batch'), ['batch', 'batch+sequence', 'none'] as const),
    normalizeLrCov: checkBoolean('normalizeLrCov', raw.normalizeLrCov ?? false),
    preconditionerDtypes: pair('preconditionerDtypes', raw.preconditionerDtypes ?? 'float32', (v, where) => {
      try {
        return parsePrecision(v, where);
      } catch {
        throw new OptionError(where, v, 'one of float32 | bfloat16 | float16 (or fp32/bf16/fp16)');
      }
    }),
  };
}

function pair<T>(option: string, v: unknown, check: (v: unknown, where: string) => T): [T, T] {
  if (!Array.isArray(v)) {
    const one = check(v, option);
    return [one, one];
  }
  if (v.length !== 2) throw new OptionError(option, v, 'one value or a pair [K, C]');
  return [check(v[0], `${option}[0]`), check(v[1], `${option}[1]`)];
}

/** α₁ in force: kfacLike forces 0 (singd warns and overrides it; v3 README §7.1). */
export function effectiveAlpha1(o: SINGDOptions): number {
  return o.kfacLike ? 0 : o.alpha1;
}
