/**
 * The built CLI (what `npx rootfree` runs: packages/lab/bin → dist) replays a golden file. Node
 * loads dist/ without vitest's resolver, so this catches imports that only work from source.
 * Needs the build that `npm ci` (prepare) makes.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { vectorsDir } from '../conformance/vectors.js';

const bin = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'bin', 'rootfree.js');

describe('built CLI', () => {
  it('replays a golden file from dist/ and prints PASS', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rootfree-bin-'));
    try {
      copyFileSync(join(vectorsDir(), 'torch_adamw.json'), join(dir, 'torch_adamw.json'));
      const out = execFileSync(process.execPath, [bin, 'conformance', dir, '--backend', 'cpu'], { encoding: 'utf8', timeout: 120_000 });
      expect(out).toMatch(/^PASS torch_adamw /m);
      expect(out).toMatch(/1 passed, 0 failed/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
