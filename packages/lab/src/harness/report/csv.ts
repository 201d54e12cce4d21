import { join } from 'node:path';
import { writeAtomic } from '../../util/writeAtomic.js';
import type { RunResult } from '../train/run.js';

export const CSV_COLUMNS = ['run_key', 'task', 'optimizer', 'seed', 'precision', 'epoch', 'step', 'metric', 'value'] as const;

/** Position fields of a record, not metrics. */
const POSITION = new Set(['epoch', 'step']);

function cell(v: string | number): string {
  const s = String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** `val.loss`-style names for every number in a record (nested objects flattened; booleans as 0/1; null = a non-finite value, as NaN; arrays skipped). */
function flatten(rec: Record<string, unknown>, prefix = ''): Array<[string, number]> {
  const out: Array<[string, number]> = [];
  for (const [k, v] of Object.entries(rec)) {
    const name = prefix + k;
    if (!prefix && POSITION.has(k)) continue;
    if (typeof v === 'number') out.push([name, v]);
    else if (v === null) out.push([name, NaN]); // JSON has no NaN: a non-finite value was stored as null
    else if (typeof v === 'boolean') out.push([name, v ? 1 : 0]);
    else if (v && typeof v === 'object' && !Array.isArray(v)) out.push(...flatten(v as Record<string, unknown>, `${name}.`));
  }
  return out;
}

/**
 * Long format: one row per (run, logged record, metric), for everything a run logged: per epoch
 * (losses, metrics incl. the clean train-set evaluation, learning rate, timings), every step's
 * training loss (`stepLoss`) and every `--eval-every` evaluation (fractional `epoch`).
 * Non-finite values are written as NaN / Infinity.
 */
export function metricsCsv(results: RunResult[]): string {
  const rows: string[] = [CSV_COLUMNS.join(',')];
  for (const r of results) {
    const row = (epoch: number, step: number, metric: string, value: number) => rows.push([r.key ?? '', r.task, r.optimizer, r.seed, r.precision, epoch, step, metric, value].map(cell).join(','));
    for (const e of r.epochs) {
      const rec = e as unknown as Record<string, unknown>;
      for (const [metric, value] of flatten(rec)) row(e.epoch, e.step, metric, value);
      // Per-step training loss (step numbers of this epoch) and the --eval-every evaluations inside it.
      const first = e.step - (e.stepLoss?.length ?? 0) + 1;
      e.stepLoss?.forEach((v, i) => row(e.epoch, first + i, 'stepLoss', v ?? NaN));
      for (const p of e.evals ?? []) {
        for (const [metric, value] of flatten(p as unknown as Record<string, unknown>)) row(p.epoch, p.step, metric, value);
      }
    }
  }
  return rows.join('\n') + '\n';
}

/** Writes `<dir>/metrics.csv`; returns its path. */
export function writeMetricsCsv(dir: string, results: RunResult[]): string {
  const path = join(dir, 'metrics.csv');
  writeAtomic(path, metricsCsv(results));
  return path;
}
