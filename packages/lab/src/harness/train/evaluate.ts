import * as tf from '@tensorflow/tfjs-core';
import { headRows, type ImageData, type ImageSet, type TextData } from '../data/types.js';
import type { Net } from '../models/types.js';
import type { Budget, TaskSpec } from '../tasks.js';
import { imageBatch, textEvalWindows, textWindowBatch } from './batches.js';
import { evalBatch } from './loss.js';

export interface SplitMetrics {
  loss: number;
  /** accuracy in [0, 1] or bits per character. */
  metric: number;
}

/**
 * What an evaluation covers: 'val' and 'test' (the budget's subsets), or 'trainEval' — a fixed,
 * non-augmented subset of the training rows the run trains on (its first rows, as many as the
 * validation evaluation uses; for text the first `evalTokens` tokens of the training text), so a
 * generalization gap is measured with the same estimator on both sides.
 */
export type EvalSplit = 'val' | 'test' | 'trainEval';

/** The rows `trainEval` evaluates: the first min(train.n, validation rows evaluated) training rows. */
export function trainEvalRows(data: ImageData, train: ImageSet, budget: Budget): ImageSet {
  return headRows(train, Math.min(train.n, budget.valSubset ?? data.val.n, data.val.n));
}

/** Loss and metric of `net` (inference mode: BatchNorm running statistics, no augmentation). */
export function evaluate(net: Net, task: TaskSpec, data: ImageData | TextData, split: EvalSplit, budget: Budget, train: ImageSet | null): SplitMetrics {
  let lossSum = 0;
  let correct = 0;
  let count = 0;
  if (data.kind === 'image') {
    const set = split === 'trainEval' ? trainEvalRows(data, train!, budget) : headRows(data[split], split === 'val' ? budget.valSubset : budget.testSubset);
    const bs = 500;
    for (let s = 0; s < set.n; s += bs) {
      const idx = Array.from({ length: Math.min(bs, set.n - s) }, (_, k) => s + k);
      const { x, y } = imageBatch(data, set, idx, null, null);
      const logits = tf.tidy(() => net.forward(x, false));
      const r = evalBatch(logits, y);
      tf.dispose([x, y, logits]);
      lossSum += r.lossSum;
      correct += r.correct;
      count += idx.length;
    }
    return { loss: lossSum / count, metric: correct / count };
  }
  const seq = task.seq!;
  const ids = data[split === 'trainEval' ? 'train' : split];
  const starts = textEvalWindows(ids, seq, budget.evalTokens ?? 16384);
  for (let s = 0; s < starts.length; s += 32) {
    const { x, y } = textWindowBatch(ids, starts.slice(s, s + 32), seq);
    const logits = tf.tidy(() => net.forward(x, false));
    const r = evalBatch(logits, y);
    tf.dispose([x, y, logits]);
    lossSum += r.lossSum;
    count += y.size;
  }
  const loss = lossSum / count;
  return { loss, metric: loss / Math.LN2 };
}
