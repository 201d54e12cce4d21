/** One evaluation of a run: at an epoch end or every `--eval-every` steps. */
export interface EvalPoint {
  step: number;
  /** Fractional epoch (step / steps per epoch). */
  epoch: number;
  /** Cumulative training wall-clock (s) at this step, evaluation excluded. */
  trainSeconds: number;
  val: { loss: number; metric: number };
  test?: { loss: number; metric: number };
  trainEval?: { loss: number; metric: number };
}

export interface ToTarget {
  /** The validation metric to reach (accuracy in [0, 1]: at least; bits/char: at most). */
  target: number;
  metric: 'accuracy' | 'bpc';
  /** Optimizer steps at the first evaluation that reached it; null if none did. */
  steps: number | null;
  /** Training seconds (evaluation excluded) at that evaluation; null if none did. */
  seconds: number | null;
}

export function reached(metric: 'accuracy' | 'bpc', value: number, target: number): boolean {
  return metric === 'accuracy' ? value >= target : value <= target;
}

/**
 * Steps- and time-to-target on the validation split: the first evaluation (in step order) whose
 * validation metric reaches the target. Resolution is the evaluation interval (epoch ends, or
 * `--eval-every` steps).
 */
export function toTarget(evals: EvalPoint[], metric: 'accuracy' | 'bpc', target: number): ToTarget {
  const hit = [...evals].sort((a, b) => a.step - b.step).find((e) => Number.isFinite(e.val.metric) && reached(metric, e.val.metric, target));
  return { target, metric, steps: hit ? hit.step : null, seconds: hit ? hit.trainSeconds : null };
}
