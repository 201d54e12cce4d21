import * as tf from '@tensorflow/tfjs-core';
import type { KfacLayer, KfacLayerSpec } from '../optim/singd/layers.js';
import { isSingdUpdateStep, singdMethod } from '../optim/singd/method.js';
import type { SINGDOptions, SINGDUserOptions } from '../optim/singd/options.js';
import { processGradOutput, processInput } from '../optim/singd/statistics.js';
import { KfacStore } from '../optim/singd/store.js';
import type { NamedTensor } from './gradients.js';
import { installCapture, isTapeOn, layerSpecs, tapGradient, type KfacSink } from './kfacCapture.js';
import { RootfreeOptimizer, type ApplyOptions, type DriverOptions } from './RootfreeOptimizer.js';
import { registerOptimizerClass } from './register.js';

/** Options of {@link SINGD}: singd's hyper-parameters (camelCase) plus the driver options. */
export type SINGDConfig = SINGDUserOptions & DriverOptions;

/** A layer's statistics for one pass: its input and output gradient (tfjs layouts), or singd's a and g. */
export type LayerStatistics = { input: tf.Tensor; gradOutput: tf.Tensor } | { a: tf.Tensor2D; g: tf.Tensor2D };

/**
 * SINGD (structured inverse-free natural gradient, f-dangel/singd; SPEC §4) as a tfjs optimizer:
 * KFAC curvature from each Dense/Conv2D layer's input and output gradient, preconditioned by
 * structured Kronecker factors K (inputs) and C (outputs) that are updated without inverses.
 *
 * The layer statistics reach the optimizer in one of three ways (docs/singd.md):
 * - `attach(model)`: a tfjs-layers model's Dense and Conv2D layers are registered and captured
 *   automatically whenever gradients are computed (`model.fit`, `optimizer.minimize`, `tf.variableGrads`);
 * - `registerLayer(spec)` + `capture(name, input, () => preActivation)` in hand-written models;
 * - `registerLayer(spec)` + `setLayerStatistics(name, { input, gradOutput })` to feed them directly.
 *
 * ```ts
 * const opt = new SINGD({ lr: 0.05, lrCov: 0.05, T: 2, structures: ['dense', 'diagonal'] });
 * opt.attach(model);
 * model.compile({ optimizer: opt, loss: 'categoricalCrossentropy' });
 * await model.fit(xs, ys, { batchSize: 64, epochs: 5 });
 * ```
 */
export class SINGD extends RootfreeOptimizer<SINGDOptions> implements KfacSink {
  static get className(): string {
    return 'RootfreeSINGD';
  }
  private readonly store: KfacStore;

  constructor(options: SINGDConfig = {}) {
    const store = new KfacStore();
    super(singdMethod(store), options as Record<string, unknown>);
    this.store = store;
  }

  /** Registers a layer to precondition (before the first step). */
  registerLayer(spec: KfacLayerSpec): void {
    this.store.register(spec);
  }

  /**
   * Registers every trainable Dense and Conv2D layer of a tfjs-layers model and captures their
   * statistics from then on. Returns the registered layer names.
   */
  attach(model: unknown): string[] {
    const found = layerSpecs(model);
    for (const { spec } of found) this.store.register(spec);
    for (const { layer } of found) installCapture(layer, this);
    return found.map((f) => f.spec.name);
  }

  /**
   * For hand-written models: computes a registered layer's pre-activation output with `forward`
   * and returns it wrapped so that the backward pass reports its gradient. Records the input and
   * output gradient only while a gradient tape runs and the next step updates the factors.
   */
  capture(layer: string, input: tf.Tensor, forward: () => tf.Tensor): tf.Tensor {
    const y = forward();
    if (!isTapeOn() || !this.wantsStatistics(layer)) return y;
    return tapGradient(y, this.recordInput(layer, input));
  }

  /** Feeds one pass of a layer's statistics for the next step (tensors are not taken over). */
  setLayerStatistics(layer: string, stats: LayerStatistics): void {
    const l = this.store.layer(layer);
    if ('a' in stats) {
      const entry = this.store.addInput(l.name, tf.clone(stats.a));
      this.store.setGrad(entry, tf.clone(stats.g));
      return;
    }
    this.recordInput(layer, stats.input)(stats.gradOutput);
  }

  wantsStatistics(layer: string): boolean {
    const l = this.store.layer(layer);
    return isSingdUpdateStep(this.optionsFor(l.weight), this.iterations);
  }

  recordInput(layer: string, input: tf.Tensor): (gradOutput: tf.Tensor) => void {
    const l = this.store.layer(layer);
    const o = this.optionsFor(l.weight);
    const entry = this.store.addInput(l.name, processInput(input, l, o.kfacApprox, l.bias !== null, kernelOf(l)));
    return (dy) => this.store.setGrad(entry, processGradOutput(dy, o.kfacApprox, o.lossAverage));
  }

  override applyGradients(variableGradients: tf.NamedTensorMap | NamedTensor[], applyOptions: ApplyOptions = {}): void {
    try {
      super.applyGradients(variableGradients, applyOptions);
    } finally {
      this.store.clear();
    }
  }

  override dispose(): void {
    this.store.clear();
    super.dispose();
  }
}

function kernelOf(l: KfacLayer): [number, number] {
  if (l.kind === 'dense') return [1, 1];
  const v = tf.engine().registeredVariables[l.weight];
  if (!v) throw new Error(`SINGD layer '${l.name}': its weight variable '${l.weight}' does not exist`);
  return [v.shape[0] ?? 1, v.shape[1] ?? 1];
}

registerOptimizerClass(SINGD as unknown as tf.serialization.SerializableConstructor<tf.serialization.Serializable>);
