import type { Method } from '../optim/types.js';
import { checkBoolean, checkEnum, checkNumber, didYouMean, OptionError, suggestKey } from '../optim/validate.js';
import { resolveBatchSize } from '../optim/common.js';

/**
 * What to do when a gradient, or a new parameter or state value the step computes, is NaN or
 * ±Inf: 'throw' a `NonFiniteError` naming the variable, or 'skip' the step; either way the
 * rejected step changes nothing. 'none' checks nothing (no sync, no snapshot, no guarantee).
 */
export type NonFinitePolicy = 'throw' | 'skip' | 'none';

/** Options for the parameters whose variable name matches `match` (a RegExp source). */
export interface ParamGroupSpec {
  /** Regular expression (source string, so it serialises) tested against variable names. */
  match: string;
  /** Method options overriding the optimizer's for these parameters (e.g. `{ weightDecay: 0 }`). */
  options: Record<string, unknown>;
}

/** Options handled by the driver for every method. */
export interface DriverOptions {
  /** Default batch size B (overridable per step and taken from the batch inside `model.fit`). */
  batchSize?: number;
  /** Per-parameter-group overrides; the first matching group wins. */
  paramGroups?: ParamGroupSpec[];
  /** Rescale all gradients so their global L2 norm is at most this value. Default: off. */
  clipGradNorm?: number;
  /**
   * NaN/Inf policy for gradients and the step's results ({@link NonFinitePolicy}). Default 'throw'.
   * On webgl/webgpu the gradients are checked on the device without a sync read, a rejected step
   * changes no parameter or state, 'throw' throws from the next `applyGradients`, and the step's
   * results are not checked (`lastStepFinite()` resolves per step; docs/GPU.md).
   */
  nonFinite?: NonFinitePolicy;
  /**
   * Use the method's fused in-place update (`Method.applyInPlace`: one pass over memory, cpu/wasm)
   * when it supports the step. Default true; `ROOTFREE_FUSED=0` disables it process-wide.
   */
  fused?: boolean;
  /**
   * Memory budget in bytes for the optimizer state plus one step's temporaries, checked against
   * the method's estimate when the first step binds the variables (before anything is allocated).
   * Default: on wasm the 4 GiB heap minus what tfjs already holds; elsewhere no limit.
   */
  maxMemoryBytes?: number;
}

/** The driver options after validation. */
export interface ResolvedDriver {
  batchSize: number | undefined;
  clipGradNorm: number | undefined;
  nonFinite: NonFinitePolicy;
  fused: boolean;
  maxMemoryBytes: number | undefined;
}

/** A validated parameter group. */
export interface Group<O> {
  re: RegExp;
  options: O;
}

const DRIVER_KEYS = ['batchSize', 'paramGroups', 'clipGradNorm', 'nonFinite', 'fused', 'maxMemoryBytes'];
const GROUP_KEYS = ['match', 'options'];

/** Separates driver options from method options, rejecting near-misses of driver keys. */
export function splitOptions(options: Record<string, unknown>): { methodRaw: Record<string, unknown>; driver: DriverOptions } {
  const methodRaw: Record<string, unknown> = {};
  const driver: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(options)) {
    if (k === 'customObjects') continue; // added by tfjs deserialisation
    if (v === undefined) continue;
    const driverGuess = DRIVER_KEYS.includes(k) ? undefined : suggestKey(k, DRIVER_KEYS);
    if (driverGuess) throw new OptionError(k, v, `a known option; did you mean '${driverGuess}'?`);
    (DRIVER_KEYS.includes(k) ? driver : methodRaw)[k] = v;
  }
  return { methodRaw, driver: driver as DriverOptions };
}

export function resolveDriver(driver: DriverOptions): ResolvedDriver {
  return {
    batchSize: driver.batchSize === undefined ? undefined : resolveBatchSize(driver.batchSize),
    clipGradNorm: driver.clipGradNorm === undefined ? undefined : checkNumber('clipGradNorm', driver.clipGradNorm, { min: 0, minExclusive: true }),
    nonFinite: checkEnum('nonFinite', driver.nonFinite ?? 'throw', ['throw', 'skip', 'none'] as const),
    fused: checkBoolean('fused', driver.fused ?? true),
    maxMemoryBytes: driver.maxMemoryBytes === undefined ? undefined : checkNumber('maxMemoryBytes', driver.maxMemoryBytes, { min: 0, minExclusive: true }),
  };
}

/** Validates `paramGroups` and resolves each group's options over the optimizer's. */
export function resolveGroups<O>(specs: unknown, method: Method<O>, methodRaw: Record<string, unknown>): Array<Group<O>> {
  if (specs === undefined) return [];
  if (!Array.isArray(specs)) throw new OptionError('paramGroups', specs, 'an array of { match, options }');
  return specs.map((g: ParamGroupSpec, i) => {
    if (!g || typeof g !== 'object') throw new OptionError(`paramGroups[${i}]`, g, 'an object { match, options }');
    for (const k of Object.keys(g)) {
      if (!GROUP_KEYS.includes(k)) {
        throw new OptionError(`paramGroups[${i}].${k}`, (g as unknown as Record<string, unknown>)[k], `a known key (${GROUP_KEYS.join(', ')})${didYouMean(k, GROUP_KEYS)}`);
      }
    }
    if (typeof g.match !== 'string') throw new OptionError(`paramGroups[${i}].match`, g.match, 'a RegExp source string');
    let re: RegExp;
    try {
      re = new RegExp(g.match);
    } catch {
      throw new OptionError(`paramGroups[${i}].match`, g.match, 'a valid regular expression');
    }
    if (g.options !== undefined && (g.options === null || typeof g.options !== 'object' || Array.isArray(g.options))) {
      throw new OptionError(`paramGroups[${i}].options`, g.options, 'an object of method options');
    }
    const { methodRaw: groupRaw, driver: groupDriver } = splitOptions(g.options ?? {});
    const misplaced = Object.keys(groupDriver)[0];
    if (misplaced) {
      throw new OptionError(`paramGroups[${i}].options.${misplaced}`, (groupDriver as Record<string, unknown>)[misplaced], 'a method option (driver options apply to the whole optimizer, not to a group)');
    }
    return { re, options: method.resolve({ ...methodRaw, ...groupRaw }) };
  });
}
