import * as tf from '@tensorflow/tfjs-core';
import { availableParallelism, cpus, totalmem } from 'node:os';
import { arch, platform, release, type as osType } from 'node:os';
import { codeVersion, gitInfo, lockfileHash, packageVersion } from './code.js';

/** Everything needed to say what produced a result: code, dependencies, machine, backend. */
export interface ReproMeta {
  commit: string | null;
  dirty: boolean | null;
  versions: { 'rootfree-lab': string; rootfree: string; 'tfjs-core': string; 'tfjs-backend-wasm': string | null; node: string };
  lockfile: { path: string; sha256: string } | null;
  machine: { cpu: string; cores: number; memoryGB: number; os: string; arch: string };
  /** Backend actually active when the run trained, and its thread count. */
  backend: string;
  threads: number;
}

let staticCache: Omit<ReproMeta, 'backend' | 'threads'> | undefined;

/**
 * Metadata of this process. `threads`: the lab selects backends with rootfree's default of one
 * thread (wasm single-threaded; cpu is JavaScript).
 */
export function reproMeta(threads = 1): ReproMeta {
  if (!staticCache) {
    const code = codeVersion();
    const git = gitInfo();
    const cpu = cpus()[0]?.model?.trim() ?? 'unknown';
    staticCache = {
      commit: code.commit,
      dirty: git ? git.dirty : null,
      versions: { 'rootfree-lab': code['rootfree-lab'], rootfree: code.rootfree, 'tfjs-core': tf.version_core, 'tfjs-backend-wasm': packageVersion('@tensorflow/tfjs-backend-wasm'), node: process.version },
      lockfile: lockfileHash(),
      machine: { cpu, cores: availableParallelism(), memoryGB: Math.round((totalmem() / 2 ** 30) * 10) / 10, os: `${osType()} ${release()} (${platform()})`, arch: arch() },
    };
  }
  return { ...staticCache, backend: tf.getBackend() ?? 'none', threads };
}
