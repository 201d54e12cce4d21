import { beforeAll, describe, expect, it } from 'vitest';
import { hparamsFor } from '../../src/harness/hparams.js';
import { getTask, type Budget } from '../../src/harness/tasks.js';
import { trainRun } from '../../src/harness/train/run.js';
import { harnessBackend } from './helpers.js';

describe('budget.testEvery', () => {
  beforeAll(() => harnessBackend('wasm'));
  const task = getTask('mnist-mlp');
  const base = { task, optimizer: 'sgd', hp: hparamsFor('mnist-mlp', 'sgd').hp, seed: 5, precision: 'float32' as const };
  const budget: Budget = { epochs: 5, batchSize: 32, trainSubset: 96, valSubset: 64, testSubset: 64 };

  it('evaluates the test split at every K-th epoch and the last only; training, val and the final test are unchanged', async () => {
    const every = await trainRun({ ...base, budget });
    const sparse = await trainRun({ ...base, budget: { ...budget, testEvery: 2 } });
    expect(sparse.epochs.map((e) => e.test !== undefined)).toEqual([false, true, false, true, true]);
    expect(sparse.weightsDigest).toBe(every.weightsDigest);
    expect(sparse.epochs.map((e) => e.val)).toEqual(every.epochs.map((e) => e.val));
    expect(sparse.final.test).toEqual(every.final.test);
    expect(sparse.epochs[3].test).toEqual(every.epochs[3].test);
  });

  it('rejects a K that is not an integer >= 1, naming it', async () => {
    await expect(trainRun({ ...base, budget: { ...budget, testEvery: 0 } })).rejects.toThrow(/testEvery: expected an integer >= 1 \(epochs\), got 0/);
  });
});
