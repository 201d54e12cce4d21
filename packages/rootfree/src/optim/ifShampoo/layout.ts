import * as tf from '@tensorflow/tfjs-core';
import type { Precision } from '../../precision/index.js';
import type { Structured, StructureClass } from '../../structures/index.js';
import type { ParamInfo, State } from '../types.js';
import { ruleForUnit, squeezeShape, type CombineRule } from './combine.js';
import { factorClasses, factorPrecisions, unitBeta2, type IFShampooOptions } from './options.js';
import { mayskipUpdates } from './schedule.js';

/** Everything about a unit that depends only on its parameters' names/shapes and the options. */
export interface UnitLayout {
  rule: CombineRule;
  /** Shape of the rule's combined tensor (before squeezing). */
  groupedShape: number[];
  /** Squeezed dims d_1..d_N: one Kronecker factor per entry. */
  dims: number[];
  classes: StructureClass[];
  precisions: Precision[];
  /** β2 after the optional name discount. */
  beta2: number;
  /**
   * Per axis: keep P_a = K̃_aK̃_aᵀ as state, recomputed only on update steps (dense factors when
   * some steps skip the update; [RS] does the same).
   */
  cacheP: boolean[];
}

const cache = new WeakMap<IFShampooOptions, Map<string, UnitLayout>>();

export function layoutFor(infos: readonly ParamInfo[], o: IFShampooOptions): UnitLayout {
  let byKey = cache.get(o);
  if (!byKey) cache.set(o, (byKey = new Map()));
  const key = infos.map((i) => `${i.name}:${i.shape.join('x')}`).join('|');
  let layout = byKey.get(key);
  if (!layout) {
    const rule = ruleForUnit(infos, o.combineParams);
    const groupedShape = rule.shape(infos);
    const dims = squeezeShape(groupedShape);
    const classes = factorClasses(o, dims.length);
    const skips = mayskipUpdates(o);
    layout = {
      rule,
      groupedShape,
      dims,
      classes,
      precisions: factorPrecisions(o, dims.length),
      beta2: unitBeta2(o, infos.map((i) => i.name)),
      cacheP: classes.map((c) => skips && c.kind === 'dense'),
    };
    byKey.set(key, layout);
  }
  return layout;
}

const slot = (prefix: string, a: number, name: string) => `${prefix}${a}_${name}`;

/** Rebuilds the structured factors stored under `<prefix><axis>_<tensor name>`. */
export function readFactors(state: State, prefix: string, layout: UnitLayout): Structured[] {
  return layout.dims.map((d, a) => {
    const head = `${prefix}${a}_`;
    const tensors: Record<string, tf.Tensor> = {};
    for (const [k, t] of Object.entries(state)) if (k.startsWith(head)) tensors[k.slice(head.length)] = t;
    return layout.classes[a].fromTensors(d, tensors, layout.precisions[a]);
  });
}

/** Writes factors as state slots; `copy` clones tensors that also live in the input state. */
export function writeFactors(out: State, prefix: string, factors: Structured[], copy = false): void {
  factors.forEach((f, a) => {
    for (const [name, t] of Object.entries(f.tensors())) out[slot(prefix, a, name)] = copy ? tf.clone(t) : t;
  });
}
