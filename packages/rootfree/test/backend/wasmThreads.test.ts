import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const child = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'threadsChild.ts');

function runChild(scenario: string): Record<string, any> {
  const res = spawnSync(process.execPath, ['--import', 'tsx', child, scenario], {
    encoding: 'utf8',
    timeout: 100_000,
    cwd: path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..'),
  });
  const line = res.stdout.trim().split('\n').filter((l) => l.startsWith('{')).pop();
  if (!line) throw new Error(`child '${scenario}' printed no result (status ${res.status}): ${res.stderr}`);
  return JSON.parse(line);
}

const expectedDW = Array(9).fill(32); // all-ones x and dy: 2 images × 4×4 output positions

describe('useBackend("wasm", {threads: 2}) in Node (threaded-SIMD build through the shim)', () => {
  it('starts 2 XNNPACK threads, computes correctly and removes its temp files', () => {
    const r = runChild('threads');
    expect(r.error).toBeUndefined();
    expect(r.backend).toBe('wasm');
    expect(r.threads).toBe(2);
    expect(r.matmulRelErr).toBeLessThan(1e-5);
    expect(r.dW).toEqual(expectedDW);
    expect(r.warnings).toEqual([]);
    expect(r.leftoverTempDirs).toEqual([]);
  });

  it('warns and continues with 1 thread when wasm was already initialised', () => {
    const r = runChild('already-initialised');
    expect(r.error).toBeUndefined();
    expect(r.threads).toBe(1);
    expect(r.warnings.join(' ')).toMatch(/already initialised/);
    expect(r.dW).toEqual(expectedDW);
  });

  it('falls back to 1 thread with a warning when a pthread worker fails', () => {
    const r = runChild('worker-fault');
    expect(r.error).toBeUndefined();
    expect(r.threads).toBe(1);
    expect(r.warnings.join(' ')).toMatch(/could not start 2 wasm threads/);
    expect(r.matmulRelErr).toBeLessThan(1e-5);
    expect(r.leftoverTempDirs).toEqual([]);
  });

  it('falls back to 1 thread with a warning when the shim cannot be set up', () => {
    const r = runChild('setup-fault');
    expect(r.error).toBeUndefined();
    expect(r.threads).toBe(1);
    expect(r.warnings.join(' ')).toMatch(/injected setup fault/);
    expect(r.leftoverTempDirs).toEqual([]);
  });
});
