import type { TaskSummary } from './aggregate.js';
import type { Comparison } from './comparisons.js';
import { ciText, digitsOf, pm, pText, stepsToTargetText, targetText, timeToTargetText, unitShort } from './format.js';

const metricName = (t: TaskSummary) => (t.metric === 'accuracy' ? 'test accuracy (%)' : 'test bits/char');

/** The target every run of the task used (null if the runs predate steps-to-target). */
export function taskTarget(t: TaskSummary): number | null {
  return t.optimizers.find((o) => o.toTarget)?.toTarget?.target ?? null;
}

export const OPTIMISTIC_NOTE =
  '† Best-epoch test metric: each run’s best test value over its epoch ends, i.e. selected on the test split itself, so it is optimistic. The final-epoch column is the honest one.';

/** The full results table (markdown and HTML). */
export function resultsTable(t: TaskSummary): { head: string[]; rows: string[][] } {
  const d = digitsOf(t);
  const u = t.metric === 'accuracy' ? 'acc (%)' : 'bpc';
  const target = taskTarget(t);
  const head = [
    'optimizer',
    `final ${metricName(t)}`,
    '95% CI',
    `best-epoch ${metricName(t)} † (optimistic)`,
    `final val ${u}`,
    `clean train ${u}`,
    `gap train − val (${t.metric === 'accuracy' ? 'pp' : 'bpc'})`,
    'final train loss',
    target === null ? 'steps to target' : `steps to ${targetText(t, target)} (reached)`,
    'time to target (train s)',
    'ms/step',
    'train s/run',
    'seeds',
    'hyper-parameters',
  ];
  const rows = t.optimizers.map((o) => [
    o.label,
    pm(o.finalTest, d),
    ciText(o.ci95.finalTest, d),
    pm(o.bestTest, d),
    pm(o.finalVal, d),
    pm(o.finalTrainEval, d),
    pm(o.gap, d),
    pm(o.finalTrainLoss, 4),
    stepsToTargetText(o),
    timeToTargetText(o),
    o.msPerStep.mean.toFixed(1),
    o.trainSeconds.mean.toFixed(1),
    `${o.seeds.length}${o.diverged ? ` (${o.diverged} diverged)` : ''}`,
    o.hpSource,
  ]);
  return { head, rows };
}

/** The terminal table: the essentials in under 100 columns (hyper-parameter sources listed below it). */
export function terminalTable(t: TaskSummary): { head: string[]; rows: string[][] } {
  const d = digitsOf(t);
  const u = unitShort(t);
  const head = [`optimizer`, `final test ${u}`, '95% CI', `best ${u} †`, `val ${u}`, 'to target', 's/run', 'seeds'];
  // Under 100 columns: hyper-parameter sources and the rest follow below the table or live in the report.
  const rows = t.optimizers.map((o) => [
    o.label,
    pm(o.finalTest, d),
    ciText(o.ci95.finalTest, d),
    pm(o.bestTest, d),
    pm(o.finalVal, d),
    stepsToTargetText(o, true),
    o.trainSeconds.mean.toFixed(1),
    `${o.seeds.length}${o.diverged ? `/${o.diverged}div` : ''}`,
  ]);
  return { head, rows };
}

function verdict(t: TaskSummary, c: Comparison, alpha: number, margin: number): string {
  const est = c.test === 'welch' ? c.welch : c.paired;
  const better = t.metric === 'accuracy' ? est.diff > 0 : est.diff < 0;
  if (c.test === 'none') return 'no test (needs ≥ 2 seeds per method)';
  const within = c.tost.equivalent ? `, within ±${margin}` : '';
  if (c.pHolm < alpha) return `${better ? 'better' : 'worse'} (significant after Holm${within})`;
  if (c.tost.equivalent) return `equivalent within ±${margin}`;
  if (c.pWorseBeyondHolm < alpha) return `worse by more than ${margin} (Holm)`;
  return 'inconclusive';
}

/** Method − reference on the final test metric, paired by seed. */
export function comparisonTable(t: TaskSummary): { head: string[]; rows: string[][]; caption: string } | null {
  const c = t.comparisons;
  if (!c) return null;
  const d = digitsOf(t);
  const unit = t.metric === 'accuracy' ? 'pp' : 'bpc';
  const head = ['optimizer', `Δ vs ${c.referenceLabel} (${unit})`, '95% CI of Δ', 'test', 'p', 'Holm p', `TOST p (±${c.margin} ${unit})`, `p worse by > ${c.margin} (Holm)`, 'Welch p', 'verdict'];
  const rows = c.rows.map((r) => {
    const est = r.test === 'welch' ? r.welch : r.paired;
    return [
      r.label,
      Number.isFinite(est.diff) ? (est.diff >= 0 ? '+' : '') + est.diff.toFixed(d) : 'n/a',
      ciText(est, d),
      r.test === 'paired' ? `paired t, ${r.seeds.length} seeds` : r.test === 'welch' ? 'Welch t' : 'n/a',
      pText(r.p),
      pText(r.pHolm),
      pText(r.tost.p),
      pText(r.pWorseBeyondHolm),
      pText(r.welch.p),
      verdict(t, r, c.alpha, c.margin),
    ];
  });
  const caption =
    `Each method minus ${c.referenceLabel} on the final ${metricName(t)}, paired by seed (same seed = same initialisation and data order). ` +
    `p: two-sided t test of Δ = 0; Holm p: adjusted over the ${c.rows.length} comparisons; TOST: equivalence when both one-sided tests reject |Δ| ≥ ${c.margin} ${unit} at α = ${c.alpha}; ` +
    `"p worse by > ${c.margin}": one-sided test that the method is worse than ${c.referenceLabel} by more than the margin, Holm-adjusted. ` +
    `With few seeds the intervals are wide: "inconclusive" means neither a difference nor equivalence is shown.`;
  return { head, rows, caption };
}
