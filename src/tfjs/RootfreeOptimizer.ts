import * as tf from '@tensorflow/tfjs-core';
import type { NamedTensor } from '@tensorflow/tfjs-core/dist/tensor_types.js';
import { evaluateSchedule, type LrSchedule } from '../optim/schedules.js';
import type { Method, ParamInfo, State, StepContext } from '../optim/types.js';
import { checkBoolean, checkEnum, checkNumber, OptionError, suggestKey } from '../optim/validate.js';
import { firstNonFinite } from '../optim/fused/finite.js';
import { resolveBatchSize } from '../optim/common.js';
import { NonFiniteError } from '../errors.js';

/** What to do when a gradient contains NaN or ±Inf. Either way the rejected step changes nothing. */
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
  /** NaN/Inf gradient policy. Default 'throw' (names the variable). 'none' skips the check (no sync). */
  nonFinite?: NonFinitePolicy;
  /**
   * Use the method's fused in-place update (`Method.applyInPlace`: one pass over memory, cpu/wasm)
   * when it supports the step. Default true; `ROOTFREE_FUSED=0` disables it process-wide.
   */
  fused?: boolean;
}

export interface ApplyOptions {
  /** Batch size B of this step (overrides the constructor value and the `model.fit` batch). */
  batchSize?: number;
}

const DRIVER_KEYS = ['batchSize', 'paramGroups', 'clipGradNorm', 'nonFinite', 'fused'];
const COUNT_SLOT = 'count';

interface Unit<O> {
  indices: number[];
  info: ParamInfo[];
  options: O;
  lr: LrSchedule;
  state: Record<string, tf.Variable> | null;
  count: number;
  /** Per-step scratch (reused so a step over many small tensors allocates nothing per unit). */
  g: tf.Tensor[];
  p: tf.Variable[];
  ctx: StepContext;
  lrNow: number;
}

type GradList = Array<{ name: string; tensor: tf.Tensor | null }>;

let instanceCounter = 0;

/**
 * The tfjs `Optimizer` adapter over an engine {@link Method}. It owns the state variables, binds
 * them to the gradient list by position (tfjs renames variables on reload, so names cannot be
 * keys), validates inputs, applies the NaN policy, clipping and schedules, and implements
 * `getWeights`/`setWeights`/`getConfig` so `model.save`/`loadLayersModel` restore it.
 */
export abstract class RootfreeOptimizer<O extends { lr: LrSchedule }> extends tf.Optimizer {
  /** Resolved options of the default group (validated at construction). */
  readonly options: O;
  protected readonly method: Method<O>;
  private readonly rawOptions: Record<string, unknown>;
  private readonly groups: Array<{ re: RegExp; options: O }>;
  private readonly defaultBatchSize: number | undefined;
  private readonly clipGradNorm: number | undefined;
  private readonly nonFinite: NonFinitePolicy;
  private readonly fused: boolean;
  private units: Array<Unit<O>> | null = null;
  private bound: ParamInfo[] = [];
  private pending: NamedTensor[] | null = null;
  private exported: tf.Tensor[] = [];
  private fitBatchSize: number | undefined;
  private readonly uid = ++instanceCounter;

  protected constructor(method: Method<O>, options: Record<string, unknown> = {}) {
    super();
    if (options === null || typeof options !== 'object') {
      throw new OptionError('options', options, 'an options object');
    }
    this.method = method;
    this.rawOptions = { ...options };
    const { methodRaw, driver } = splitOptions(options);
    this.options = method.resolve(methodRaw);
    this.defaultBatchSize = driver.batchSize === undefined ? undefined : resolveBatchSize(driver.batchSize);
    this.clipGradNorm = driver.clipGradNorm === undefined ? undefined : checkNumber('clipGradNorm', driver.clipGradNorm, { min: 0, minExclusive: true });
    this.nonFinite = checkEnum('nonFinite', driver.nonFinite ?? 'throw', ['throw', 'skip', 'none'] as const);
    this.fused = checkBoolean('fused', driver.fused ?? true);
    const specs = driver.paramGroups ?? [];
    if (!Array.isArray(specs)) throw new OptionError('paramGroups', specs, 'an array of { match, options }');
    this.groups = specs.map((g, i) => {
      if (!g || typeof g.match !== 'string') throw new OptionError(`paramGroups[${i}].match`, g?.match, 'a RegExp source string');
      let re: RegExp;
      try {
        re = new RegExp(g.match);
      } catch {
        throw new OptionError(`paramGroups[${i}].match`, g.match, 'a valid regular expression');
      }
      if (g.options !== undefined && (g.options === null || typeof g.options !== 'object')) {
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

  /** The learning rate of the default group at the current step. */
  get learningRate(): number {
    return evaluateSchedule(this.options.lr, this.iterations);
  }

  /** Sets the batch size used by the next step only (called by the `model.fit` integration). */
  setNextBatchSize(batchSize: number): void {
    this.fitBatchSize = resolveBatchSize(batchSize);
  }

  override applyGradients(variableGradients: tf.NamedTensorMap | NamedTensor[], applyOptions: ApplyOptions = {}): void {
    const list = normalizeGradients(variableGradients);
    const batchSize = this.resolveStepBatchSize(applyOptions);
    const bound = this.units === null ? null : this.bound;
    if (bound !== null && list.length !== bound.length) throw this.bindingError(list.length);
    const vars = list.map(({ name, tensor }, i) => checkGradient(name, tensor, bound?.[i], i, this.getClassName()));
    if (this.units === null) this.bind(list, vars, batchSize);
    if (this.nonFinite !== 'none' && !this.allFinite(list)) return;

    const step = this.iterations;
    const units = this.units!;
    // Every schedule is evaluated before anything changes, so a bad value cannot leave a half-applied step.
    for (const unit of units) unit.lrNow = evaluateSchedule(unit.lr, step);
    tf.tidy(() => {
      const grads = this.clipGradNorm === undefined ? list.map((g) => g.tensor) : clipByGlobalNorm(list.map((g) => g.tensor), this.clipGradNorm);
      try {
        this.applyUnits(units, grads, vars, step, batchSize);
      } finally {
        this.method.endStep?.();
      }
    });
    this.incrementIterations();
  }

  /** The step's units in order: fused in place where the method can, else `apply` and assign. */
  private applyUnits(units: Array<Unit<O>>, grads: Array<tf.Tensor | null>, vars: Array<tf.Variable | null>, step: number, batchSize: number): void {
    for (const unit of units) {
      if (!this.gather(unit, grads, vars)) continue;
      const ctx = unit.ctx;
      ctx.step = step;
      ctx.unitStep = unit.count;
      ctx.lr = unit.lrNow;
      ctx.batchSize = batchSize;
      this.ensureState(unit, ctx);
      const { p, g } = unit;
      if (this.fused && this.method.applyInPlace?.(p, g, unit.state!, unit.options, ctx, unit.info)) {
        unit.count++;
        continue;
      }
      tf.tidy(() => {
        const out = this.method.apply(p, g, unit.state!, unit.options, ctx, unit.info);
        out.params.forEach((t, k) => p[k].assign(t));
        for (const [slot, v] of Object.entries(unit.state!)) {
          const next = out.state[slot];
          if (!next) throw new Error(`internal: method '${this.method.id}' dropped state slot '${slot}'`);
          v.assign(next);
        }
      });
      unit.count++;
    }
  }

  /** Fills the unit's scratch arrays; false when a gradient of the unit is missing (unit skipped). */
  private gather(unit: Unit<O>, grads: Array<tf.Tensor | null>, vars: Array<tf.Variable | null>): boolean {
    const { indices, g, p } = unit;
    for (let k = 0; k < indices.length; k++) {
      const t = grads[indices[k]];
      if (t === null) return false;
      g[k] = t;
      p[k] = vars[indices[k]]!;
    }
    return true;
  }

  private bindingError(got: number): Error {
    return new Error(
      `${this.getClassName()}: got ${got} gradients but the optimizer is bound to ${this.bound.length} variables ` +
        `(${this.bound.map((b) => b.name).join(', ')}); pass the same variables in the same order every step`,
    );
  }

  override async getWeights(): Promise<NamedTensor[]> {
    // Own the exported scalars (tfjs#8238: saveIterations() leaks one tensor per save).
    this.exported.forEach((t) => t.dispose());
    this.exported = [];
    const own = (t: tf.Tensor): tf.Tensor => (this.exported.push(t), t);
    const out: NamedTensor[] = [{ name: 'iter', tensor: own(tf.scalar(this.iterations, 'int32')) }];
    // Loaded but not yet bound (e.g. loadLayersModel then save again): pass the loaded state on.
    if (this.units === null && this.pending) return out.concat(this.pending);
    for (const [u, unit] of (this.units ?? []).entries()) {
      const prefix = `${u}/${unit.info.map((i) => i.name).join('+')}`;
      for (const [slot, v] of Object.entries(unit.state ?? {})) out.push({ name: `${prefix}/${slot}`, tensor: v });
      out.push({ name: `${prefix}/${COUNT_SLOT}`, tensor: own(tf.scalar(unit.count)) });
    }
    return out;
  }

  override async setWeights(weightValues: NamedTensor[]): Promise<void> {
    if (!Array.isArray(weightValues) || weightValues.length === 0 || weightValues[0].name !== 'iter') {
      throw new Error(`${this.getClassName()}.setWeights: expected the list from getWeights() starting with 'iter'`);
    }
    const rest = await this.extractIterations(weightValues);
    // Clone before disposing the old pending list: `rest` may be that list (getWeights before binding).
    const previous = this.pending;
    this.pending = rest.map((w) => ({ name: w.name, tensor: w.tensor.clone() }));
    previous?.forEach((w) => w.tensor.dispose());
    if (this.units !== null) this.applyPending();
  }

  override getConfig(): tf.serialization.ConfigDict {
    const cfg: tf.serialization.ConfigDict = {};
    for (const [k, v] of Object.entries(this.rawOptions)) {
      if (typeof v === 'function') {
        const hint = k === 'lr' ? "use a schedule object ({ type: 'cosine', ... })" : 'use a serialisable value (number, string, object)';
        throw new Error(`${this.getClassName()}.getConfig: option '${k}' is a function and cannot be serialised; ${hint}`);
      }
      cfg[k] = v as tf.serialization.ConfigDictValue;
    }
    if (Array.isArray(this.rawOptions.paramGroups)) {
      // tfjs camelCases every string on load (`a_b` -> `aB`); `\x5f` is '_' to RegExp and survives.
      cfg.paramGroups = (this.rawOptions.paramGroups as ParamGroupSpec[]).map((g) => ({
        match: escapeUnderscores(g.match),
        options: g.options as tf.serialization.ConfigDict,
      }));
    }
    return cfg;
  }

  /**
   * Rebuilds an optimizer from {@link getConfig} output, also after tfjs-layers' load path
   * camelCased it and added `customObjects` (ECOSYSTEM-NOTES §2.3.3).
   */
  static override fromConfig<T extends tf.serialization.Serializable>(
    cls: tf.serialization.SerializableConstructor<T>,
    config: tf.serialization.ConfigDict,
  ): T {
    const { customObjects: _ignored, ...rest } = config ?? {};
    return new cls(rest);
  }

  override dispose(): void {
    for (const unit of this.units ?? []) Object.values(unit.state ?? {}).forEach((v) => v.dispose());
    this.pending?.forEach((w) => w.tensor.dispose());
    this.exported.forEach((t) => t.dispose());
    this.units = null;
    this.pending = null;
    this.exported = [];
    super.dispose();
  }

  /** The option value exactly as the user passed it (for subclasses' serialisation checks). */
  protected rawOptionsValue(key: string): unknown {
    return this.rawOptions[key];
  }

  /** Resolved options for a parameter name (after group overrides). */
  optionsFor(name: string): O {
    return this.groups.find((g) => g.re.test(name))?.options ?? this.options;
  }

  private resolveStepBatchSize(applyOptions: ApplyOptions): number {
    const fromFit = this.fitBatchSize;
    this.fitBatchSize = undefined;
    const b = applyOptions.batchSize ?? fromFit ?? this.defaultBatchSize ?? 1;
    return resolveBatchSize(b, 'applyGradients batchSize');
  }

  private bind(list: GradList, vars: Array<tf.Variable | null>, batchSize: number): void {
    const info: ParamInfo[] = list.map((g, i) => ({ name: g.name, shape: vars[i]!.shape.slice() }));
    const partition = this.method.partition ? this.method.partition(info, this.options) : info.map((_, i) => [i]);
    checkPartition(partition, info);
    this.bound = info;
    this.units = partition.map((indices) => {
      const options = this.optionsFor(info[indices[0]].name);
      const scratch = { g: new Array<tf.Tensor>(indices.length), p: new Array<tf.Variable>(indices.length), ctx: { step: 0, unitStep: 0, lr: 0, batchSize }, lrNow: 0 };
      return { indices, info: indices.map((i) => info[i]), options, lr: options.lr, state: null, count: 0, ...scratch };
    });
    if (this.pending) {
      const ctx: StepContext = { step: this.iterations, unitStep: 0, lr: 0, batchSize };
      for (const unit of this.units) this.ensureState(unit, ctx);
      this.applyPending();
    }
  }

  private ensureState(unit: Unit<O>, ctx: StepContext): void {
    if (unit.state !== null) return;
    const init = tf.tidy(() => this.method.init(unit.info, unit.options, ctx)) as State;
    unit.state = {};
    for (const [slot, t] of Object.entries(init)) {
      if (slot === COUNT_SLOT || slot.includes('/')) throw new Error(`internal: invalid state slot name '${slot}'`);
      unit.state[slot] = tf.variable(t, false, `rootfree${this.uid}/${unit.indices[0]}/${slot}`);
      t.dispose();
    }
  }

  private applyPending(): void {
    const pending = this.pending ?? [];
    this.pending = null;
    const seen = new Set<number>();
    try {
      for (const w of pending) {
        const u = Number(w.name.slice(0, w.name.indexOf('/')));
        const slot = w.name.slice(w.name.lastIndexOf('/') + 1);
        const unit = this.units![u];
        if (!Number.isInteger(u) || !unit) {
          throw new Error(`${this.getClassName()}.setWeights: weight '${w.name}' refers to unit ${u}, but the model has ${this.units!.length} parameter units`);
        }
        seen.add(u);
        if (slot === COUNT_SLOT) {
          unit.count = w.tensor.dataSync()[0];
          continue;
        }
        const v = unit.state?.[slot];
        if (!v) throw new Error(`${this.getClassName()}.setWeights: weight '${w.name}' has no slot '${slot}' in this optimizer's state (options differ from the saved ones?)`);
        if (!tf.util.arraysEqual(v.shape, w.tensor.shape)) {
          throw new Error(`${this.getClassName()}.setWeights: weight '${w.name}' has shape [${w.tensor.shape}] but the state slot for '${unit.info.map((i) => i.name).join('+')}' has shape [${v.shape}]`);
        }
        v.assign(w.tensor);
      }
      for (const [u, unit] of this.units!.entries()) if (!seen.has(u)) unit.count = this.iterations;
    } finally {
      pending.forEach((w) => w.tensor.dispose());
    }
  }


  private allFinite(list: GradList): boolean {
    const present = list.filter((g) => g.tensor !== null);
    if (present.length === 0) return true;
    const fast = this.fused ? firstNonFinite(present.map((g) => g.tensor!)) : null;
    const idx = fast ?? tf.tidy(() => tf.stack(present.map((g) => tf.any(tf.logicalNot(tf.isFinite(g.tensor!))))).dataSync()).findIndex((b) => b !== 0);
    if (idx < 0) return true;
    if (this.nonFinite === 'skip') return false;
    throw new NonFiniteError(`${this.getClassName()}: gradient of '${present[idx].name}' contains NaN or Inf (step ${this.iterations}); no state was changed. Use nonFinite: 'skip' to skip such steps.`);
  }
}

/**
 * Writes every '_' of a RegExp source as `\x5f` (same match, no underscore), so tfjs's
 * camelCasing of string values on load (`a_b` -> `aB`) cannot change the pattern. An escaped
 * `\_` becomes `\x5f` too; other escapes are copied unchanged.
 */
export function escapeUnderscores(source: string): string {
  let out = '';
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    if (c === '\\' && i + 1 < source.length) {
      const next = source[++i];
      out += next === '_' ? '\\x5f' : c + next;
    } else {
      out += c === '_' ? '\\x5f' : c;
    }
  }
  return out;
}

function splitOptions(options: Record<string, unknown>): { methodRaw: Record<string, unknown>; driver: DriverOptions } {
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

function normalizeGradients(g: tf.NamedTensorMap | NamedTensor[]): GradList {
  if (Array.isArray(g)) return g.map((x) => ({ name: x.name, tensor: x.tensor ?? null }));
  if (!g || typeof g !== 'object') throw new TypeError('applyGradients: expected a tf.NamedTensorMap or NamedTensor[]');
  return Object.keys(g).map((name) => ({ name, tensor: g[name] ?? null }));
}

/**
 * The registered variable behind a gradient, after checking the gradient; `bound` (the shape bound
 * to this position at the first step) catches a different variable list passed later.
 */
function checkGradient(name: string, grad: tf.Tensor | null, bound: ParamInfo | undefined, i: number, owner: string): tf.Variable {
  const v = tf.engine().registeredVariables[name] as tf.Variable | undefined;
  if (!v) throw new Error(`applyGradients: unknown variable '${name}' (not a registered tf.Variable)`);
  if (bound !== undefined && !tf.util.arraysEqual(v.shape, bound.shape)) {
    throw new Error(`${owner}: variable '${name}' at position ${i} has shape [${v.shape}], but position ${i} was bound to '${bound.name}' with shape [${bound.shape}]`);
  }
  if (grad === null) return v;
  if (!(grad instanceof tf.Tensor)) throw new TypeError(`applyGradients: gradient of '${name}' is not a tf.Tensor`);
  if (!tf.util.arraysEqual(grad.shape, v.shape)) {
    throw new Error(`applyGradients: gradient of '${name}' has shape [${grad.shape}] but the variable has shape [${v.shape}]`);
  }
  if (grad.dtype !== 'float32' || v.dtype !== 'float32') {
    throw new Error(`applyGradients: '${name}' must be float32 (variable ${v.dtype}, gradient ${grad.dtype})`);
  }
  return v;
}

function checkPartition(partition: number[][], info: ParamInfo[]): void {
  const claimed = new Array(info.length).fill(0);
  partition.forEach((u) => u.forEach((i) => claimed[i]++));
  const lost = info.filter((_, i) => claimed[i] === 0).map((p) => p.name);
  const twice = info.filter((_, i) => claimed[i] > 1).map((p) => p.name);
  if (lost.length) throw new Error(`no parameter-combination rule claims: ${lost.join(', ')}`);
  if (twice.length) throw new Error(`parameters claimed by more than one combination rule: ${twice.join(', ')}`);
}

function clipByGlobalNorm(grads: Array<tf.Tensor | null>, maxNorm: number): Array<tf.Tensor | null> {
  const present = grads.filter((g): g is tf.Tensor => g !== null);
  if (present.length === 0) return grads;
  const norm = tf.sqrt(tf.addN(present.map((g) => tf.sum(tf.square(g)))));
  const scale = tf.minimum(1, tf.div(maxNorm, tf.add(norm, 1e-6)));
  return grads.map((g) => (g === null ? null : tf.mul(g, scale)));
}
