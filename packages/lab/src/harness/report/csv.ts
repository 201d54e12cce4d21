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
 * Long format: one row per (run, logged record, metric), for everything a run logged per epoch
 * (losses, metrics, learning rate, timings). Non-finite values are written as NaN / Infinity.
 */
export function metricsCsv(results: RunResult[]): string {
  const rows: string[] = [CSV_COLUMNS.join(',')];
  for (const r of results) {
    for (const e of r.epochs) {
      const rec = e as unknown as Record<string, unknown>;
      for (const [metric, value] of flatten(rec)) {
        rows.push([r.key ?? '', r.task, r.optimizer, r.seed, r.precision, e.epoch, e.step, metric, value].map(cell).join(','));
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
