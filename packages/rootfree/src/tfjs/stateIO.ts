import * as tf from '@tensorflow/tfjs-core';
import type { NamedTensor } from './gradients.js';
import type { Method } from '../optim/types.js';
import { COUNT_SLOT, createState, dropState, unitPrefix, type Unit } from './unit.js';

/** A `setWeights` list that does not fit (malformed, or saved for other variables or options). */
export class StateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StateError';
  }
}

/**
 * The state as `getWeights` lists it after `iter`: each unit's slots, then its step count.
 * `own` takes the scalars the caller must dispose later.
 */
export function exportState<O>(units: Array<Unit<O>>, own: (t: tf.Tensor) => tf.Tensor): NamedTensor[] {
  const out: NamedTensor[] = [];
  for (const [u, unit] of units.entries()) {
    const prefix = unitPrefix(u, unit);
    for (const [slot, v] of Object.entries(unit.state ?? {})) out.push({ name: `${prefix}/${slot}`, tensor: v });
    out.push({ name: `${prefix}/${COUNT_SLOT}`, tensor: own(tf.scalar(unit.count)) });
  }
  return out;
}

/** One unit of a saved list: its step count and its state slots (tensors owned by the caller). */
export interface SavedUnit {
  /** `<unit>/<parameter names>` as saved. */
  prefix: string;
  count: number;
  slots: Map<string, NamedTensor>;
}

/** A saved list checked on its own (before it meets any variables). */
export interface SavedState {
  iterations: number;
  units: SavedUnit[];
}

const NAME = /^(\d+)\/(.+)\/([^/]+)$/;

/**
 * Checks a `getWeights` list without reference to variables: `iter` first (an integer >= 0),
 * every other entry `<unit>/<params>/<slot>` with units numbered 0, 1, … in order, one `count`
 * per unit (an integer in [0, iter]), no duplicates, float32 slots with finite values. A list of
 * `iter` alone is a fresh optimizer's state and only valid with iter = 0.
 */
export function parseSaved(list: unknown, owner: string): SavedState {
  const where = `${owner}.setWeights`;
  if (!Array.isArray(list) || list.length === 0) throw new StateError(`${where}: expected the list from getWeights() starting with 'iter', got ${describe(list)}`);
  list.forEach((w, i) => {
    if (!w || typeof w !== 'object' || typeof w.name !== 'string' || !(w.tensor instanceof tf.Tensor)) {
      throw new StateError(`${where}: entry ${i} is not { name: string, tensor: tf.Tensor }`);
    }
  });
  const weights = list as NamedTensor[];
  if (weights[0].name !== 'iter') throw new StateError(`${where}: expected the list from getWeights() starting with 'iter', got '${weights[0].name}' first`);
  const iterations = scalarInt(weights[0], `${where}: 'iter'`, Infinity);
  const units: SavedUnit[] = [];
  const names: string[] = [];
  for (const w of weights.slice(1)) {
    const m = NAME.exec(w.name);
    if (!m) throw new StateError(`${where}: weight '${w.name}' is not named '<unit>/<parameters>/<slot>' as getWeights() names state`);
    const u = Number(m[1]);
    if (u === units.length - 1 && names[u] !== m[2]) throw new StateError(`${where}: weight '${w.name}' names other parameters than unit ${u}'s earlier weights ('${names[u]}')`);
    if (u === units.length) {
      units.push({ prefix: `${u}/${m[2]}`, count: -1, slots: new Map() });
      names.push(m[2]);
    } else if (u !== units.length - 1) {
      throw new StateError(`${where}: weight '${w.name}' is out of order (units must be listed 0, 1, 2, … each once, as getWeights() lists them)`);
    }
    const unit = units[u];
    const slot = m[3];
    if (unit.count >= 0) throw new StateError(`${where}: weight '${w.name}' follows unit ${u}'s '${COUNT_SLOT}', which ends the unit`);
    if (slot === COUNT_SLOT) {
      unit.count = scalarInt(w, `${where}: '${w.name}'`, iterations);
      continue;
    }
    if (unit.slots.has(slot)) throw new StateError(`${where}: weight '${w.name}' appears twice`);
    if (w.tensor.dtype !== 'float32') throw new StateError(`${where}: weight '${w.name}' has dtype ${w.tensor.dtype}; state is float32`);
    const bad = firstNonFiniteValue(w.tensor.dataSync() as Float32Array);
    if (bad >= 0) throw new StateError(`${where}: weight '${w.name}' holds a non-finite value (entry ${bad}); refusing to load diverged state`);
    unit.slots.set(slot, w);
  }
  units.forEach((unit, u) => {
    if (unit.count < 0) throw new StateError(`${where}: unit ${u} ('${names[u]}') has no '${COUNT_SLOT}' entry: the list is truncated or not from getWeights()`);
    if (unit.slots.size === 0 && unit.count !== 0) throw new StateError(`${where}: unit ${u} ('${names[u]}') was updated ${unit.count} times but the list holds none of its state slots`);
  });
  if (units.length === 0 && iterations !== 0) {
    throw new StateError(`${where}: the list holds only 'iter' (= ${iterations}) but no per-parameter state; a trained optimizer's getWeights() lists every parameter's state`);
  }
  return { iterations, units };
}

/**
 * Checks saved state against the units it is to be loaded into (every unit's state already
 * created): same number of units, and per unit exactly the unit's slots with its shapes and
 * dtypes. A unit saved before its first update (count 0, no slots) fits any unit. Throws before
 * anything is written.
 */
export function checkFits<O>(units: Array<Unit<O>>, saved: SavedState, owner: string): void {
  const where = `${owner}.setWeights`;
  if (saved.units.length === 0) return;
  const params = (u: Unit<O>) => u.info.map((i) => `${i.name} [${i.shape}]`).join(' + ');
  if (saved.units.length !== units.length) {
    throw new StateError(
      `${where}: the saved state has ${saved.units.length} parameter units but this model has ${units.length} (${units.map(params).join('; ')}): ` +
        'state saved for another architecture (or other combineParams) cannot be loaded',
    );
  }
  saved.units.forEach((s, u) => {
    if (s.slots.size === 0) return;
    const unit = units[u];
    const have = Object.keys(unit.state!);
    const extra = [...s.slots.keys()].filter((k) => !have.includes(k));
    const missing = have.filter((k) => !s.slots.has(k));
    if (extra.length || missing.length) {
      throw new StateError(
        `${where}: unit ${u} (${params(unit)}): the saved slots [${[...s.slots.keys()].join(', ')}] differ from this optimizer's [${have.join(', ')}]` +
          ' (saved with other options, another method or for another architecture)',
      );
    }
    for (const [slot, w] of s.slots) {
      const v = unit.state![slot];
      if (!tf.util.arraysEqual(v.shape, w.tensor.shape)) {
        throw new StateError(`${where}: weight '${w.name}' has shape [${w.tensor.shape}] but the state slot '${slot}' of unit ${u} (${params(unit)}) has shape [${v.shape}]`);
      }
    }
  });
}

/** Clones every tensor of a saved state (so the caller's list may be disposed). */
export function cloneSaved(saved: SavedState): SavedState {
  return {
    iterations: saved.iterations,
    units: saved.units.map((u) => ({ prefix: u.prefix, count: u.count, slots: new Map([...u.slots].map(([k, w]) => [k, { name: w.name, tensor: w.tensor.clone() }])) })),
  };
}

export function disposeSaved(saved: SavedState | null): void {
  saved?.units.forEach((u) => u.slots.forEach((w) => w.tensor.dispose()));
}

/** The saved state as a `getWeights` list after `iter` (for re-saving before the first step). */
export function savedList(saved: SavedState, own: (t: tf.Tensor) => tf.Tensor): NamedTensor[] {
  const out: NamedTensor[] = [];
  saved.units.forEach((u) => {
    out.push(...u.slots.values());
    out.push({ name: `${u.prefix}/${COUNT_SLOT}`, tensor: own(tf.scalar(u.count)) });
  });
  return out;
}

function scalarInt(w: NamedTensor, what: string, max: number): number {
  if (w.tensor.size !== 1) throw new StateError(`${what} must be a scalar, got shape [${w.tensor.shape}]`);
  const v = w.tensor.dataSync()[0];
  if (!Number.isInteger(v) || v < 0 || v > max) {
    throw new StateError(`${what} must be an integer in [0, ${max === Infinity ? '∞' : max}]${max === Infinity ? '' : " (no unit can have more updates than 'iter')"}, got ${v}`);
  }
  return v;
}

function firstNonFiniteValue(a: Float32Array): number {
  for (let i = 0; i < a.length; i++) if (!Number.isFinite(a[i])) return i;
  return -1;
}

function describe(x: unknown): string {
  if (Array.isArray(x)) return 'an empty list';
  return x === null ? 'null' : typeof x;
}

/**
 * Loads checked saved state into bound units, all or nothing: state is created where a unit has
 * none yet (to check shapes against), the list is checked, and only then written. Units saved
 * before their first update (and every unit, for a fresh optimizer's `iter`-only list) go back
 * to fresh state.
 */
export function loadInto<O>(units: Array<Unit<O>>, saved: SavedState, method: Method<O>, statePrefix: string, owner: string): void {
  const created = units.filter((u) => u.state === null);
  const ctx = { step: saved.iterations, unitStep: 0, lr: 0, batchSize: 1 };
  try {
    created.forEach((u) => createState(u, method, ctx, statePrefix));
    checkFits(units, saved, owner);
  } catch (e) {
    created.forEach((u) => dropState(u));
    throw e;
  }
  units.forEach((unit, u) => {
    const s = saved.units[u];
    if (!s || s.slots.size === 0) {
      dropState(unit);
      unit.count = 0;
      return;
    }
    unit.count = s.count;
    for (const [slot, w] of s.slots) unit.state![slot].assign(w.tensor);
  });
}
