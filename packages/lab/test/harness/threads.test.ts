import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/*
 * 2-thread wasm training of every lab model against 1-thread training, each thread count in its
 * own process (one wasm build per process). A hang (the 2-thread failure mode seen before) fails
 * the test at the child's timeout instead of blocking CI, and the child must end by itself: it
 * never calls process.exit, so pthread workers that keep the event loop alive show as a timeout.
 */
const here = path.dirname(fileURLToPath(import.meta.url));
const childPath = path.join(here, 'fixtures', 'threadsTrainChild.ts');
const TIMEOUT_MS = 240_000;

interface ChildRun { code: number | null; signal: string | null; timedOut: boolean; lines: Array<Record<string, any>>; stderr: string }

function runChild(threads: number): Promise<ChildRun> {
  return new Promise((resolve) => {
    const proc = spawn(process.execPath, ['--import', 'tsx', childPath, String(threads)], { cwd: path.resolve(here, '../..'), stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let timedOut = false;
    proc.stdout.on('data', (d) => (out += d));
    proc.stderr.on('data', (d) => (err += d));
    const timer = setTimeout(() => {
      timedOut = true;
      proc.kill('SIGKILL');
    }, TIMEOUT_MS);
    proc.on('close', (code, signal) => {
      clearTimeout(timer);
      const lines = out.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, any>);
      resolve({ code, signal, timedOut, lines, stderr: err.slice(-2000) });
    });
  });
}

/** max |a − b| / max(|b|, 1e-3): float32 tolerance relative to the tensor's scale. */
function relDiff(a: number[], b: number[]): number {
  if (a.length !== b.length) return Infinity;
  let num = 0;
  let den = 1e-3;
  for (let i = 0; i < a.length; i++) {
    if (!Number.isFinite(a[i]) || !Number.isFinite(b[i])) return Infinity;
    num = Math.max(num, Math.abs(a[i] - b[i]));
    den = Math.max(den, Math.abs(b[i]));
  }
  return num / den;
}

const MODELS = ['lstm', 'gpt', 'vit', 'fmnist-cnn', 'fmnist-resnet'];

describe('wasm with 2 XNNPACK threads trains every lab model like 1 thread', () => {
  it('same losses and parameters after 3 fused-optimizer steps; the 2-thread process exits by itself', async () => {
    const [one, two] = await Promise.all([runChild(1), runChild(2)]);
    for (const [run, threads] of [[one, 1], [two, 2]] as const) {
      const finished = run.lines.map((l) => l.model).filter(Boolean);
      expect({ threads, timedOut: run.timedOut, finished }).toEqual({ threads, timedOut: false, finished: MODELS });
      expect(run.lines.find((l) => l.error)?.error, run.stderr).toBeUndefined();
      expect(run.code, run.stderr).toBe(0);
      expect(run.lines[0]).toEqual({ threads, warnings: [] });
      expect(run.lines.at(-1)).toEqual({ done: true, numTensors: 0 });
    }
    for (const model of MODELS) {
      const a = two.lines.find((l) => l.model === model)!;
      const b = one.lines.find((l) => l.model === model)!;
      expect(relDiff(a.losses, b.losses), `${model} losses ${a.losses} vs ${b.losses}`).toBeLessThan(1e-5);
      a.params.forEach((p: number[], i: number) => expect(relDiff(p, b.params[i]), `${model} param ${i}`).toBeLessThan(1e-4));
      a.state.forEach((p: number[], i: number) => expect(relDiff(p, b.state[i]), `${model} state ${i}`).toBeLessThan(1e-4));
    }
  }, 2 * TIMEOUT_MS + 30_000);
});
