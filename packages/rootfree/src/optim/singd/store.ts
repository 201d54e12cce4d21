import * as tf from '@tensorflow/tfjs-core';
import { resolveLayer, type KfacLayer, type KfacLayerSpec } from './layers.js';

/** One forward/backward pass of one layer: a from the forward, g once the backward reached it. */
export interface StatEntry {
  a: tf.Tensor2D;
  g: tf.Tensor2D | null;
}

/**
 * The layers one SINGD instance preconditions and the statistics captured for the next step.
 * Several passes before one step add up (singd sums their H_K, H_C); `step()` consumes them and
 * everything captured is dropped after the step, used or not.
 */
export class KfacStore {
  private readonly layers = new Map<string, KfacLayer>();
  private readonly byParam = new Map<string, KfacLayer>();
  private readonly pending = new Map<string, StatEntry[]>();
  /** Set once the optimizer bound its variables: the layer set is fixed from then on. */
  frozen = false;

  register(spec: KfacLayerSpec): KfacLayer {
    const layer = resolveLayer(spec);
    if (this.frozen) throw new Error(`SINGD: cannot register layer '${layer.name}' after the first step (register every layer before training)`);
    if (this.layers.has(layer.name)) throw new Error(`SINGD: layer '${layer.name}' is registered twice`);
    for (const v of [layer.weight, layer.bias]) {
      if (v !== null && this.byParam.has(v)) throw new Error(`SINGD: variable '${v}' of layer '${layer.name}' already belongs to layer '${this.byParam.get(v)!.name}'`);
    }
    this.layers.set(layer.name, layer);
    this.byParam.set(layer.weight, layer);
    if (layer.bias !== null) this.byParam.set(layer.bias, layer);
    return layer;
  }

  layer(name: string): KfacLayer {
    const l = this.layers.get(name);
    if (!l) throw new Error(`SINGD: unknown layer '${name}' (registered: ${[...this.layers.keys()].join(', ') || 'none'})`);
    return l;
  }

  layerOfParam(varName: string): KfacLayer | undefined {
    return this.byParam.get(varName);
  }

  get size(): number {
    return this.layers.size;
  }

  /** Records a forward pass (a is kept until the step); returns the entry the backward completes. */
  addInput(layer: string, a: tf.Tensor2D): StatEntry {
    const entry: StatEntry = { a: tf.keep(a), g: null };
    const list = this.pending.get(layer) ?? [];
    list.push(entry);
    this.pending.set(layer, list);
    return entry;
  }

  setGrad(entry: StatEntry, g: tf.Tensor2D): void {
    if (entry.g) {
      // The same forward output reached twice by the backward (it feeds two branches): the
      // output gradient is the sum, which the engine normally hands over in one piece.
      const sum = tf.keep(tf.add(entry.g, g) as tf.Tensor2D);
      entry.g.dispose();
      g.dispose();
      entry.g = sum;
    } else {
      entry.g = tf.keep(g);
    }
  }

  /** The complete entries of a layer (forward without backward is ignored, as in singd). */
  take(layer: string): StatEntry[] {
    return (this.pending.get(layer) ?? []).filter((e) => e.g !== null);
  }

  /** Drops everything captured (called after every step). */
  clear(): void {
    for (const list of this.pending.values()) for (const e of list) tf.dispose([e.a, ...(e.g ? [e.g] : [])]);
    this.pending.clear();
  }
}
