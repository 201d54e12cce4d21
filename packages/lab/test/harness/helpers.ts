import * as tf from '@tensorflow/tfjs-core';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import '../../src/tfjsSetup.js';
import { useBackend } from 'rootfree';
import type { CompareOptions } from '../../src/harness/compare/compare.js';
import type { TuneOptions } from '../../src/harness/tune/search.js';

/** wasm with rootfree's kernels; tfjs-layers training needs IS_TEST off (see test/core/helpers.ts). */
export async function harnessBackend(name: 'wasm' | 'cpu' = 'wasm'): Promise<void> {
  await useBackend(name);
  tf.env().set('IS_TEST', false);
  tf.env().set('PROD', true);
}

export function tmp(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `rootfree-${prefix}-`));
}

/** `compare` on mnist-mlp at the defaults (no tuned file), one job, no progress bar: a test states only what it varies. */
export function tinyCompare(out: string, o: Partial<CompareOptions> & Pick<CompareOptions, 'optimizers' | 'seeds' | 'budgetOverride'>): CompareOptions {
  return { task: 'mnist-mlp', budget: 'quick', precision: 'float32', out, backend: 'wasm', tunedFile: join(out, 'none.json'), jobs: 1, progress: false, log: () => {}, ...o };
}

/** `tune` of SGD on mnist-mlp, 2 one-epoch trials on 128 rows, tuning seed 1, one job. */
export function tinyTune(out: string, o: Partial<TuneOptions> = {}): TuneOptions {
  return {
    task: 'mnist-mlp',
    optimizer: 'sgd',
    trials: 2,
    stage2: false,
    budget: 'quick',
    budgetOverride: { epochs: 1, batchSize: 64, trainSubset: 128, valSubset: 64, testSubset: 64 },
    precision: 'float32',
    out,
    backend: 'wasm',
    tunedFile: join(out, 'tuned.json'),
    seed: 1,
    jobs: 1,
    log: () => {},
    ...o,
  };
}
