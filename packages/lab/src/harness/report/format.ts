import { fmtDuration } from '../train/progress.js';
import type { OptimizerSummary, TaskSummary } from './aggregate.js';
import type { Interval, MeanStd } from './stats.js';

/** "mean ± std"; one seed has no spread: "mean ± n/a" (never "± 0.00"). */
export const pm = (m: MeanStd, digits: number): string => {
  if (!Number.isFinite(m.mean)) return m.n === 0 ? 'n/a' : 'diverged/NaN';
  return `${m.mean.toFixed(digits)} ± ${m.n > 1 && Number.isFinite(m.std) ? m.std.toFixed(digits) : 'n/a'}`;
};

export const ciText = (c: Pick<Interval, 'lo' | 'hi'> | undefined, digits: number): string => (c && Number.isFinite(c.lo) && Number.isFinite(c.hi) ? `[${c.lo.toFixed(digits)}, ${c.hi.toFixed(digits)}]` : 'n/a');

export const digitsOf = (t: TaskSummary): number => (t.metric === 'accuracy' ? 2 : 3);

export const unitShort = (t: TaskSummary): string => (t.metric === 'accuracy' ? '%' : 'bpc');

/** e.g. "75% val acc" / "3.6 val bpc". */
export const targetText = (t: TaskSummary, target: number): string => (t.metric === 'accuracy' ? `${Number((100 * target).toPrecision(4))}% val acc` : `${target} val bpc`);

/** "48 (2/2)": mean steps over the seeds that reached the target (reached/of); "not reached (0/2)". */
export function stepsToTargetText(o: OptimizerSummary, short = false): string {
  const t = o.toTarget;
  if (!t) return 'n/a';
  if (t.reached === 0) return `${short ? 'no' : 'not reached'} (0/${t.of})`;
  return `${t.steps.mean.toFixed(0)} (${t.reached}/${t.of})`;
}

export function timeToTargetText(o: OptimizerSummary): string {
  const t = o.toTarget;
  if (!t || t.reached === 0) return 'n/a';
  return t.seconds.mean.toFixed(1);
}

/** p-values: 3 decimals, "<0.001" below. */
export const pText = (p: number): string => (!Number.isFinite(p) ? 'n/a' : p < 0.001 ? '<0.001' : p.toFixed(3));

/** "Total training time ... (sum of the runs' recorded times)": correct after re-runs that reused finished runs. */
export function timeLine(t: TaskSummary): string {
  return `Total training time of the ${t.runs} runs (sum of their recorded training times, evaluation excluded): ${fmtDuration(t.trainSeconds)} (${t.trainSeconds.toFixed(0)} s); evaluation ${fmtDuration(t.evalSeconds)}.`;
}
