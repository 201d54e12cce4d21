import { evaluateSchedule } from 'rootfree';
import type { EvalPoint, RunResult } from '../train/run.js';
import { meanStd, type MeanStd } from './stats.js';

export interface EvalCurvePoint {
  step: number;
  epoch: number;
  seconds: MeanStd;
  val: MeanStd;
  test: MeanStd;
  trainEval: MeanStd;
}

/** A run's evaluations; results written before `evals` existed give their epoch ends. */
function evalsOf(r: RunResult): EvalPoint[] {
  if (r.evals) return r.evals;
  return r.epochs.map((e) => ({ step: e.step, epoch: e.epoch, trainSeconds: e.trainSeconds, val: e.val, test: e.test, trainEval: e.trainEval }));
}

/** Evaluations aligned by step over seeds (metric × `k`: accuracy in %), in step order. */
export function evalCurve(g: RunResult[], k: number): EvalCurvePoint[] {
  const bySteps = new Map<number, EvalPoint[]>();
  for (const r of g) for (const e of evalsOf(r)) bySteps.set(e.step, [...(bySteps.get(e.step) ?? []), e]);
  return [...bySteps.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([step, at]) => ({
      step,
      epoch: at[0].epoch,
      seconds: meanStd(at.map((e) => e.trainSeconds)),
      val: meanStd(at.map((e) => e.val.metric * k)),
      test: meanStd(at.filter((e) => e.test).map((e) => e.test!.metric * k)),
      trainEval: meanStd(at.filter((e) => e.trainEval).map((e) => e.trainEval!.metric * k)),
    }));
}

/** Per-step training loss (step 1, 2, ...), mean ± std over the seeds that logged it. */
export function stepLossCurve(g: RunResult[]): Array<{ step: number; loss: MeanStd }> {
  const runs = g.map((r) => r.epochs.flatMap((e) => e.stepLoss ?? []));
  const n = Math.max(0, ...runs.map((x) => x.length));
  return Array.from({ length: n }, (_, i) => ({ step: i + 1, loss: meanStd(runs.filter((x) => i < x.length).map((x) => x[i])) }));
}

/** The run's learning rate at up to 200 evenly spaced steps (empty for results without a recorded schedule). */
export function scheduleCurve(r: RunResult): Array<{ step: number; lr: number }> {
  if (!r.schedule) return [];
  const total = Math.max(1, r.steps);
  const every = Math.max(1, Math.ceil(total / 200));
  const out: Array<{ step: number; lr: number }> = [];
  for (let s = 0; s < total; s += every) out.push({ step: s, lr: evaluateSchedule(r.schedule, s) });
  if (out[out.length - 1].step !== total - 1) out.push({ step: total - 1, lr: evaluateSchedule(r.schedule, total - 1) });
  return out;
}

/** EMA span used for per-step curves: max(3, steps/20). */
export const smoothingSpan = (n: number): number => Math.max(3, Math.round(n / 20));

/**
 * Debiased exponential moving average (α = 2/(span+1)) of a series; non-finite values are
 * passed through as NaN and do not enter the average.
 */
export function ema(values: number[], span: number): number[] {
  const a = 2 / (span + 1);
  let m = 0;
  let w = 0;
  return values.map((v) => {
    if (!Number.isFinite(v)) return NaN;
    m = (1 - a) * m + a * v;
    w = (1 - a) * w + a;
    return m / w;
  });
}
