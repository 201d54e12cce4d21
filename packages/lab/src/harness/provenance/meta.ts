import * as tf from '@tensorflow/tfjs-core';
import { availableParallelism, cpus, totalmem } from 'node:os';
import { arch, platform, release, type as osType } from 'node:os';
import { codeVersion, gitInfo, lockfileHash, packageVersion } from './code.js';

/** Everything needed to say what produced a result: code, dependencies, machine, backend. */
export interface ReproMeta {
  /** Commit of the rootfree checkout the lab runs from (null for an install or a copied build). */
  commit: string | null;
  /** Hash of the compiled code that ran (CodeVersion.build); null when run from sources. */
  build: string | null;
  dirty: boolean | null;
  versions: { 'rootfree-lab': string; rootfree: string; 'tfjs-core': string; 'tfjs-backend-wasm': string | null; node: string };
  lockfile: { path: string; sha256: string } | null;
  machine: { cpu: string; cores: number; memoryGB: number; os: string; arch: string };
  /** Backend actually active when the run trained, and its thread count. */
  backend: string;
  threads: number;
}

let staticCache: Omit<ReproMeta, 'backend' | 'threads'> | undefined;

/** wasm threads this process's backend was set up with (tfjs cannot be asked); 1 until told. */
let backendThreads = 1;

/** Called next to `useBackend(name, { threads })`, so the metadata can say how the run computed. */
export function noteBackendThreads(threads: number): void {
  backendThreads = threads;
}

/** Metadata of this process (`threads`: as noted by {@link noteBackendThreads}, 1 for cpu). */
export function reproMeta(threads = backendThreads): ReproMeta {
  if (!staticCache) {
    const code = codeVersion();
    const git = gitInfo();
    const cpu = cpus()[0]?.model?.trim() ?? 'unknown';
    staticCache = {
      commit: git ? git.commit : null,
      build: code.build,
      dirty: git ? git.dirty : null,
      versions: { 'rootfree-lab': code['rootfree-lab'], rootfree: code.rootfree, 'tfjs-core': tf.version_core, 'tfjs-backend-wasm': packageVersion('@tensorflow/tfjs-backend-wasm'), node: process.version },
      lockfile: lockfileHash(),
      machine: { cpu, cores: availableParallelism(), memoryGB: Math.round((totalmem() / 2 ** 30) * 10) / 10, os: `${osType()} ${release()} (${platform()})`, arch: arch() },
    };
  }
  const backend = tf.getBackend() ?? 'none';
  return { ...staticCache, backend, threads: backend === 'wasm' ? threads : 1 };
}
