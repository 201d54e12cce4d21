import * as tf from '@tensorflow/tfjs-core';
import { evaluateSchedule } from '../optim/schedules.js';
import type { LrSchedule } from '../optim/schedules.js';
import type { Method, ParamInfo } from '../optim/types.js';
import { OptionError } from '../optim/validate.js';
import { resolveBatchSize } from '../optim/common.js';
import { NonFiniteError } from '../errors.js';
import { resolveDriver, resolveGroups, splitOptions, type Group, type ResolvedDriver } from './driverOptions.js';
import { checkGradient, checkPartition, clipByGlobalNorm, normalizeGradients, type GradList, type NamedTensor } from './gradients.js';
import { firstNonFiniteGradient } from './finiteCheck.js';
import { deviceChecked, StepStatus } from './devicePolicy.js';
import { configOf } from './serialization.js';
import { cloneSaved, disposeSaved, exportState, loadInto, parseSaved, savedList, StateError, type SavedState } from './stateIO.js';
import { dropState, type Unit } from './unit.js';
import { Binding } from './binding.js';
import { Snapshot } from './snapshot.js';
import { runStep } from './step.js';
import { checkMemory } from './memory.js';
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
 * them to the first step's variables by identity (loaded state attaches by position at that
 * step: tfjs renames variables on reload), runs each step all or nothing (NaN policy, clipping,
 * schedules, groups) and implements `getWeights`/`setWeights`/`getConfig` so
 * `model.save`/`loadLayersModel` restore it. The parts live beside it: option parsing
 * (driverOptions), gradient checks (gradients), binding (binding), the step (step, snapshot,
 * finiteCheck), memory estimate (memory), config (serialization) and state lists (stateIO).
 */
export abstract class RootfreeOptimizer<O extends { lr: LrSchedule }> extends tf.Optimizer {
  /** Resolved options of the default group (validated at construction). */
  readonly options: O;
  protected readonly method: Method<O>;
  private readonly rawOptions: Record<string, unknown>;
  private readonly groups: Array<Group<O>>;
  private readonly driver: ResolvedDriver;
  private units: Array<Unit<O>> | null = null;
  private binding: Binding | null = null;
  /** State loaded before the first step, attached when the first step binds the variables. */
  private pending: SavedState | null = null;
  /** The error of the last failed `setWeights` (every step throws until a load succeeds or `reset`). */
  private loadError: Error | null = null;
  private readonly snapshot = new Snapshot();
  private exported: tf.Tensor[] = [];
  private fitBatchSize: number | undefined;
  private readonly uid = ++instanceCounter;
  private readonly status = new StepStatus();
  /** Bumped when the state is replaced (setWeights, reset): late rejections of earlier steps then change nothing. */
  private epoch = 0;

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
    const owner = this.getClassName();
    let list = normalizeGradients(variableGradients);
    const batchSize = this.resolveStepBatchSize(applyOptions);
    if (this.loadError !== null) throw loadFailed(owner, this.loadError);
    let vars = list.map(({ name, tensor }) => checkGradient(name, tensor, owner));
    if (this.binding !== null) ({ list, vars } = this.binding.order(list, vars, owner));
    else {
      assertSingleTfjsCore(owner);
      installFitBatchSize();
      this.bind(list, vars, batchSize);
    }
    // webgl/webgpu check on the device and report later (devicePolicy.ts); cpu/wasm check here.
    const onDevice = this.driver.nonFinite !== 'none' && deviceChecked();
    this.status.surface();
    if (this.driver.nonFinite !== 'none' && !onDevice && !this.allFinite(list)) return this.status.recordHost(false);

    const step = this.iterations;
    const units = this.units!;
    // Every schedule is evaluated before anything changes, so a bad value cannot leave a half-applied step.
    for (const unit of units) unit.lrNow = evaluateSchedule(unit.lr, step);
    const clip = this.driver.clipGradNorm;
    let failure = null as Error | null;
    let flag = null as tf.Tensor | null;
    const deviceCheck = onDevice ? { names: list.map((g) => g.name), out: { flag: null as tf.Tensor | null, culprits: [] as string[] } } : undefined;
    const counts = units.map((u) => u.count);
    tf.tidy(() => {
      const grads = clip === undefined ? list.map((g) => g.tensor) : clipByGlobalNorm(list.map((g) => g.tensor), clip);
      const run = {
        deviceCheck,
        method: this.method, units, grads, vars, step, batchSize, owner,
        fused: this.driver.fused,
        guard: this.driver.nonFinite !== 'none',
        snapshot: this.snapshot,
        statePrefix: `rootfree${this.uid}`,
      };
      failure = runStep(run);
      // The flag that decided the step: gradients and new values (step.ts).
      if (deviceCheck?.out.flag) flag = tf.keep(deviceCheck.out.flag);
    });
    if (failure !== null) {
      (flag as tf.Tensor | null)?.dispose();
      this.status.recordHost(false);
      if (failure instanceof NonFiniteError && this.driver.nonFinite === 'skip') return;
      throw failure;
    }
    if (flag === null) this.status.recordHost(true);
    else {
      const culprits = deviceCheck!.out.culprits;
      const advanced = units.filter((u, i) => u.count !== counts[i]);
      const epoch = this.epoch;
      this.status.recordDevice(flag, step, culprits, owner, this.driver.nonFinite === 'throw', () => this.uncount(advanced, epoch));
    }
    this.incrementIterations();
  }

  /**
   * Whether the latest step was applied (false: skipped or rejected for NaN/Inf). On webgl/webgpu
   * this resolves once the device flag is read, without blocking the step.
   */
  lastStepFinite(): Promise<boolean> {
    return this.status.lastStepFinite();
  }

  override async getWeights(): Promise<NamedTensor[]> {
    // Own the exported scalars (tfjs#8238: saveIterations() leaks one tensor per save).
    this.exported.forEach((t) => t.dispose());
    this.exported = [];
    const own = (t: tf.Tensor): tf.Tensor => (this.exported.push(t), t);
    const out: NamedTensor[] = [{ name: 'iter', tensor: own(tf.scalar(this.iterations, 'int32')) }];
    // Loaded but not yet bound (e.g. loadLayersModel then save again): pass the loaded state on.
    if (this.units === null && this.pending) return out.concat(savedList(this.pending, own));
    return out.concat(exportState(this.units ?? [], own));
  }

  /**
   * Loads a `getWeights` list, all or nothing. The list is checked on its own (names, order,
   * counters, dtypes, finite values) and, once the optimizer is bound, against its variables'
   * state (units, slots, shapes); before the first step it is kept and checked when the first
   * step binds the variables (by position: tfjs renames variables when it reloads a model). A
   * rejected list changes nothing, and every later step throws until a valid list is loaded or
   * {@link reset} is called, so training never continues silently from state other than the
   * one the caller meant to load.
   */
  override async setWeights(weightValues: NamedTensor[]): Promise<void> {
    const owner = this.getClassName();
    try {
      const saved = parseSaved(weightValues, owner);
      if (this.units !== null) {
        // Through clones: the list may hold the state variables themselves (setWeights(await getWeights())).
        const copy = cloneSaved(saved);
        try {
          loadInto(this.units, copy, this.method, `rootfree${this.uid}`, owner);
        } finally {
          disposeSaved(copy);
        }
      } else {
        // Clone before disposing the old pending state: the list may hold it (getWeights before binding).
        const previous = this.pending;
        this.pending = cloneSaved(saved);
        disposeSaved(previous);
      }
      this.iterations_ = saved.iterations;
      this.epoch++;
      this.loadError = null;
    } catch (e) {
      this.loadError = e as Error;
      throw e;
    }
  }

  /**
   * Drops all state and the binding to variables, as if the optimizer were new (same options):
   * iterations 0, no state, no pending loaded state, no failed load. The next step binds the
   * variables it is given. Use it to recover after a rejected `setWeights`, or to train another model.
   */
  reset(): void {
    for (const unit of this.units ?? []) dropState(unit);
    disposeSaved(this.pending);
    this.units = null;
    this.binding = null;
    this.pending = null;
    this.loadError = null;
    this.snapshot.release();
    this.iterations_ = 0;
    this.epoch++;
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
    this.reset();
    this.exported.forEach((t) => t.dispose());
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

  /**
   * Binds the optimizer to the first step's variables: units from the method's partition (empty
   * variables get none: there is nothing to update), the memory check, and pending loaded state
   * (by position). Nothing is kept when any of it throws, so the next step tries again.
   */
  private bind(list: GradList, vars: tf.Variable[], batchSize: number): void {
    const info: ParamInfo[] = list.map((g, i) => ({ name: g.name, shape: vars[i].shape.slice() }));
    const nonEmpty = info.flatMap((p, i) => (p.shape.includes(0) ? [] : [i]));
    const sub = nonEmpty.map((i) => info[i]);
    const partition = this.method.partition ? this.method.partition(sub, this.options) : sub.map((_, i) => [i]);
    checkPartition(partition, sub);
    const units: Array<Unit<O>> = partition.map((local) => {
      const indices = local.map((k) => nonEmpty[k]);
      const options = this.optionsFor(info[indices[0]].name);
      const scratch = { g: new Array<tf.Tensor>(indices.length), p: new Array<tf.Variable>(indices.length), ctx: { step: 0, unitStep: 0, lr: 0, batchSize }, lrNow: 0 };
      return { indices, info: indices.map((i) => info[i]), options, lr: options.lr, state: null, count: 0, ...scratch };
    });
    checkMemory(this.method, units, this.driver.maxMemoryBytes, this.getClassName());
    if (this.pending) {
      loadInto(units, this.pending, this.method, `rootfree${this.uid}`, this.getClassName());
      disposeSaved(this.pending);
      this.pending = null;
    }
    this.units = units;
    this.binding = new Binding(vars);
  }

  /**
   * Takes back the counting of a step the device rejected (learned after the step): the step
   * counter and the advanced units' counts, unless the state was replaced since (reset/setWeights).
   */
  private uncount(advanced: Array<Unit<O>>, epoch: number): void {
    if (epoch !== this.epoch) return;
    if (this.iterations_ > 0) this.iterations_--;
    for (const u of advanced) if (u.count > 0) u.count--;
  }

  private allFinite(list: GradList): boolean {
    const idx = firstNonFiniteGradient(list, this.driver.fused);
    if (idx < 0) return true;
    if (this.driver.nonFinite === 'skip') return false;
    throw new NonFiniteError(`${this.getClassName()}: gradient of '${list[idx].name}' contains NaN or Inf (step ${this.iterations}); no state was changed. Use nonFinite: 'skip' to skip such steps.`);
  }
}

function loadFailed(owner: string, cause: Error): Error {
  return new StateError(
    `${owner}: the last setWeights failed (${cause.message}); every step fails until setWeights succeeds or reset() is called, so training cannot continue from other state than the one meant to be loaded`,
  );
}
