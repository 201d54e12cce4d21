import * as tf from '@tensorflow/tfjs-core';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import '../../src/tfjsSetup.js';
import { useBackend } from 'rootfree';

/** wasm with rootfree's kernels; tfjs-layers training needs IS_TEST off (see test/core/helpers.ts). */
export async function harnessBackend(name: 'wasm' | 'cpu' = 'wasm'): Promise<void> {
  await useBackend(name);
  tf.env().set('IS_TEST', false);
  tf.env().set('PROD', true);
}

export function tmp(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `rootfree-${prefix}-`));
}
