import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { SEARCH_SPACE, hparamsFor, loadTuned } from '../../src/harness/hparams.js';
import { getTask } from '../../src/harness/tasks.js';
import { narrowRanges, runTune, sampleHp, TUNE_SEED_OFFSET, type Trial } from '../../src/harness/tune/search.js';
import { edgeWarnings, extendRanges } from '../../src/harness/tune/edges.js';
import type { RunResult } from '../../src/harness/train/run.js';
import { harnessBackend, tmp } from './helpers.js';

describe('tune', () => {
  beforeAll(() => harnessBackend('wasm'));

  it('samples log-uniformly inside the ranges, reproducibly per (seed, stage, trial)', () => {
    const base = hparamsFor('mnist-mlp', 'rfrmsprop').hp;
    const space = SEARCH_SPACE.rfrmsprop;
    const a = sampleHp(base, space, 1, 1, 5);
    expect(sampleHp(base, space, 1, 1, 5)).toEqual(a);
    expect(sampleHp(base, space, 1, 1, 6)).not.toEqual(a);
    for (let i = 0; i < 200; i++) {
      const h = sampleHp(base, space, 2, 1, i);
      for (const [k, [lo, hi]] of Object.entries(space)) {
        expect(h[k as 'lr']).toBeGreaterThanOrEqual(lo);
        expect(h[k as 'lr']).toBeLessThanOrEqual(hi);
      }
      expect(h.damping!).toBeLessThanOrEqual(5e-4); // small damping only (SPEC §7.3)
    }
  });

  it('stage-2 ranges hug the best stage-1 trials', () => {
    const task = getTask('mnist-mlp');
    const mk = (lr: number, val: number): Trial => ({ stage: 1, trial: 0, hp: { lr, momentum: 0.9, weightDecay: 1e-4 }, val, valLoss: 0, diverged: false, trainSeconds: 0 });
    const r = narrowRanges(task, [mk(0.01, 0.9), mk(0.02, 0.95), mk(0.03, 0.93), mk(0.3, 0.2), { ...mk(0.4, NaN), diverged: true }], { lr: [1e-3, 0.5] });
    expect(r.lr![0]).toBeCloseTo(0.01 / 1.5);
    expect(r.lr![1]).toBeCloseTo(0.03 * 1.5);
  });

  it('records every trial, resumes, selects on validation and writes the tuned file', async () => {
    const out = tmp('tune');
    const tunedFile = join(out, 'tuned.json');
    const opts = {
      task: 'mnist-mlp',
      optimizer: 'sgd',
      trials: 3,
      stage2: false,
      budget: 'quick' as const,
      budgetOverride: { epochs: 1, batchSize: 64, trainSubset: 256, valSubset: 128, testSubset: 64 },
      precision: 'float32' as const,
      out,
      backend: 'wasm' as const,
      tunedFile,
      seed: 1,
      jobs: 1,
      log: () => {},
    };
    const r1 = await runTune(opts);
    const lines = readFileSync(join(out, 'stage1.jsonl'), 'utf8').trim().split('\n');
    expect(lines.length).toBe(3);
    const best = Math.max(...r1.trials.map((t) => t.val));
    expect(r1.best.val).toBe(best);
    const tuned = loadTuned(tunedFile);
    expect(tuned['mnist-mlp'].sgd.hp).toEqual(r1.best.hp);
    expect(hparamsFor('mnist-mlp', 'sgd', tuned).source).toMatch(/^tuned: random search, 3 trials \(1 stage\), quick budget with epochs=1, batchSize=64, trainSubset=256, valSubset=128, testSubset=64, tuning seed 1 \(trials trained with seed 10001\), best val acc/);
    // Trials train on a seed disjoint from compare's final seeds 1..n.
    const trialDir = join(out, 'stage1', 'trial0');
    const trialRun = JSON.parse(readFileSync(join(trialDir, readdirSync(trialDir)[0], 'result.json'), 'utf8')) as RunResult;
    expect(trialRun.seed).toBe(TUNE_SEED_OFFSET + 1);
    expect(trialRun.seed).toBeGreaterThan(1000);
    // Resume: more trials only runs the new ones; stage 2 narrows around stage 1.
    const logs: string[] = [];
    const r2 = await runTune({ ...opts, trials: 4, stage2: true, log: (s) => logs.push(s) });
    expect(logs.join('\n')).toContain('stage 1: 4 trials (3 done)');
    expect(r2.trials.filter((t) => t.stage === 1).slice(0, 3)).toEqual(r1.trials);
    expect(r2.trials.filter((t) => t.stage === 2).length).toBe(4);
  });

  const mk = (i: number, lr: number, momentum: number, val: number): Trial => ({ stage: 1, trial: i, hp: { lr, momentum, weightDecay: 1e-4 }, val, valLoss: 0, diverged: false, trainSeconds: 0 });

  it('warns when the best trial sits in the top/bottom 10% of a log range or is the most extreme draw', () => {
    const task = getTask('mnist-mlp');
    const ranges = { lr: [1e-3, 1] as [number, number], momentum: [0.1, 0.99] as [number, number] };
    // lr 0.6: log position 0.93 → top 10%, and the highest lr drawn; momentum 0.5 is mid-range and not extreme.
    const trials = [mk(0, 0.6, 0.5, 0.9), mk(1, 0.01, 0.3, 0.5), mk(2, 0.05, 0.7, 0.6), mk(3, 0.002, 0.9, 0.4), mk(4, 0.1, 0.2, 0.7)];
    const w = edgeWarnings(task, trials, ranges);
    expect(w).toEqual([{ hp: 'lr', side: 'high', value: 0.6, range: [1e-3, 1], reasons: ['top 10% of the log range', 'highest value drawn'] }]);
    // Inside the range but the lowest lr drawn (5 trials): warned as the most extreme draw.
    const low = [mk(0, 0.004, 0.5, 0.9), mk(1, 0.01, 0.3, 0.5), mk(2, 0.05, 0.7, 0.6), mk(3, 0.02, 0.9, 0.4), mk(4, 0.1, 0.2, 0.7)];
    expect(edgeWarnings(task, low, ranges)).toEqual([{ hp: 'lr', side: 'low', value: 0.004, range: [1e-3, 1], reasons: ['lowest value drawn'] }]);
    // Fewer than 5 trials: only the 10% rule.
    expect(edgeWarnings(task, low.slice(0, 4), ranges)).toEqual([]);
    // Best in the middle: nothing.
    const mid = [mk(0, 0.03, 0.5, 0.9), ...low.slice(1)];
    expect(edgeWarnings(task, mid, ranges)).toEqual([]);
    // bits/char: lower is better.
    const lm = getTask('moby-gpt');
    expect(edgeWarnings(lm, [mk(0, 0.9, 0.5, 3.1), mk(1, 0.01, 0.5, 3.5)], ranges).map((x) => x.side)).toEqual(['high']);
  });

  it('--extend-edges widens the warned side by half the log width, within hard limits', () => {
    const ranges = { lr: [1e-3, 0.1] as [number, number], momentum: [0.5, 0.99] as [number, number] };
    const r = extendRanges(ranges, [
      { hp: 'lr', side: 'high', value: 0.09, range: ranges.lr, reasons: [] },
      { hp: 'momentum', side: 'high', value: 0.98, range: ranges.momentum, reasons: [] },
    ]);
    expect(r.ranges.lr![0]).toBe(1e-3);
    expect(r.ranges.lr![1]).toBeCloseTo(1, 12); // 0.1 · √(0.1 / 1e-3)
    expect(r.ranges.momentum).toEqual([0.5, 0.999]); // momentum stays below 1
    expect(r.stuck).toEqual([]);
    const again = extendRanges(r.ranges, [{ hp: 'momentum', side: 'high', value: 0.999, range: r.ranges.momentum!, reasons: [] }]);
    expect(again.stuck.map((w) => w.hp)).toEqual(['momentum']);
  });

  it('runs stage 3 in the widened range when the best trial is at an edge, and says so', async () => {
    const out = tmp('tune-edges');
    const logs: string[] = [];
    const opts = {
      task: 'mnist-mlp',
      optimizer: 'sgd',
      trials: 5,
      stage2: false,
      budget: 'quick' as const,
      budgetOverride: { epochs: 1, batchSize: 64, trainSubset: 512, valSubset: 256, testSubset: 64 },
      precision: 'float32' as const,
      out,
      backend: 'wasm' as const,
      tunedFile: join(out, 'tuned.json'),
      seed: 1,
      jobs: 1,
      // A learning-rate range far too low: more lr is better everywhere in it, so the best trial is at the top.
      space: { lr: [2e-3, 2e-2] as [number, number] },
      log: (s: string) => logs.push(s),
    };
    const r1 = await runTune(opts);
    expect(r1.warnings.map((w) => [w.hp, w.side])).toEqual([['lr', 'high']]);
    expect(logs.join('\n').replace(/\n {2}/g, ' ')).toMatch(/WARNING: best trial at a range edge: lr = .* re-run with --extend-edges/);
    const r2 = await runTune({ ...opts, extendEdges: true, log: (s) => logs.push(s) });
    const stage3 = JSON.parse(readFileSync(join(out, 'stage3.json'), 'utf8')) as { ranges: { lr: [number, number] } };
    expect(stage3.ranges.lr[0]).toBe(2e-3);
    expect(stage3.ranges.lr[1]).toBeCloseTo(2e-2 * Math.sqrt(10), 15);
    const s3 = r2.trials.filter((t) => t.stage === 3);
    expect(s3.length).toBe(5);
    for (const t of s3) expect(t.hp.lr).toBeLessThanOrEqual(stage3.ranges.lr[1]);
    expect(r2.trials.filter((t) => t.stage === 1)).toEqual(r1.trials);
    expect(r2.best.hp.lr).toBeGreaterThan(2e-2); // the widened part is where the better trials are
  }, 120000);
});
