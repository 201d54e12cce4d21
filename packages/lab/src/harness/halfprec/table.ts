import type { HalfprecMethod, HalfprecPrecision } from './methods.js';
import type { FailureKind, RunResult } from './run.js';

/** One line of the result table. */
export interface HalfprecRow {
  method: HalfprecMethod;
  precision: HalfprecPrecision;
  /** Full-pool loss after the last step, or the loss at the failure (null when NaN/Inf or unknown). */
  finalLoss: number | null;
  /** 1-based step of the first NaN/Inf, divergence or exception; null = finished cleanly. */
  failStep: number | null;
  failKind: FailureKind | null;
  failMessage: string | null;
  /** ‖θ − θ_fp32‖/‖θ_fp32‖ after the last step (null when either run stopped early). */
  distEnd: number | null;
  /** Max of that distance over the steps both runs completed (null if none). */
  distMax: number | null;
  seconds: number;
}

export interface HalfprecReport {
  problem: string;
  description: string;
  steps: number;
  seed: number;
  backend: string;
  divergenceFactor: number;
  initialLoss: number;
  /** Options passed to each method (the precision option varies per row on top of these). */
  hyper: Record<string, Record<string, unknown>>;
  rows: HalfprecRow[];
  /** Per-run mini-batch loss curves (for plotting), keyed `method/precision`. */
  losses: Record<string, number[]>;
}

/** ‖a − b‖₂ / ‖b‖₂ in float64 (0 when both are zero). */
export function relativeL2(a: Float32Array, b: Float32Array): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < b.length; i++) {
    const d = a[i] - b[i];
    num += d * d;
    den += b[i] * b[i];
  }
  if (den === 0) return num === 0 ? 0 : Infinity;
  return Math.sqrt(num / den);
}

/** Table rows: each run's distance is measured against the fp32 run of the same method. */
export function buildRows(results: RunResult[]): HalfprecRow[] {
  return results.map((r) => {
    const ref = results.find((x) => x.method === r.method && x.precision === 'fp32');
    let distMax: number | null = null;
    let distEnd: number | null = null;
    if (ref) {
      const n = Math.min(ref.trajectory.length, r.trajectory.length);
      for (let s = 0; s < n; s++) distMax = Math.max(distMax ?? 0, relativeL2(r.trajectory[s], ref.trajectory[s]));
      if (!r.failure && !ref.failure && n === r.steps && n > 0) distEnd = relativeL2(r.trajectory[n - 1], ref.trajectory[n - 1]);
    }
    return {
      method: r.method,
      precision: r.precision,
      finalLoss: Number.isFinite(r.finalLoss) ? r.finalLoss : null,
      failStep: r.failure ? r.failure.step : null,
      failKind: r.failure ? r.failure.kind : null,
      failMessage: r.failure ? r.failure.message : null,
      distEnd,
      distMax,
      seconds: r.seconds,
    };
  });
}

const num = (v: number | null, digits = 3): string => (v === null ? '—' : v === 0 ? '0' : v.toExponential(digits - 1));

function cells(r: HalfprecRow): string[] {
  const fail = r.failStep === null ? 'none' : `${r.failStep} (${r.failKind})`;
  return [r.method, r.precision, num(r.finalLoss, 4), fail, num(r.distEnd), num(r.distMax), r.seconds.toFixed(1)];
}

const HEAD = ['method', 'precision', 'final loss', 'first failure (step)', 'dist end', 'dist max', 'time s'];

/** Fixed-width text table for the terminal. */
export function formatText(rows: HalfprecRow[]): string {
  const body = rows.map(cells);
  const widths = HEAD.map((h, i) => Math.max(h.length, ...body.map((c) => c[i].length)));
  const line = (c: string[]): string => c.map((x, i) => x.padEnd(widths[i])).join('  ').trimEnd();
  return [line(HEAD), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}

/** GitHub markdown table. */
export function formatMarkdown(rows: HalfprecRow[]): string {
  const line = (c: string[]): string => `| ${c.join(' | ')} |`;
  return [line(HEAD), line(HEAD.map(() => '---')), ...rows.map((r) => line(cells(r)))].join('\n');
}

/** The JSON written by `--out` (no trajectories; losses per run for plotting). */
export function buildReport(meta: Omit<HalfprecReport, 'rows' | 'losses'>, results: RunResult[]): HalfprecReport {
  const losses: Record<string, number[]> = {};
  for (const r of results) losses[`${r.method}/${r.precision}`] = r.losses;
  return { ...meta, rows: buildRows(results), losses };
}
