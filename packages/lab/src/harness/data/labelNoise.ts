import { Rng } from '../rng.js';
import type { ImageSet } from './types.js';

/**
 * A copy of `set` in which exactly round(fraction·n) rows carry a wrong label: a different class
 * drawn uniformly. The rows and labels come from one fixed stream (not the run's seed), so every
 * method and seed trains on the same noisy set and a comparison stays paired.
 */
export function withLabelNoise(set: ImageSet, fraction: number, numClasses: number): ImageSet {
  if (!(fraction >= 0 && fraction < 1)) throw new Error(`labelNoise: expected a fraction in [0, 1), got ${fraction}`);
  if (!Number.isInteger(numClasses) || numClasses < 2) throw new Error(`labelNoise: needs at least 2 classes, got ${numClasses}`);
  const k = Math.round(fraction * set.n);
  if (k === 0) return set;
  const rng = Rng.derive(0, 'label-noise', set.n);
  const rows = rng.permutation(set.n).subarray(0, k);
  const labels = set.labels.slice();
  for (const i of rows) labels[i] = (labels[i] + 1 + rng.int(numClasses - 1)) % numClasses;
  return { ...set, labels };
}
