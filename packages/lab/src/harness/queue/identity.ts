import { createHash, type Hash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadDataset, type DatasetName, type TaskData } from '../data/index.js';
import { packageDir } from '../data/packages.js';

/**
 * What a worker must share with the coordinator for its results to be the coordinator's: the
 * code that trains (both packages, as they run: sources from a checkout, compiled files from a
 * build or an install, plus the tfjs versions whose kernels compute the numbers) and the data.
 */
export interface Identity {
  /** `rootfree-lab@<version> <src|dist> <hash>` plus the tfjs versions. */
  code: string;
  /** SHA-256 (truncated) of the dataset's arrays as loaded: same hash, same examples in the same order. */
  data: string;
}

const TFJS = ['@tensorflow/tfjs-core', '@tensorflow/tfjs-backend-wasm', '@tensorflow/tfjs-backend-cpu', '@tensorflow/tfjs-layers'];

function walk(dir: string, keep: (f: string) => boolean, out: string[] = []): string[] {
  for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const p = join(dir, e.name);
    if (e.isDirectory()) walk(p, keep, out);
    else if (keep(e.name)) out.push(p);
  }
  return out;
}

function hashTree(h: Hash, root: string, mode: 'src' | 'dist'): void {
  const keep = mode === 'src' ? (f: string) => f.endsWith('.ts') && !f.endsWith('.d.ts') : (f: string) => f.endsWith('.js');
  for (const f of walk(root, keep)) {
    h.update(relative(root, f).split('\\').join('/') + '\0');
    h.update(readFileSync(f));
    h.update('\0');
  }
}

let code: string | undefined;

/** The identity of the running code (computed once per process). */
export function codeIdentity(): string {
  if (code) return code;
  // This file is <lab>/src/harness/queue/identity.ts from a checkout, <lab>/dist/harness/queue/identity.js when built.
  const labRoot = dirname(dirname(dirname(fileURLToPath(import.meta.url))));
  const mode = basename(labRoot) === 'src' ? 'src' : 'dist';
  const labPkg = JSON.parse(readFileSync(join(labRoot, '..', 'package.json'), 'utf8')) as { version: string };
  // From sources the library runs from its sources too (tsconfig paths / the vitest alias); built, from its dist.
  const libRoot = join(packageDir('rootfree'), mode);
  if (!existsSync(libRoot)) throw new Error(`cannot identify the code: ${libRoot} not found`);
  const h = createHash('sha256');
  hashTree(h, labRoot, mode);
  h.update('\0rootfree\0');
  hashTree(h, libRoot, mode);
  const tfjs = TFJS.map((p) => `${p.split('/')[1]}@${(JSON.parse(readFileSync(join(packageDir(p), 'package.json'), 'utf8')) as { version: string }).version}`);
  code = `rootfree-lab@${labPkg.version} ${mode} ${h.digest('hex').slice(0, 16)} (${tfjs.join(', ')})`;
  return code;
}

function hashData(d: TaskData): string {
  const h = createHash('sha256');
  const bytes = (a: ArrayBufferView) => h.update(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
  h.update(`${d.kind}\0`);
  if (d.kind === 'image') {
    h.update(`${d.numClasses}\0`);
    for (const s of [d.train, d.val, d.test]) {
      h.update(`${s.n} ${s.height} ${s.width} ${s.channels}\0`);
      bytes(s.images);
      bytes(s.labels);
    }
  } else {
    h.update(d.vocab.join('\0') + '\0');
    for (const s of [d.train, d.val, d.test]) {
      h.update(`${s.length}\0`);
      bytes(s);
    }
  }
  return h.digest('hex').slice(0, 16);
}

const dataHashes = new Map<string, string>();

/** The hash of a dataset as this machine loads it (`source` as given to `--data`). */
export function dataIdentity(name: DatasetName, source: string | undefined): string {
  const key = `${name}|${source ?? ''}`;
  let hash = dataHashes.get(key);
  if (!hash) {
    hash = hashData(loadDataset(name, source));
    dataHashes.set(key, hash);
  }
  return hash;
}

/** Why a worker with identity `mine` must not run a trial built for `theirs`, or null when it may. */
export function incompatibility(theirs: Identity, mine: Identity): string | null {
  const why: string[] = [];
  if (theirs.code !== mine.code) why.push(`code differs: coordinator ${theirs.code}, this worker ${mine.code}`);
  if (theirs.data !== mine.data) why.push(`data hash differs: coordinator ${theirs.data}, this worker ${mine.data}`);
  return why.length ? why.join('; ') : null;
}
