import { parsePrecision, type Precision } from '../../precision/index.js';
import { structureClass, type StructureClass } from '../../structures/index.js';
import { resolveLr, type BaseOptions } from '../common.js';
import { checkBoolean, checkKnownKeys, checkNumber, OptionError } from '../validate.js';
import { resolveRules, type CombineRule, type CombineRuleSpec } from './combine.js';

/** Update decision per 0-based optimizer step ([SF] callable `T`). */
export type UpdateSchedule = (step: number) => boolean;

/**
 * Per-factor choice keyed by the rank N of the preconditioned (squeezed) tensor, as in [SF]:
 * one value for every factor, or `{ 2: ['dense', 'diagonal'], 4: 'diagonal' }`. Ranks missing
 * from the record use the default ('dense' / 'float32').
 */
export type PerRank<T extends string> = T | Record<number | string, T | T[]>;

/**
 * IF-Shampoo / SIRFShampoo options (SPEC §2; names follow [SF], Greek letters follow the paper).
 */
export interface IFShampooOptions extends BaseOptions {
  /** Preconditioner learning rate β2. Default 1e-2, > 0. */
  beta2: number;
  /** Heavy-ball momentum α1 on the parameter step (no dampening). Default 0.9, range [0, 1). */
  alpha1: number;
  /** Riemannian momentum α2 on the Kronecker factors. Default 0.5, range [0, 1). */
  alpha2: number;
  /** Damping λ. Default 1e-3, >= 0. */
  lam: number;
  /** Weight decay κ, added after preconditioning (goes through momentum). Default 0, >= 0. */
  kappa: number;
  /**
   * Update interval: a positive integer (update iff step mod T = 0) or a function of the
   * 0-based step returning whether to update (called once per step and parameter group; it
   * must not depend on anything but the step). Default 1.
   */
  T: number | UpdateSchedule;
  /**
   * The paper code's ([RS]) increasing-interval schedule: after an update at step t the next
   * update is at t + clamp(⌊log4(t + 1)⌋, 1, T) (SPEC §2.5). Needs a numeric T. Default false.
   */
  paperSchedule: boolean;
  /**
   * [RS] preconditioner-lr discount: β2 × `discountFactor` for units whose parameter names all
   * contain one of these substrings. `true` means ['norm', 'proj', 'bias']. Default off.
   */
  discountPatterns: string[];
  /** Factor of the discount. Default 0.25, range (0, 1]. */
  discountFactor: number;
  /** Structure of each Kronecker factor (names as accepted by `structureClass`). Default 'dense'. */
  structures: PerRank<string>;
  /** Storage/arithmetic precision of each factor (float32 | bfloat16 | float16). Default float32. */
  preconditionerDtypes: PerRank<Precision>;
  /** Parameter-combination rules in priority order. Default ['perParameter']. */
  combineParams: CombineRule[];
  /**
   * The numerical-stability identities of SPEC §2.4 (K/√d in the update, infinity-norm scaling
   * before K Kᵀ). Off only for ablations: mathematically identical, less robust in bf16. Default true.
   */
  scalingTricks: boolean;
  /**
   * Large-factor policy: a factor of dimension d_a > maxFactorDim whose structure stores more than
   * `largeFactorStructure` would (a dense 4096×4096 factor is 64 MiB, its step temporaries ~30× that,
   * and its matmuls take seconds) uses `largeFactorStructure` instead, with a one-time warning
   * naming the parameter. Default 1024 (as Shampoo's maxPreconditionerDim), integer >= 1.
   */
  maxFactorDim: number;
  /** Structure of the factors beyond `maxFactorDim` (a structure name). Default 'diagonal'. */
  largeFactorStructure: string;
}

const KEYS = [
  'lr', 'beta2', 'alpha1', 'alpha2', 'lam', 'kappa', 'T', 'paperSchedule', 'discountPatterns', 'discountFactor',
  'structures', 'preconditionerDtypes', 'combineParams', 'scalingTricks', 'maxFactorDim', 'largeFactorStructure',
];

export const DEFAULT_DISCOUNT_PATTERNS = ['norm', 'proj', 'bias'];

/** Raw (user) options: everything optional, `discountPatterns` may be a boolean, rules may be names. */
export interface IFShampooUserOptions {
  lr?: BaseOptions['lr'];
  beta2?: number;
  alpha1?: number;
  alpha2?: number;
  lam?: number;
  kappa?: number;
  T?: number | UpdateSchedule;
  paperSchedule?: boolean;
  discountPatterns?: boolean | string[];
  discountFactor?: number;
  structures?: PerRank<string>;
  preconditionerDtypes?: PerRank<string>;
  combineParams?: CombineRuleSpec | CombineRuleSpec[];
  scalingTricks?: boolean;
  maxFactorDim?: number;
  largeFactorStructure?: string;
}

export function resolveIFShampoo(raw: Record<string, unknown>): IFShampooOptions {
  checkKnownKeys('IFShampoo', raw, KEYS);
  const T = raw.T ?? 1;
  if (typeof T !== 'function') checkNumber('T', T, { min: 1, integer: true });
  const paperSchedule = checkBoolean('paperSchedule', raw.paperSchedule ?? false);
  if (paperSchedule && typeof T !== 'number') throw new OptionError('T', T, 'a positive integer (the cap of the paper schedule) when paperSchedule is true');
  return {
    lr: resolveLr(raw, 1e-3),
    beta2: checkNumber('beta2', raw.beta2 ?? 1e-2, { min: 0, minExclusive: true }),
    alpha1: checkNumber('alpha1', raw.alpha1 ?? 0.9, { min: 0, max: 1, maxExclusive: true }),
    alpha2: checkNumber('alpha2', raw.alpha2 ?? 0.5, { min: 0, max: 1, maxExclusive: true }),
    lam: checkNumber('lam', raw.lam ?? 1e-3, { min: 0 }),
    kappa: checkNumber('kappa', raw.kappa ?? 0, { min: 0 }),
    T: T as number | UpdateSchedule,
    paperSchedule,
    discountPatterns: resolvePatterns(raw.discountPatterns ?? false),
    discountFactor: checkNumber('discountFactor', raw.discountFactor ?? 0.25, { min: 0, max: 1, minExclusive: true }),
    structures: resolvePerRank('structures', raw.structures ?? 'dense', (v, where) => {
      checkStructure(v, where);
      return v as string;
    }),
    preconditionerDtypes: resolvePerRank('preconditionerDtypes', raw.preconditionerDtypes ?? 'float32', (v, where) => parsePrecision(v, where)),
    combineParams: resolveRules(raw.combineParams ?? ['perParameter']),
    scalingTricks: checkBoolean('scalingTricks', raw.scalingTricks ?? true),
    maxFactorDim: checkNumber('maxFactorDim', raw.maxFactorDim ?? 1024, { min: 1, integer: true }),
    largeFactorStructure: (() => {
      const v = raw.largeFactorStructure ?? 'diagonal';
      checkStructure(v, 'largeFactorStructure');
      return v as string;
    })(),
  };
}

function resolvePatterns(v: unknown): string[] {
  if (v === false) return [];
  if (v === true) return DEFAULT_DISCOUNT_PATTERNS.slice();
  if (Array.isArray(v) && v.every((s) => typeof s === 'string' && s.length > 0)) return v.slice();
  throw new OptionError('discountPatterns', v, "a boolean or an array of non-empty substrings (true = ['norm', 'proj', 'bias'])");
}

function checkStructure(v: unknown, where: string): void {
  if (typeof v !== 'string') throw new OptionError(where, v, 'a structure name');
  try {
    structureClass(v);
  } catch (e) {
    throw new OptionError(where, v, `a registered structure (${(e as Error).message})`);
  }
}

function resolvePerRank<T extends string>(option: string, v: unknown, check: (v: unknown, where: string) => T): PerRank<T> {
  if (typeof v === 'string') return check(v, option);
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw new OptionError(option, v, 'a name or an object keyed by tensor rank ({ 2: [a, b], 4: c })');
  const out: Record<number, T | T[]> = {};
  for (const [key, value] of Object.entries(v as Record<string, unknown>)) {
    const N = Number(key);
    if (!Number.isInteger(N) || N < 1) throw new OptionError(`${option}.${key}`, value, 'a key that is a tensor rank >= 1');
    if (Array.isArray(value)) {
      if (value.length !== N) throw new OptionError(`${option}.${key}`, value, `one entry per factor (${N})`);
      out[N] = value.map((x, i) => check(x, `${option}.${key}[${i}]`));
    } else {
      out[N] = check(value, `${option}.${key}`);
    }
  }
  return out;
}

/** The per-factor values for a tensor of rank N. */
export function perRank<T extends string>(spec: PerRank<T>, N: number, fallback: T): T[] {
  if (typeof spec === 'string') return new Array<T>(N).fill(spec);
  const v = spec[N];
  if (v === undefined) return new Array<T>(N).fill(fallback);
  return Array.isArray(v) ? v.slice() : new Array<T>(N).fill(v);
}

export function factorClasses(o: IFShampooOptions, N: number): StructureClass[] {
  return perRank(o.structures, N, 'dense').map((s) => structureClass(s));
}

export function factorPrecisions(o: IFShampooOptions, N: number): Precision[] {
  return perRank(o.preconditionerDtypes, N, 'float32');
}

/** β2 for a unit after the [RS] name discount. */
export function unitBeta2(o: IFShampooOptions, names: string[]): number {
  const hit = o.discountPatterns.length > 0 && names.every((n) => o.discountPatterns.some((p) => n.includes(p)));
  return hit ? o.beta2 * o.discountFactor : o.beta2;
}
