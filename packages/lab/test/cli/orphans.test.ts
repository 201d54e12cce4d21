/**
 * `compare --jobs 2` trains in child processes. When the parent dies without a chance to clean up
 * (SIGKILL, a crash, a killed script), its workers must stop too: orphaned workers kept training
 * for minutes, took the cores from the next runs and wrote into directories that had been removed.
 * Uses the built CLI (the child processes are forked from dist/).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const bin = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'bin', 'rootfree.js');
/** Child processes of `pid`, from /proc (no procps needed on a bare CI machine). */
const children = (pid: number): number[] =>
  readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .filter((d) => {
      try {
        // Field 4 of /proc/<pid>/stat is the parent pid; the command name (field 2) may hold spaces, so split after its ')'.
        return Number(readFileSync(`/proc/${d}/stat`, 'utf8').split(') ')[1].split(' ')[1]) === pid;
      } catch {
        return false;
      }
    })
    .map(Number);
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** `compare --jobs 2` on tiny mnist-mlp runs in a temp dir, with its output collected as it comes. */
function startCompare(dir: string, seeds: number, epochs: number) {
  writeFileSync(join(dir, 'none.json'), '{}');
  const args = [bin, 'compare', '--task', 'mnist-mlp', '--optimizers', 'sgd,adamw', '--seeds', String(seeds), '--epochs', String(epochs), '--train-subset', '256', '--val-subset', '64', '--test-subset', '64', '--jobs', '2', '--hparams', join(dir, 'none.json'), '--out', join(dir, 'out')];
  const parent = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const io = { parent, out: '', err: '', exited: new Promise<number | null>((r) => parent.on('exit', (code) => r(code))) };
  parent.stdout.on('data', (d: Buffer) => (io.out += d.toString()));
  parent.stderr.on('data', (d: Buffer) => (io.err += d.toString()));
  return io;
}

const waitFor = async (done: () => boolean, tries: number) => {
  for (let i = 0; i < tries && !done(); i++) await new Promise((r) => setTimeout(r, 100));
};

describe('compare workers', () => {
  it('exit when the parent is killed (SIGKILL), within an epoch', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rootfree-orphans-'));
    try {
      const c = startCompare(dir, 1, 20000);
      // Wait until both workers train (each has printed an epoch line).
      await waitFor(() => /sgd\/seed1 epoch \d+\/20000/.test(c.out) && /adamw\/seed1 epoch \d+\/20000/.test(c.out), 600);
      expect(c.out).toMatch(/adamw\/seed1 epoch \d+\/20000/);
      const workers = children(c.parent.pid!);
      expect(workers.length).toBe(2);
      c.parent.kill('SIGKILL');
      await waitFor(() => !workers.some(alive), 300);
      expect(workers.filter(alive)).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);

  it('a worker killed mid-run fails the compare, naming the run and the signal; queued runs are reported as not started', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rootfree-killed-'));
    try {
      const c = startCompare(dir, 2, 150);
      await waitFor(() => /sgd\/seed1 epoch \d+\/150/.test(c.out), 600);
      process.kill(children(c.parent.pid!)[0], 'SIGTERM');
      expect(await c.exited).not.toBe(0);
      expect(c.err).toMatch(/worker killed by SIGTERM during (sgd|adamw)\/seed1/);
      expect(c.err).toMatch(/seed2: not started/);
      expect(c.out).not.toMatch(/4 runs trained/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
