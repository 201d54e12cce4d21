import { spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const child = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'threadsChild.ts');

function spawnChild(scenario: string, env: NodeJS.ProcessEnv = process.env) {
  return spawnSync(process.execPath, ['--import', 'tsx', child, scenario], {
    encoding: 'utf8',
    timeout: 100_000,
    env,
    cwd: path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..'),
  });
}

function runChild(scenario: string, env?: NodeJS.ProcessEnv): Record<string, any> {
  const res = spawnChild(scenario, env);
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

  it('reads and writes tensors in place after the heap grows (SharedArrayBuffer heap)', () => {
    const r = runChild('growth');
    expect(r.error).toBeUndefined();
    expect(r.threads).toBe(2);
    expect(r.grew).toBe(true);
    expect([r.before, r.after]).toEqual([-1, -1]);
    const ramp = Array.from({ length: 16 }, (_, i) => i);
    expect(r.written).toEqual(ramp);
    expect(r.read).toEqual(ramp);
  });

  it('a process that used 2 threads exits by itself when its work is done', () => {
    // The child does not call process.exit; spawnSync's timeout kills it (signal set) if it hangs.
    const res = spawnChild('exits-by-itself');
    expect({ signal: res.signal, status: res.status }).toEqual({ signal: null, status: 0 });
    const r = JSON.parse(res.stdout.trim().split('\n').filter((l) => l.startsWith('{')).pop()!);
    expect(r.threads).toBe(2);
  });

  it.each(['unhandled-1', 'unhandled-2'])('%s: an unhandled error exits with code 1 and its own message (no wasm-module listeners)', (scenario) => {
    const res = spawnChild(scenario);
    expect(res.signal).toBeNull();
    expect(res.status).toBe(1);
    expect(res.stderr).toMatch(/deliberately unhandled/);
    expect(res.stderr).not.toMatch(/WasmBackendModule/);
  });

  describe('the default thread count in Node', () => {
    // vitest.config.ts sets ROOTFREE_WASM_THREADS=1 for the suite; these children choose their own.
    const { ROOTFREE_WASM_THREADS: _ignored, ...clean } = process.env;
    const cores = availableParallelism();

    it('is min(2, cores) without ROOTFREE_WASM_THREADS, quietly', () => {
      const r = runChild('default', clean);
      expect(r.error).toBeUndefined();
      expect(r.threads).toBe(Math.min(2, cores));
      expect(r.warnings).toEqual([]);
    });

    it('follows ROOTFREE_WASM_THREADS', () => {
      expect(runChild('default', { ...clean, ROOTFREE_WASM_THREADS: '1' }).threads).toBe(1);
    });

    it('rejects a malformed ROOTFREE_WASM_THREADS, naming it', () => {
      const r = runChild('default', { ...clean, ROOTFREE_WASM_THREADS: 'two' });
      expect(r.error).toMatch(/ROOTFREE_WASM_THREADS: expected a positive integer, got "two"/);
    });
  });
});
