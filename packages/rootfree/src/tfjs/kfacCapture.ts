import * as tf from '@tensorflow/tfjs-core';
import type { KfacLayerSpec } from '../optim/singd/layers.js';

/**
 * Capturing a layer's input and output gradient from tfjs-layers, which has no hooks. Each Dense
 * and Conv2D layer's `call` is wrapped (on the instance, once): while a gradient tape records
 * (`tf.variableGrads`, `optimizer.minimize`, `model.fit`) and the owner wants statistics for the
 * coming step, the wrapper hands the layer input to the owner and swaps in an activation that
 * first passes the pre-activation output through an identity whose gradient function reports
 * ∂loss/∂output, then applies the layer's own activation. Outside a tape (predict, evaluate) the
 * original `call` runs unchanged; the activation is restored after every call, so saving the
 * model is unaffected.
 */

/** Receives the captured tensors (a SINGD optimizer). */
export interface KfacSink {
  /** Whether statistics of this layer are wanted for the coming step. */
  wantsStatistics(layer: string): boolean;
  /** Called in the forward pass; returns the callback that receives ∂loss/∂output in the backward pass. */
  recordInput(layer: string, input: tf.Tensor): (gradOutput: tf.Tensor) => void;
}

/** The parts of a tfjs-layers layer this module touches (duck-typed: rootfree never imports tfjs-layers). */
interface LayerLike {
  name: string;
  getClassName(): string;
  getConfig(): Record<string, unknown>;
  call(inputs: unknown, kwargs: unknown): unknown;
  activation?: { apply(x: tf.Tensor): tf.Tensor; getClassName(): string };
  kernel?: { read(): tf.Variable };
  bias?: { read(): tf.Variable } | null;
  layers?: LayerLike[];
}

const SINK = Symbol.for('rootfree.kfacSink');
const ORIGINAL = Symbol.for('rootfree.kfacOriginalCall');
type Patched = LayerLike & { [SINK]?: KfacSink; [ORIGINAL]?: LayerLike['call'] };

/**
 * Wraps `y` so that its gradient is reported to `onGrad` (the gradient itself passes through
 * unchanged). Call inside a gradient tape.
 */
export function tapGradient(y: tf.Tensor, onGrad: (dy: tf.Tensor) => void): tf.Tensor {
  const f = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => ({
    value: tf.clone(args[0] as tf.Tensor),
    gradFunc: (dy: tf.Tensor | tf.Tensor[]) => {
      const d = Array.isArray(dy) ? dy[0] : dy;
      onGrad(d);
      return [tf.clone(d)];
    },
  }));
  return f(y);
}

export function isTapeOn(): boolean {
  return (tf.engine() as unknown as { isTapeOn(): boolean }).isTapeOn();
}

/** Every Dense and Conv2D layer of a tfjs-layers model (nested models included), as layer specs. */
export function layerSpecs(model: unknown): Array<{ spec: KfacLayerSpec; layer: LayerLike }> {
  const out: Array<{ spec: KfacLayerSpec; layer: LayerLike }> = [];
  const visit = (l: LayerLike): void => {
    if (Array.isArray(l.layers)) return l.layers.forEach(visit);
    const cls = l.getClassName();
    if (cls !== 'Dense' && cls !== 'Conv2D') return;
    const cfg = l.getConfig();
    if (cfg.trainable === false || !l.kernel) return;
    const weight = l.kernel.read().name;
    const bias = l.bias ? l.bias.read().name : null;
    if (cls === 'Dense') {
      out.push({ spec: { name: l.name, kind: 'dense', weight, bias }, layer: l });
      return;
    }
    if (cfg.dataFormat === 'channelsFirst') throw new Error(`SINGD: layer '${l.name}' uses dataFormat 'channelsFirst'; only channelsLast (NHWC) is supported`);
    const pair = (v: unknown): [number, number] => (Array.isArray(v) ? [v[0], v[1] ?? v[0]] : [v as number, v as number]);
    const padding = cfg.padding === 'same' ? 'same' : cfg.padding === 'valid' ? 'valid' : null;
    if (padding === null) throw new Error(`SINGD: layer '${l.name}' has padding '${String(cfg.padding)}' (supported: 'same', 'valid')`);
    out.push({ spec: { name: l.name, kind: 'conv2d', weight, bias, strides: pair(cfg.strides), padding, dilation: pair(cfg.dilationRate ?? 1) }, layer: l });
  };
  const root = model as LayerLike;
  if (!root || typeof root.getClassName !== 'function') throw new TypeError('SINGD.attach: expected a tfjs-layers model or layer');
  visit(root);
  return out;
}

/** Points a layer's capture at `sink` (wrapping its `call` the first time). */
export function installCapture(layer: LayerLike, sink: KfacSink): void {
  const l = layer as Patched;
  l[SINK] = sink;
  if (l[ORIGINAL]) return;
  const original = l.call;
  l[ORIGINAL] = original;
  l.call = function (this: Patched, inputs: unknown, kwargs: unknown) {
    const s = this[SINK];
    if (!s || !isTapeOn() || !s.wantsStatistics(this.name) || !this.activation) return original.call(this, inputs, kwargs);
    const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor;
    const onGrad = s.recordInput(this.name, x);
    const act = this.activation;
    // A name no fused kernel knows, so the layer applies the activation separately (after the tap).
    this.activation = { getClassName: () => 'RootfreeKfacTap', apply: (y: tf.Tensor) => act.apply(tapGradient(y, onGrad)) };
    try {
      return original.call(this, inputs, kwargs);
    } finally {
      this.activation = act;
    }
  };
}
