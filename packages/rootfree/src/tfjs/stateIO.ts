import * as tf from '@tensorflow/tfjs-core';
import type { NamedTensor } from './gradients.js';
import { COUNT_SLOT, unitPrefix, type Unit } from './unit.js';

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

/**
 * Writes saved state (the list after `iter`) into the units' state variables. Units the list
 * does not mention get `count = iterations`. Disposes the list.
 */
export function importState<O>(units: Array<Unit<O>>, pending: NamedTensor[], iterations: number, owner: string): void {
  const seen = new Set<number>();
  try {
    for (const w of pending) {
      const u = Number(w.name.slice(0, w.name.indexOf('/')));
      const slot = w.name.slice(w.name.lastIndexOf('/') + 1);
      const unit = units[u];
      if (!Number.isInteger(u) || !unit) {
        throw new Error(`${owner}.setWeights: weight '${w.name}' refers to unit ${u}, but the model has ${units.length} parameter units`);
      }
      seen.add(u);
      if (slot === COUNT_SLOT) {
        unit.count = w.tensor.dataSync()[0];
        continue;
      }
      const v = unit.state?.[slot];
      if (!v) throw new Error(`${owner}.setWeights: weight '${w.name}' has no slot '${slot}' in this optimizer's state (options differ from the saved ones?)`);
      if (!tf.util.arraysEqual(v.shape, w.tensor.shape)) {
        throw new Error(`${owner}.setWeights: weight '${w.name}' has shape [${w.tensor.shape}] but the state slot for '${unit.info.map((i) => i.name).join('+')}' has shape [${v.shape}]`);
      }
      v.assign(w.tensor);
    }
    for (const [u, unit] of units.entries()) if (!seen.has(u)) unit.count = iterations;
  } finally {
    pending.forEach((w) => w.tensor.dispose());
  }
}
