import * as tf from '@tensorflow/tfjs-core';
import type { Method } from '../optim/types.js';
import type { Unit } from './unit.js';

/** The wasm backend's heap is a wasm32 memory: 4 GiB at most, and allocating past it aborts the process. */
export const WASM_HEAP_BYTES = 2 ** 32;

const gib = (b: number): string => `${(b / 2 ** 30).toFixed(2)} GiB`;

/**
 * Refuses, before anything is allocated, a model whose optimizer state plus the largest unit's
 * step temporaries cannot fit: into `limit` bytes when given, else on wasm into the 4 GiB heap
 * minus what tfjs already holds (elsewhere there is no known limit). Uses the method's
 * `memoryEstimate`; methods without one are not checked.
 */
export function checkMemory<O>(method: Method<O>, units: Array<Unit<O>>, limit: number | undefined, owner: string): void {
  if (!method.memoryEstimate || units.length === 0) return;
  let state = 0;
  let working = 0;
  let worst = units[0];
  let worstBytes = -1;
  for (const u of units) {
    const e = method.memoryEstimate(u.info, u.options);
    state += e.state;
    working = Math.max(working, e.working);
    if (e.state + e.working > worstBytes) {
      worstBytes = e.state + e.working;
      worst = u;
    }
  }
  const inUse = tf.memory().numBytes;
  const available = limit ?? (tf.getBackend() === 'wasm' ? WASM_HEAP_BYTES - inUse : Infinity);
  const need = state + working;
  if (need <= available) return;
  const what = limit === undefined ? `the wasm heap's ${gib(WASM_HEAP_BYTES)} minus ${gib(inUse)} in use` : `maxMemoryBytes = ${limit}`;
  throw new RangeError(
    `${owner}: the optimizer state needs an estimated ${gib(state)} plus ${gib(working)} of step temporaries, more than the ${gib(available)} available (${what}); ` +
      `the largest unit is ${worst.info.map((i) => `'${i.name}' [${i.shape}]`).join(' + ')} (${gib(worstBytes)}). Nothing was allocated. ` +
      'Use cheaper factor structures for large dimensions (IFShampoo: maxFactorDim, largeFactorStructure), or raise maxMemoryBytes if the estimate is too cautious for your backend',
  );
}
