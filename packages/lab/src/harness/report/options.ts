/** How `compare`/`report` render and test a comparison (CLI: --reference, --margin, --log-loss). */
export interface ReportOptions {
  /** Optimizer every other method is compared with; default AdamW when present, else the first. */
  reference?: string;
  /**
   * TOST equivalence margin Δ in the reported unit of the metric (percentage points of accuracy,
   * or bits/char); default the task's `margin` (tasks.ts), else {@link DEFAULT_MARGIN}.
   */
  margin?: number;
  /** Loss axes on a log scale. */
  logLoss?: boolean;
}

/**
 * Default equivalence margins when the task names none: 1 percentage point of test accuracy, 0.03
 * bits/char (docs/REPRODUCTION.md, decision rules, claim 2). A method is called equivalent to the
 * reference only when TOST rejects both |difference| ≥ Δ at α = 0.05.
 */
export const DEFAULT_MARGIN = { accuracy: 1, bpc: 0.03 } as const;

/** Significance level of every test and of the Holm-adjusted family. */
export const ALPHA = 0.05;
