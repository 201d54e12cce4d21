import { tCdf, tQuantile } from './studentT.js';

export interface MeanStd {
  mean: number;
  std: number;
  n: number;
}

/** Mean and sample standard deviation (n−1; NaN for a single value). Non-finite values make the mean NaN. */
export function meanStd(values: number[]): MeanStd {
  const n = values.length;
  if (n === 0) return { mean: NaN, std: NaN, n: 0 };
  const mean = values.reduce((a, b) => a + b, 0) / n;
  const std = n > 1 ? Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1)) : NaN;
  return { mean, std, n };
}

/** Mean, sample std and the two-sided 95% Student-t interval mean ± t(0.975, n−1)·std/√n (NaN bounds for n < 2). */
export interface Interval extends MeanStd {
  lo: number;
  hi: number;
}

export function ci95(values: number[]): Interval {
  const m = meanStd(values);
  if (m.n < 2 || !Number.isFinite(m.mean)) return { ...m, lo: NaN, hi: NaN };
  const half = (tQuantile(0.975, m.n - 1) * m.std) / Math.sqrt(m.n);
  return { ...m, lo: m.mean - half, hi: m.mean + half };
}

/** A t test of a difference: estimate, standard error, degrees of freedom, statistic, two-sided p and 95% CI. */
export interface TTest {
  diff: number;
  se: number;
  df: number;
  t: number;
  p: number;
  lo: number;
  hi: number;
}

const NAN_TEST: TTest = { diff: NaN, se: NaN, df: NaN, t: NaN, p: NaN, lo: NaN, hi: NaN };

function tTest(diff: number, se: number, df: number): TTest {
  if (!Number.isFinite(diff) || !Number.isFinite(se) || !(df > 0)) return { ...NAN_TEST, diff, se, df };
  // Zero spread: the difference is exact (p 1 if it is zero, 0 otherwise).
  if (se === 0) return { diff, se, df, t: diff === 0 ? 0 : Math.sign(diff) * Infinity, p: diff === 0 ? 1 : 0, lo: diff, hi: diff };
  const t = diff / se;
  const q = tQuantile(0.975, df);
  return { diff, se, df, t, p: Math.min(1, 2 * tCdf(-Math.abs(t), df)), lo: diff - q * se, hi: diff + q * se };
}

/** Welch's unequal-variance t test of mean(a) − mean(b) (Welch–Satterthwaite degrees of freedom). */
export function welch(a: number[], b: number[]): TTest {
  const x = meanStd(a);
  const y = meanStd(b);
  if (x.n < 2 || y.n < 2) return { ...NAN_TEST, diff: x.mean - y.mean };
  const va = x.std ** 2 / x.n;
  const vb = y.std ** 2 / y.n;
  const se = Math.sqrt(va + vb);
  const df = va + vb === 0 ? x.n + y.n - 2 : (va + vb) ** 2 / (va ** 2 / (x.n - 1) + vb ** 2 / (y.n - 1));
  return tTest(x.mean - y.mean, se, df);
}

/** Paired t test of the differences a[i] − b[i] (same seed ⇒ same initialisation and data order). */
export function paired(a: number[], b: number[]): TTest & { n: number } {
  if (a.length !== b.length) throw new Error(`paired: ${a.length} vs ${b.length} values`);
  const d = meanStd(a.map((v, i) => v - b[i]));
  if (d.n < 2) return { ...NAN_TEST, diff: d.mean, n: d.n };
  return { ...tTest(d.mean, d.std / Math.sqrt(d.n), d.n - 1), n: d.n };
}

export interface Tost {
  /** Equivalence margin Δ: the difference is called equivalent when it lies in (−Δ, Δ). */
  margin: number;
  /** max of the two one-sided p-values (H0: diff ≤ −Δ, H0: diff ≥ Δ). */
  p: number;
  equivalent: boolean;
}

/** Two one-sided tests (Schuirmann) on a difference estimate from {@link welch} or {@link paired}, level α. */
export function tost(test: TTest, margin: number, alpha = 0.05): Tost {
  const { diff, se, df } = test;
  if (!(margin > 0)) throw new Error(`tost: margin must be > 0, got ${margin}`);
  if (!Number.isFinite(diff) || !Number.isFinite(se) || !(df > 0)) return { margin, p: NaN, equivalent: false };
  let p: number;
  if (se === 0) p = Math.abs(diff) < margin ? 0 : 1;
  else p = Math.max(1 - tCdf((diff + margin) / se, df), tCdf((diff - margin) / se, df));
  return { margin, p, equivalent: p < alpha };
}

/** Holm's step-down adjustment of a family of p-values (NaN stays NaN and does not count in the family). */
export function holm(ps: number[]): number[] {
  const idx = ps.map((p, i) => [p, i] as const).filter(([p]) => Number.isFinite(p)).sort((x, y) => x[0] - y[0]);
  const m = idx.length;
  const out = ps.map(() => NaN);
  let run = 0;
  idx.forEach(([p, i], k) => {
    run = Math.max(run, Math.min(1, (m - k) * p));
    out[i] = run;
  });
  return out;
}
