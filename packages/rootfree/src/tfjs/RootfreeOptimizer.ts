import * as tf from '@tensorflow/tfjs-core';
import { evaluateSchedule } from '../optim/schedules.js';
import type { LrSchedule } from '../optim/schedules.js';
import type { Method, ParamInfo, State, StepContext } from '../optim/types.js';
import { OptionError } from '../optim/validate.js';
import { resolveBatchSize } from '../optim/common.js';
import { NonFiniteError } from '../errors.js';
import { resolveDriver, resolveGroups, splitOptions, type Group, type ResolvedDriver } from './driverOptions.js';
import { checkGradient, checkPartition, clipByGlobalNorm, normalizeGradients, type GradList, type NamedTensor } from './gradients.js';
import { firstNonFiniteGradient } from './finiteCheck.js';
import { configOf } from './serialization.js';
import { exportState, importState } from './stateIO.js';
import { COUNT_SLOT, type Unit } from './unit.js';
import { installFitBatchSize } from './fitBatchSize.js';
import { assertSingleTfjsCore } from './singleCore.js';

export type { DriverOptions, NonFinitePolicy, ParamGroupSpec } from './driverOptions.js';

export interface ApplyOptions {
  /** Batch size B of this step (overrides the constructor value and the `model.fit` batch). */
  batchSize?: number;
}

let instanceCounter = 0;

/**
 * The tfjs `Optimizer` adapter over an engine {@link Method}. It owns the state variables, binds
 * them to the gradient list by position (tfjs renames variables on reload, so names cannot be
 * keys), runs the step (NaN policy, clipping, schedules, groups) and implements
 * `getWeights`/`setWeights`/`getConfig` so `model.save`/`loadLayersModel` restore it. The parts
 * live beside it: option parsing (driverOptions), gradient checks (gradients), the non-finite
 * check (finiteCheck), config (serialization) and state lists (stateIO).
 */
export abstract class RootfreeOptimizer<O extends { lr: LrSchedule }> extends tf.Optimizer {
  /** Resolved options of the default group (validated at construction). */
  readonly options: O;
  protected readonly method: Method<O>;
  private readonly rawOptions: Record<string, unknown>;
  private readonly groups: Array<Group<O>>;
  private readonly driver: ResolvedDriver;
  private units: Array<Unit<O>> | null = null;
  private bound: ParamInfo[] = [];
  private pending: NamedTensor[] | null = null;
  private exported: tf.Tensor[] = [];
  private fitBatchSize: number | undefined;
  private readonly uid = ++instanceCounter;

  protected constructor(method: Method<O>, options: Record<string, unknown> = {}) {
    super();
    if (options === null || typeof options !== 'object' || Array.isArray(options)) {
      throw new OptionError('options', options, 'an options object');
    }
    this.method = method;
    this.rawOptions = { ...options };
    const { methodRaw, driver } = splitOptions(options);
    this.options = method.resolve(methodRaw);
    this.driver = resolveDriver(driver);
    this.groups = resolveGroups(driver.paramGroups, method, methodRaw);
    // tfjs-layers is an optional peer, loaded by the user; by the time an optimizer exists the
    // model classes are registered, so `model.fit` can be taught to pass the batch size.
    installFitBatchSize();
    assertSingleTfjsCore(this.getClassName());
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
    if (this.units === null) {
      assertSingleTfjsCore(this.getClassName());
      installFitBatchSize();
      this.bind(list, vars, batchSize);
    }
    if (this.driver.nonFinite !== 'none' && !this.allFinite(list)) return;

    const step = this.iterations;
    const units = this.units!;
    // Every schedule is evaluated before anything changes, so a bad value cannot leave a half-applied step.
    for (const unit of units) unit.lrNow = evaluateSchedule(unit.lr, step);
    const clip = this.driver.clipGradNorm;
    tf.tidy(() => {
      const grads = clip === undefined ? list.map((g) => g.tensor) : clipByGlobalNorm(list.map((g) => g.tensor), clip);
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
      if (!gather(unit, grads, vars)) continue;
      const ctx = unit.ctx;
      ctx.step = step;
      ctx.unitStep = unit.count;
      ctx.lr = unit.lrNow;
      ctx.batchSize = batchSize;
      this.ensureState(unit, ctx);
      const { p, g } = unit;
      if (this.driver.fused && this.method.applyInPlace?.(p, g, unit.state!, unit.options, ctx, unit.info)) {
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
    return out.concat(exportState(this.units ?? [], own));
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
    return configOf(this.rawOptions, this.getClassName());
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
    const b = applyOptions.batchSize ?? fromFit ?? this.driver.batchSize ?? 1;
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
    importState(this.units!, pending, this.iterations, this.getClassName());
  }

  private allFinite(list: GradList): boolean {
    const idx = firstNonFiniteGradient(list, this.driver.fused);
    if (idx < 0) return true;
    if (this.driver.nonFinite === 'skip') return false;
    throw new NonFiniteError(`${this.getClassName()}: gradient of '${list[idx].name}' contains NaN or Inf (step ${this.iterations}); no state was changed. Use nonFinite: 'skip' to skip such steps.`);
  }
}

/** Fills the unit's scratch arrays; false when a gradient of the unit is missing (unit skipped). */
function gather<O>(unit: Unit<O>, grads: Array<tf.Tensor | null>, vars: Array<tf.Variable | null>): boolean {
  const { indices, g, p } = unit;
  for (let k = 0; k < indices.length; k++) {
    const t = grads[indices[k]];
    if (t === null) return false;
    g[k] = t;
    p[k] = vars[indices[k]]!;
  }
  return true;
}
