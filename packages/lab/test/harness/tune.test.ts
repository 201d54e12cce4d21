import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { SEARCH_SPACE, hparamsFor, loadTuned } from '../../src/harness/hparams.js';
import { getTask } from '../../src/harness/tasks.js';
import { narrowRanges, runTune, sampleHp, type Trial } from '../../src/harness/tune/search.js';
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
    expect(hparamsFor('mnist-mlp', 'sgd', tuned).source).toMatch(/^tuned: random search, 3 trials \(1 stage\), quick budget with epochs=1, batchSize=64, trainSubset=256, valSubset=128, testSubset=64, best val acc/);
    // Resume: more trials only runs the new ones; stage 2 narrows around stage 1.
    const logs: string[] = [];
    const r2 = await runTune({ ...opts, trials: 4, stage2: true, log: (s) => logs.push(s) });
    expect(logs.join('\n')).toContain('stage 1: 4 trials (3 done)');
    expect(r2.trials.filter((t) => t.stage === 1).slice(0, 3)).toEqual(r1.trials);
    expect(r2.trials.filter((t) => t.stage === 2).length).toBe(4);
  });
});
