import { loadFmnistPackage } from './fmnist.js';
import { loadIdxDir, loadMnist } from './mnist.js';
import { loadMobyDick } from './mobyDick.js';
import type { TaskData } from './types.js';

export type DatasetName = 'mnist' | 'fmnist' | 'moby';
export * from './types.js';
export { DataFileError } from './idx.js';

const cache = new Map<string, TaskData>();

/**
 * Loads a dataset (parsed arrays cached in memory for the process, never on disk).
 * `source`: undefined for the packaged data, or `idx:<dir>` for a directory of IDX files.
 */
export function loadDataset(name: DatasetName, source?: string): TaskData {
  const key = `${name}|${source ?? ''}`;
  const hit = cache.get(key);
  if (hit) return hit;
  let data: TaskData;
  if (source !== undefined) {
    if (!source.startsWith('idx:')) throw new Error(`--data: expected idx:<dir>, got '${source}'`);
    if (name === 'moby') throw new Error('--data idx:<dir> applies to image tasks only');
    data = loadIdxDir(source.slice(4), name === 'mnist' ? 'MNIST' : 'Fashion-MNIST');
  } else {
    data = name === 'mnist' ? loadMnist() : name === 'fmnist' ? loadFmnistPackage() : loadMobyDick();
  }
  cache.set(key, data);
  return data;
}
