import { ALPHA, DEFAULT_MARGIN, type ReportOptions } from './options.js';
import { tCdf } from './studentT.js';
import { holm, paired, tost, welch, type TTest, type Tost } from './stats.js';

/** What a comparison needs of a method's summary (structurally an OptimizerSummary). */
export interface MethodValues {
  key: string;
  optimizer: string;
  label: string;
  seeds: number[];
  finalTestBySeed: Record<number, number>;
}

export interface Comparison {
  key: string;
  label: string;
  /** Seeds both methods ran (the paired test uses these). */
  seeds: number[];
  /** Paired differences (method − reference) over common seeds: mean, 95% CI, t, p. */
  paired: TTest;
  /** Welch's test on all seeds of each method. */
  welch: TTest;
  /** The p-value that enters the Holm family: paired when ≥ 2 common seeds, otherwise Welch. */
  p: number;
  test: 'paired' | 'welch' | 'none';
  /** Holm-adjusted p over the family of comparisons against the reference. */
  pHolm: number;
  /** One-sided p-values of the same test: H1 "the method is better" / "worse" than the reference (direction of the metric). */
  pBetter: number;
  pWorse: number;
  /** Equivalence (TOST) at ± margin on the same difference estimate. */
  tost: Tost;
  /**
   * One-sided p of "worse than the reference by more than the margin" (docs/REPRODUCTION.md's
   * refutation test for claims 2 and 3), unadjusted, and Holm-adjusted over the comparisons.
   */
  pWorseBeyond: number;
  pWorseBeyondHolm: number;
}

export interface Comparisons {
  reference: string;
  referenceLabel: string;
  /** Which summary value is compared: the final-epoch test metric (accuracy in % or bits/char). */
  metric: 'finalTest';
  margin: number;
  alpha: number;
  rows: Comparison[];
}

/**
 * Every method against the reference on the final test metric. Same seed = same initialisation
 * and data order, so differences are paired by seed; Holm controls the family-wise error over the
 * comparisons; TOST asks whether the difference is within ± margin. Null with fewer than 2 methods.
 */
export function compareMethods(optimizers: MethodValues[], metric: 'accuracy' | 'bpc', o: ReportOptions): Comparisons | null {
  if (optimizers.length < 2) return null;
  const wanted = o.reference ?? (optimizers.some((x) => x.key === 'adamw') ? 'adamw' : optimizers[0].key);
  const ref = optimizers.find((x) => x.key === wanted || x.optimizer === wanted);
  if (!ref) throw new Error(`--reference: '${wanted}' is not among the compared methods (${optimizers.map((x) => x.key).join(', ')})`);
  const margin = o.margin ?? DEFAULT_MARGIN[metric];
  const rows: Comparison[] = optimizers
    .filter((x) => x !== ref)
    .map((x) => {
      const seeds = x.seeds.filter((s) => ref.seeds.includes(s));
      const pr = paired(seeds.map((s) => x.finalTestBySeed[s]), seeds.map((s) => ref.finalTestBySeed[s]));
      const w = welch(Object.values(x.finalTestBySeed), Object.values(ref.finalTestBySeed));
      const usePaired = seeds.length >= 2 && Number.isFinite(pr.p);
      const test = usePaired ? 'paired' : Number.isFinite(w.p) ? 'welch' : 'none';
      const basis = usePaired ? pr : w;
      // P(T ≥ t) for diff > 0; "better" is a positive difference for accuracy, a negative one for bits/char.
      const upper = test === 'none' ? NaN : basis.se === 0 ? (basis.diff > 0 ? 0 : 1) : 1 - tCdf(basis.t, basis.df);
      const lower = test === 'none' ? NaN : basis.se === 0 ? (basis.diff < 0 ? 0 : 1) : tCdf(basis.t, basis.df);
      const [pBetter, pWorse] = metric === 'accuracy' ? [upper, lower] : [lower, upper];
      // Worse by more than m: accuracy Δ < −m (t at Δ + m), bits/char Δ > m (t at Δ − m).
      const shifted = metric === 'accuracy' ? basis.diff + margin : basis.diff - margin;
      const beyond = test === 'none' ? NaN : basis.se === 0 ? (metric === 'accuracy' ? (shifted < 0 ? 0 : 1) : shifted > 0 ? 0 : 1) : metric === 'accuracy' ? tCdf(shifted / basis.se, basis.df) : 1 - tCdf(shifted / basis.se, basis.df);
      return { key: x.key, label: x.label, seeds, paired: pr, welch: w, p: test === 'none' ? NaN : basis.p, test, pHolm: NaN, pBetter, pWorse, tost: tost(basis, margin, ALPHA), pWorseBeyond: beyond, pWorseBeyondHolm: NaN };
    });
  holm(rows.map((r) => r.p)).forEach((p, i) => (rows[i].pHolm = p));
  holm(rows.map((r) => r.pWorseBeyond)).forEach((p, i) => (rows[i].pWorseBeyondHolm = p));
  return { reference: ref.key, referenceLabel: ref.label, metric: 'finalTest', margin, alpha: ALPHA, rows };
}
