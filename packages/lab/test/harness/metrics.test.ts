import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadDataset } from '../../src/harness/data/index.js';
import { headRows, type ImageData } from '../../src/harness/data/types.js';
import { hparamsFor } from '../../src/harness/hparams.js';
import { Rng } from '../../src/harness/rng.js';
import { getTask, type Budget } from '../../src/harness/tasks.js';
import { imageBatch } from '../../src/harness/train/batches.js';
import { evaluate } from '../../src/harness/train/evaluate.js';
import { trainRun } from '../../src/harness/train/run.js';
import { toTarget, type EvalPoint } from '../../src/harness/train/target.js';
import { harnessBackend } from './helpers.js';

/** Float64 cross-entropy and accuracy from logits rows (the reference for evaluate()). */
function reference(logits: number[][], labels: ArrayLike<number>): { loss: number; metric: number } {
  let loss = 0;
  let correct = 0;
  logits.forEach((row, i) => {
    const m = Math.max(...row);
    const lse = m + Math.log(row.reduce((a, v) => a + Math.exp(v - m), 0));
    loss += lse - row[labels[i]];
    if (row.indexOf(m) === labels[i]) correct++;
  });
  return { loss: loss / logits.length, metric: correct / logits.length };
}

describe('metrics a study needs', () => {
  beforeAll(() => harnessBackend('wasm'));

  it('trainEval: the first training rows, not augmented, inference mode (float64 reference)', () => {
    const task = getTask('mnist-cnn'); // augmented task: trainEval must not augment
    const data = loadDataset('mnist') as ImageData;
    const train = headRows(data.train, 300);
    const budget: Budget = { epochs: 1, batchSize: 32, trainSubset: 300, valSubset: 40 };
    const net = task.model(data, Rng.derive(7, 'init'));
    const got = evaluate(net, task, data, 'trainEval', budget, train);
    const { x, y } = imageBatch(data, train, Array.from({ length: 40 }, (_, i) => i), null, null);
    const logits = tf.tidy(() => net.forward(x, false));
    const want = reference(logits.arraySync(), y.dataSync());
    tf.dispose([x, y, logits]);
    net.dispose();
    expect(got.loss).toBeCloseTo(want.loss, 5);
    expect(got.metric).toBe(want.metric);
  });

  it('--eval-every k: evaluations at multiples of k and at epoch ends, per-step losses, trainEval everywhere; training unchanged', async () => {
    const task = getTask('mnist-mlp');
    const budget: Budget = { epochs: 2, batchSize: 32, trainSubset: 96, valSubset: 64, testSubset: 64 };
    const base = { task, budget, optimizer: 'sgd', hp: hparamsFor('mnist-mlp', 'sgd').hp, seed: 2, precision: 'float32' as const };
    const before = tf.memory().numTensors;
    const plain = await trainRun(base);
    const r = await trainRun({ ...base, evalEvery: 2 });
    expect(tf.memory().numTensors).toBe(before);
    // Evaluating does not touch the training stream or the weights.
    expect(r.weightsDigest).toBe(plain.weightsDigest);
    // 3 steps per epoch: k = 2 gives steps 2 and 4 inside epochs, 3 and 6 are epoch ends.
    expect(r.evals!.map((e) => e.step)).toEqual([2, 3, 4, 6]);
    expect(r.evals!.map((e) => e.epoch)).toEqual([2 / 3, 1, 4 / 3, 2]);
    expect(plain.evals!.map((e) => e.step)).toEqual([3, 6]);
    for (const e of r.evals!) {
      expect(e.trainEval!.loss).toBeGreaterThan(0);
      expect(e.trainEval!.metric).toBeGreaterThanOrEqual(0);
      expect(e.test).toBeDefined();
    }
    // Epoch-end evaluations are the epoch records' own numbers.
    expect(r.evals![1].val).toEqual(r.epochs[0].val);
    expect(r.evals![3].trainEval).toEqual(r.epochs[1].trainEval);
    expect(r.epochs[1].trainEval).toEqual(plain.epochs[1].trainEval);
    // Per-step training loss: one per step, its mean is the epoch's train loss.
    for (const e of r.epochs) {
      expect(e.stepLoss!.length).toBe(3);
      expect(e.trainLoss).toBeCloseTo(e.stepLoss!.reduce((a, b) => a + b, 0) / 3, 12);
    }
    expect(r.epochs[0].stepLoss).toEqual(plain.epochs[0].stepLoss);
    // Steps-to-target: the task's target by default, an explicit one otherwise.
    expect(r.toTarget!.target).toBe(task.target);
    const goal = r.evals![1].val.metric;
    const t = await trainRun({ ...base, evalEvery: 2, target: goal });
    const first = r.evals!.find((e) => e.val.metric >= goal)!;
    expect(t.toTarget).toEqual({ target: goal, metric: 'accuracy', steps: first.step, seconds: t.evals!.find((e) => e.step === first.step)!.trainSeconds });
    expect(t.toTarget!.steps).toBeLessThanOrEqual(3);
    expect(r.schedule).toMatchObject({ type: 'cosine', value: base.hp.lr, totalSteps: 6 });
  });

  it('toTarget: first evaluation in step order that reaches the target; bits/char is lower-is-better; never reached is null', () => {
    const p = (step: number, v: number): EvalPoint => ({ step, epoch: step / 10, trainSeconds: step / 2, val: { loss: 0, metric: v } });
    const evals = [p(30, 0.9), p(10, 0.5), p(20, 0.85), p(40, NaN)];
    expect(toTarget(evals, 'accuracy', 0.8)).toEqual({ target: 0.8, metric: 'accuracy', steps: 20, seconds: 10 });
    expect(toTarget(evals, 'accuracy', 0.95)).toEqual({ target: 0.95, metric: 'accuracy', steps: null, seconds: null });
    expect(toTarget([p(5, 4.1), p(10, 3.5), p(15, 3.2)], 'bpc', 3.6).steps).toBe(10);
  });
});
