import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { runTune } from '../../src/harness/tune/search.js';
import { acquireLock, LOCK_FILE, LockError } from '../../src/util/lock.js';
import { harnessBackend, tinyTune, tmp } from './helpers.js';

/** The pid of a process that has exited (a stale lock's owner). */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(r.stdout);
}

/** The built CLI (`npm ci` builds it via prepare), as two real processes. */
const bin = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'bin', 'rootfree.js');

function cli(args: string[]): { child: ReturnType<typeof spawn>; done: Promise<{ code: number | null; stderr: string }> } {
  const child = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return { child, done: new Promise((res) => child.on('exit', (code) => res({ code, stderr }))) };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('lock on --out', () => {
  beforeAll(() => harnessBackend('wasm'));

  it('records pid, host, start time and command; a second taker gets an error naming the holder; release frees it', () => {
    const dir = tmp('lock');
    const release = acquireLock(dir, 'rootfree compare --task x');
    const info = JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8')) as Record<string, unknown>;
    expect(info).toEqual({ pid: process.pid, host: hostname(), started: expect.stringMatching(/^\d{4}-\d\d-\d\dT/), command: 'rootfree compare --task x' });
    expect(() => acquireLock(dir, 'other')).toThrow(LockError);
    expect(() => acquireLock(dir, 'other')).toThrow(new RegExp(`${dir} is in use by pid ${process.pid} on host ${hostname()} since .* \\(rootfree compare --task x\\)`));
    release();
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
    acquireLock(dir, 'again')();
  });

  it('a lock left by a dead process on this host is stale and replaced; one from another host is not', () => {
    const dir = tmp('lock-stale');
    const pid = deadPid();
    writeFileSync(join(dir, LOCK_FILE), JSON.stringify({ pid, host: hostname(), started: '2020-01-01T00:00:00.000Z', command: 'rootfree tune' }));
    const told: string[] = [];
    const release = acquireLock(dir, 'new', (s) => told.push(s));
    expect(told).toEqual([expect.stringContaining(`removed a stale lock ${join(dir, LOCK_FILE)} (pid ${pid} on ${hostname()}`)]);
    expect((JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8')) as { pid: number }).pid).toBe(process.pid);
    release();
    writeFileSync(join(dir, LOCK_FILE), JSON.stringify({ pid, host: 'elsewhere', started: '2020-01-01T00:00:00.000Z', command: 'rootfree tune' }));
    expect(() => acquireLock(dir, 'new')).toThrow(/in use by pid \d+ on host elsewhere .*another host, so its pid cannot be checked here\), delete /s);
  });

  it('two `rootfree tune` processes on one --out: the second exits with the lock error, the first writes one line per trial', async () => {
    const out = tmp('tune-2proc');
    // Enough trials that the first process cannot finish between the lock check and SIGSTOP.
    const trials = 12;
    const args = ['tune', '--task', 'mnist-mlp', '--optimizer', 'sgd', '--trials', String(trials), '--epochs', '1', '--train-subset', '128', '--val-subset', '64', '--test-subset', '64', '--jobs', '1', '--out', out, '--hparams', join(out, 'tuned.json')];
    const first = cli(args);
    for (let i = 0; i < 600 && !existsSync(join(out, LOCK_FILE)); i++) await sleep(50);
    expect(existsSync(join(out, LOCK_FILE))).toBe(true);
    // Paused while holding the lock, so the second process surely meets it (no race on timing).
    first.child.kill('SIGSTOP');
    expect(existsSync(join(out, LOCK_FILE))).toBe(true);
    const second = await cli(args).done.finally(() => first.child.kill('SIGCONT'));
    expect(second.code).toBe(1);
    expect(second.stderr).toMatch(new RegExp(`${out} is in use by pid \\d+ on host ${hostname()} since .*rootfree tune --task mnist-mlp --optimizer sgd`));
    expect((await first.done).code).toBe(0);
    expect(readFileSync(join(out, 'stage1.jsonl'), 'utf8').trim().split('\n').length).toBe(trials);
    expect(existsSync(join(out, LOCK_FILE))).toBe(false);
  }, 180_000);

  it('two tune runs on one --out at once: the second stops with the lock error, the first writes one line per trial', async () => {
    const out = tmp('tune-lock');
    const opts = tinyTune(out);
    const first = runTune(opts);
    const second = runTune(opts);
    await expect(second).rejects.toThrow(/is in use by pid/);
    await first;
    expect(readFileSync(join(out, 'stage1.jsonl'), 'utf8').trim().split('\n').length).toBe(2);
    expect(existsSync(join(out, LOCK_FILE))).toBe(false);
  });
});
