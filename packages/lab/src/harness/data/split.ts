import { Rng } from '../rng.js';
import { pixelStats, takeRows, type ImageData, type ImageSet } from './types.js';

/**
 * Carves a validation split from training data: a seeded shuffle (fixed seed, independent of the
 * run seed, so every optimizer and seed sees the same split), last `valSize` rows become val.
 */
export function carveValidation(train: ImageSet, valSize: number, seed = 20240205): { train: ImageSet; val: ImageSet } {
  if (valSize <= 0 || valSize >= train.n) throw new Error(`validation size ${valSize} must be in (0, ${train.n})`);
  const perm = new Rng(seed).permutation(train.n);
  const cut = train.n - valSize;
  return { train: takeRows(train, perm.subarray(0, cut)), val: takeRows(train, perm.subarray(cut)) };
}

/** Validation carved from `full` (fixed seed), normalisation statistics from the remaining train rows only. */
export function imageDataset(name: string, full: ImageSet, test: ImageSet, valSize: number, note: (train: ImageSet, val: ImageSet) => string): ImageData {
  const { train, val } = carveValidation(full, valSize);
  const { mean, std } = pixelStats(train);
  return { kind: 'image', name, numClasses: 10, train, val, test, mean, std, note: note(train, val) };
}
