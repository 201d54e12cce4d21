import { describe, expect, it } from 'vitest';
import { summarize } from '../../src/harness/report/aggregate.js';
import { markdown } from '../../src/harness/report/write.js';
import type { RunResult } from '../../src/harness/train/run.js';

/** A finished run whose per-epoch test metrics are `tests` (fractions for accuracy, bpc otherwise). */
function run(task: string, optimizer: string, seed: number, tests: number[], diverged = false): RunResult {
  const epochs = tests.map((t, e) => ({ epoch: e + 1, trainLoss: 1 / (e + 1), trainSeconds: 10 * (e + 1), val: { loss: 1, metric: t }, test: { loss: 1, metric: t } }));
  return { task, optimizer, seed, hp: {}, precision: 'float32', epochs, final: epochs[epochs.length - 1], diverged, params: 1, steps: 1, msPerStep: 1, trainSeconds: 1, completed: true, weightsDigest: '' } as unknown as RunResult;
}

describe('summary: best-epoch test metric (the best over epochs, marked optimistic)', () => {
  it('accuracy: mean ± std over seeds of each run’s maximum; final stays the last epoch', () => {
    const s = summarize([run('fmnist-cnn', 'sgd', 1, [0.5, 0.8, 0.7]), run('fmnist-cnn', 'sgd', 2, [0.6, 0.7, 0.9])], { 'fmnist-cnn': { metric: 'accuracy', description: '', notes: [], hpSource: {} } } as never);
    const o = s.tasks[0].optimizers[0];
    expect(o.bestTest.mean).toBeCloseTo(85, 10);
    expect(o.bestTest.std).toBeCloseTo(Math.SQRT2 * 5, 10);
    expect(o.finalTest.mean).toBeCloseTo(80, 10);
    // 95% CI with 2 seeds: 80 ± t(0.975, 1)·14.14/√2 = 80 ± 127.06.
    expect(markdown(s, '')).toContain('| SGD | 80.00 ± 14.14 | [-47.06, 207.06] | 85.00 ± 7.07 | 80.00 ± 14.14 | n/a | n/a |');
  });

  it('bits per char: the minimum; a diverged run counts as NaN', () => {
    const s = summarize([run('moby-gpt', 'adamw', 1, [3.9, 3.5, 3.6]), run('moby-gpt', 'adamw', 2, [3.8, 3.7, 3.4])], { 'moby-gpt': { metric: 'bpc', description: '', notes: [], hpSource: {} } } as never);
    expect(s.tasks[0].optimizers[0].bestTest.mean).toBeCloseTo(3.45, 10);
    const d = summarize([run('moby-gpt', 'adamw', 1, [3.9], true)], { 'moby-gpt': { metric: 'bpc', description: '', notes: [], hpSource: {} } } as never);
    expect(Number.isNaN(d.tasks[0].optimizers[0].bestTest.mean)).toBe(true);
  });
});
