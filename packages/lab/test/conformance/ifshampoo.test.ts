import { basename, dirname } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from 'rootfree';
import { goldenFiles, loadGolden } from '../../src/conformance/golden.js';
import { runCase } from '../../src/conformance/runner.js';
import { structureClass } from 'rootfree/internal';
import '../../src/tfjsSetup.js';
import { vectorsDir } from './vectors.js';

/** Top level only (allGoldens.test.ts replays v2/ too). */
const files = goldenFiles(vectorsDir()).filter((f) => dirname(f) === vectorsDir() && basename(f).startsWith('sirfshampoo_'));

function structuresOf(file: string): string[] {
  const s = loadGolden(file).hyperparameters.structures;
  return typeof s === 'string' ? [s] : Object.values(s as Record<string, string | string[]>).flat();
}
const registered = (name: string) => {
  try {
    structureClass(name);
    return true;
  } catch {
    return false;
  }
};
const ready = files.filter((f) => structuresOf(f).every(registered));
const missing = files.filter((f) => !ready.includes(f)).map((f) => basename(f, '.json'));

describe('SIRFShampoo golden vectors', () => {
  it('finds all 8 cases', () => {
    expect(files.length).toBe(8);
    if (missing.length) console.warn(`ifshampoo goldens waiting for their structure: ${missing.join(', ')}`);
  });
});

describe.each(['wasm', 'cpu'] as const)('SIRFShampoo conformance on %s', (backend) => {
  beforeAll(async () => {
    await useBackend(backend);
  });

  it.each(ready.map((f) => [basename(f, '.json'), f]))('%s PASSes', (_id, file) => {
    const c = loadGolden(file);
    const r = runCase(c);
    expect(r.line).toMatch(/^PASS /);
    if (c.dtype === 'float64') expect(r.maxAbsErr).toBeLessThan(2e-5);
  });
});
