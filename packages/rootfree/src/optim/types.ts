import type { GpuPlan } from './fused/gpuPlan.js';
import type * as tf from '@tensorflow/tfjs-core';

/**
 * The engine contract. Every optimizer in rootfree is a {@link Method}: pure tensor math that
 * maps (parameters, gradients, state) to (new parameters, new state) for one "unit" (usually one
 * parameter; IF-Shampoo may combine several parameters into one preconditioned tensor). The tfjs
 * `Optimizer` adapter, the conformance runner, the harness and the benchmarks all drive methods
 * through this interface, so the math exists once.
 */

/** Named state tensors of one unit. Slot names must not contain '/'. */
export type State = Record<string, tf.Tensor>;

/** Per-step values shared by all units of one optimizer step. */
export interface StepContext {
  /** Number of steps applied before this one (0 on the first step). */
  step: number;
  /**
   * Number of times this unit was updated before (PyTorch's per-parameter `step` state; differs
   * from `step` when a parameter had no gradient on some steps).
   */
  unitStep: number;
  /** Learning rate for this step, after the schedule (and the unit's group overrides). */
  lr: number;
  /** Batch size B of this step (the examples the loss was averaged over). */
  batchSize: number;
  /**
   * On webgl/webgpu with a non-finite policy: fused GPU updates add their checks and writes here
   * instead of running (optim/fused/gpuPlan.ts); the driver runs the writes once the step's flag is known.
   */
  gpuPlan?: GpuPlan;
}

/** Static description of one parameter handed to a method. */
export interface ParamInfo {
  name: string;
  shape: number[];
}

/** Result of one update of one unit. All returned tensors are new (owned by the caller). */
export interface UnitUpdate {
  params: tf.Tensor[];
  state: State;
}

/**
 * An optimizer's math. `O` is the fully-resolved (defaults applied, validated) options type.
 * Implementations must not keep references to tensors between calls and must not dispose inputs.
 */
export interface Method<O> {
  /** Short identifier, e.g. 'rfadamw'. */
  readonly id: string;
  /**
   * Applies defaults and validates user options (throws {@link OptionError} naming the option,
   * value and valid range). Called at construction and once per parameter group.
   */
  resolve(raw: Record<string, unknown>): O;
  /**
   * Groups parameters into units (indices into `params`). Default: one unit per parameter.
   * Must claim every parameter exactly once or throw an error naming the unclaimed ones.
   */
  partition?(params: ParamInfo[], options: O): number[][];
  /** Creates the initial state of a unit (on its first step; `ctx` is that step's context). */
  init(params: ParamInfo[], options: O, ctx: StepContext): State;
  /**
   * One step of one unit: called inside `tf.tidy` by the driver; returns new parameter values
   * (same shapes/dtypes as the inputs) and the complete new state (same slots, shapes as init).
   */
  apply(params: tf.Tensor[], grads: tf.Tensor[], state: State, options: O, ctx: StepContext, info: ParamInfo[]): UnitUpdate;
  /**
   * Optional fused form of `apply`: writes the new parameter and state values in place into the
   * variables' storage (one pass over memory; `src/optim/fused/`). Returns false, having changed
   * nothing, when it cannot run (backend without storage access, storage shared with another
   * tensor); the driver then calls `apply`. Must compute the same values as `apply`.
   */
  applyInPlace?(params: tf.Variable[], grads: tf.Tensor[], state: Record<string, tf.Variable>, options: O, ctx: StepContext, info: ParamInfo[]): boolean;
  /**
   * `applyInPlace` also runs on webgl/webgpu (fused GPU programs; with `ctx.gpuPlan` it only
   * plans them) and never declines there while rootfree's GPU programs are active.
   */
  gpuInPlace?: boolean;
  /**
   * Optional memory estimate of one unit in bytes: `state` (its state slots) and `working` (the
   * peak of temporaries during one step). The driver sums it over units when it binds the
   * variables and refuses a model that cannot fit before allocating anything.
   */
  memoryEstimate?(params: ParamInfo[], options: O): { state: number; working: number };
  /**
   * Completes in-place work deferred during the step (batched wasm kernels). The driver calls it
   * once per step after every unit, inside the step's `tf.tidy` (the gradients are still alive),
   * also when a unit threw.
   */
  endStep?(): void;
}
