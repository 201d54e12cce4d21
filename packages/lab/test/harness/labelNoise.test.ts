import { beforeAll, describe, expect, it } from 'vitest';
import { withLabelNoise } from '../../src/harness/data/labelNoise.js';
import type { ImageSet } from '../../src/harness/data/types.js';
import { hparamsFor } from '../../src/harness/hparams.js';
import { runKeyOf } from '../../src/harness/runKey.js';
import { getTask, type Budget } from '../../src/harness/tasks.js';
import { trainRun } from '../../src/harness/train/run.js';
import { harnessBackend } from './helpers.js';

const set = (n: number): ImageSet => ({ images: new Uint8Array(n * 4).map((_, i) => i % 251), labels: new Uint8Array(n).map((_, i) => i % 10), n, height: 2, width: 2, channels: 1 });

describe('withLabelNoise', () => {
  it('gives exactly round(p·n) rows a different label and leaves the rest and the images alone', () => {
    const s = set(1000);
    const noisy = withLabelNoise(s, 0.2, 10);
    let changed = 0;
    for (let i = 0; i < s.n; i++) if (noisy.labels[i] !== s.labels[i]) changed++;
    expect(changed).toBe(200);
    expect(noisy.images).toBe(s.images);
    expect(Array.from(s.labels.slice(0, 10))).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]); // input not mutated
    expect(Math.max(...noisy.labels)).toBeLessThan(10);
  });

  it('is one fixed choice: the same rows and labels on every call', () => {
    const a = withLabelNoise(set(500), 0.3, 10).labels;
    const b = withLabelNoise(set(500), 0.3, 10).labels;
    expect(Array.from(a)).toEqual(Array.from(b));
  });

  it('spreads the wrong labels over every other class', () => {
    const s = set(5000);
    const noisy = withLabelNoise(s, 0.5, 10);
    const shifts = new Array(10).fill(0);
    for (let i = 0; i < s.n; i++) if (noisy.labels[i] !== s.labels[i]) shifts[(noisy.labels[i] - s.labels[i] + 10) % 10]++;
    expect(shifts[0]).toBe(0);
    for (let d = 1; d < 10; d++) expect(shifts[d]).toBeGreaterThan(2500 / 9 * 0.7);
  });

  it('p = 0 returns the set itself; bad fractions and class counts throw with the value', () => {
    const s = set(10);
    expect(withLabelNoise(s, 0, 10)).toBe(s);
    expect(() => withLabelNoise(s, 1, 10)).toThrow(/labelNoise: expected a fraction in \[0, 1\), got 1/);
    expect(() => withLabelNoise(s, NaN, 10)).toThrow(/got NaN/);
    expect(() => withLabelNoise(s, 0.1, 1)).toThrow(/at least 2 classes, got 1/);
  });
});

describe('labelNoise in a run', () => {
  beforeAll(() => harnessBackend('wasm'));
  const task = getTask('mnist-mlp');
  const base = { task, optimizer: 'sgd', hp: hparamsFor('mnist-mlp', 'sgd').hp, seed: 2, precision: 'float32' as const, evalTest: false };
  const budget: Budget = { epochs: 1, batchSize: 32, trainSubset: 128, valSubset: 64, testSubset: 64 };

  it('trains on the noisy labels (other weights), changes the run key, and 0 is the clean run', async () => {
    const clean = await trainRun({ ...base, budget });
    const zero = await trainRun({ ...base, budget: { ...budget, labelNoise: 0 } });
    const noisy = await trainRun({ ...base, budget: { ...budget, labelNoise: 0.5 } });
    expect(zero.weightsDigest).toBe(clean.weightsDigest);
    expect(noisy.weightsDigest).not.toBe(clean.weightsDigest);
    const job = { task: 'mnist-mlp', budget, budgetName: 'custom' as const, optimizer: 'sgd', hp: base.hp, seed: 2, precision: 'float32' as const, outDir: '', backend: 'wasm' as const, resume: false };
    expect(runKeyOf({ ...job, budget: { ...budget, labelNoise: 0.5 } }).key).not.toBe(runKeyOf(job).key);
  });

  it('a text task with labelNoise is an error, not a silent clean run', async () => {
    const gpt = getTask('moby-gpt');
    await expect(trainRun({ ...base, task: gpt, hp: hparamsFor('moby-gpt', 'sgd').hp, budget: { epochs: 1, batchSize: 4, stepsPerEpoch: 1, evalTokens: 64, labelNoise: 0.1 } })).rejects.toThrow(/labelNoise: only image tasks .* moby-gpt is a text task/);
  });
});
