import * as tf from '@tensorflow/tfjs-core';
import type { Precision } from '../../precision/index.js';
import { structureClass, type Structured, type StructureClass } from '../../structures/index.js';
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
    const classes = largeFactorPolicy(factorClasses(o, dims.length), dims, o, infos);
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

/**
 * Replaces the structure of every factor with d_a > maxFactorDim that stores more than
 * `largeFactorStructure` by that structure, warning once per unit (layouts are cached per
 * options object and unit).
 */
function largeFactorPolicy(classes: StructureClass[], dims: number[], o: IFShampooOptions, infos: readonly ParamInfo[]): StructureClass[] {
  const large = structureClass(o.largeFactorStructure);
  const changed: string[] = [];
  const out = classes.map((c, a) => {
    const d = dims[a];
    if (d <= o.maxFactorDim || c.storageBytes(d) <= large.storageBytes(d)) return c;
    changed.push(`axis ${a} (d = ${d}): '${c.kind}' -> '${large.kind}'`);
    return large;
  });
  if (changed.length) {
    console.warn(
      `rootfree IFShampoo: ${infos.map((i) => `'${i.name}'`).join(' + ')} [${dims}] has factors larger than maxFactorDim = ${o.maxFactorDim}: ${changed.join(', ')}. ` +
        'Raise maxFactorDim (memory and time grow with d²–d³) or set largeFactorStructure to choose another structure.',
    );
  }
  return out;
}

/**
 * Bytes of a unit's state and of the temporaries of one update step. The temporaries were
 * measured with `tf.profile` (cpu and wasm, dense and diagonal factors): 19–26× the gradient plus
 * the stored factors at d ≤ 1024, 32× on a 4096² weight's first step (a unit's step runs in one
 * `tf.tidy`); 36× leaves a margin.
 */
export function unitMemory(infos: readonly ParamInfo[], o: IFShampooOptions): { state: number; working: number } {
  const layout = layoutFor(infos, o);
  const n = layout.dims.reduce((a, b) => a * b, 1);
  const factors = layout.dims.reduce((s, d, a) => s + layout.classes[a].storageBytes(d), 0);
  const cached = layout.dims.reduce((s, d, a) => s + (layout.cacheP[a] ? 4 * d * d : 0), 0);
  const state = factors * (o.alpha2 > 0 ? 2 : 1) + cached + (o.alpha1 > 0 ? 4 * n : 0);
  return { state, working: 36 * (4 * n + factors + cached) };
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
