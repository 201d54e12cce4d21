import { join } from 'node:path';
import { compareResults, readMeta, summarize, type RunMeta } from '../../harness/report/aggregate.js';
import type { RunResult } from '../../harness/train/run.js';
import { writeMetricsCsv } from '../../harness/report/csv.js';
import { reproMeta } from '../../harness/provenance/meta.js';
import { loadTuning, summaryTable, writeTuning } from '../../harness/report/tuning.js';
import { textTable, writeReports } from '../../harness/report/write.js';
import { stringFlag, UsageError, type ParsedArgs } from '../args.js';
import type { Command } from '../command.js';
import { REPORT_OPTIONS, reportFlags } from './shared.js';

export const command: Command = {
  name: 'report',
  summary:
    'Regenerates report.html, summary.md and summary.json from one or more compare run directories (merged; `dir=adamw,sgd` takes only those optimizers from dir, e.g. to replace a re-tuned method).\n' +
    'With --tune: tuning.html, tuning.md and tuning.json (hyper-parameter sensitivity) from `rootfree tune` output directories of one task; --out defaults to the parent of the first.',
  usage: 'rootfree report <run-dir>[=opt,...]... [--out <dir>] [--reference OPT] [--margin M] [--log-loss] | rootfree report --tune <tune-dir>... [--out <dir>]',
  positionals: true,
  options: {
    tune: { type: 'boolean', description: 'the directories are `rootfree tune` outputs (tuning report)' },
    out: { type: 'string', value: 'dir', description: 'where the reports go; default the first directory (--tune: its parent)' },
    ...REPORT_OPTIONS,
  },
  async run(args: ParsedArgs): Promise<number> {
    if (args.flags.tune === true) return tuneReport(args, this.usage);
    const dirs = args.positionals;
    if (dirs.length === 0) throw new UsageError(`missing <run-dir>\nusage: ${this.usage}`);
    const results = selectRuns(dirs.map(parseRunDir));
    if (results.length === 0) throw new Error(`no finished runs (result.json) under ${dirs.join(', ')}`);
    const meta: Record<string, RunMeta> = {};
    for (const d of dirs.map((x) => parseRunDir(x).dir)) {
      for (const [task, m] of Object.entries(readMeta(d))) {
        const prev = meta[task];
        meta[task] = prev ? { ...prev, notes: [...new Set([...prev.notes, ...m.notes])], hpSource: { ...prev.hpSource, ...m.hpSource } } : m;
      }
    }
    const out = stringFlag(args, 'out', dirs[0]);
    const summary = { ...summarize(results, meta, reportFlags(args)), meta: reproMeta() };
    const note = `Report over ${results.length} runs from ${dirs.join(', ')}.`;
    const files = [...writeReports(out, summary, note), writeMetricsCsv(out, results)];
    console.log(summary.tasks.map(textTable).join('\n\n'));
    console.log(`reports: ${files.join(', ')}`);
    return 0;
  },
};

/** `dir` or `dir=opt1,opt2` (only those optimizers from dir). */
export function parseRunDir(arg: string): { dir: string; only?: string[] } {
  const i = arg.lastIndexOf('=');
  if (i < 0) return { dir: arg };
  const only = arg.slice(i + 1).split(',').map((x) => x.trim()).filter(Boolean);
  if (only.length === 0) throw new UsageError(`${arg}: expected <run-dir>=<optimizer>[,<optimizer>...]`);
  return { dir: arg.slice(0, i), only };
}

/**
 * The runs of every directory (filtered), refusing a (task, optimizer, precision, seed) given by two
 * directories: merging them would silently count one seed twice.
 */
export function selectRuns(sel: Array<{ dir: string; only?: string[] }>): RunResult[] {
  const seen = new Map<string, string>();
  const out: RunResult[] = [];
  for (const { dir, only } of sel) {
    const rs = compareResults(dir);
    for (const o of only ?? []) {
      if (!rs.some((r) => r.optimizer === o)) throw new UsageError(`${dir}=${only!.join(',')}: no finished '${o}' run in ${dir} (it has: ${[...new Set(rs.map((r) => r.optimizer))].join(', ') || 'none'})`);
    }
    for (const r of rs) {
      if (only && !only.includes(r.optimizer)) continue;
      const key = `${r.task} ${r.optimizer} ${r.precision} seed ${r.seed}`;
      const prev = seen.get(key);
      if (prev !== undefined && prev !== dir) throw new UsageError(`${key} is in both ${prev} and ${dir}; pick one with <run-dir>=<optimizers>`);
      seen.set(key, dir);
      out.push(r);
    }
  }
  return out;
}

function tuneReport(args: ParsedArgs, usage: string): number {
  const dirs = args.positionals;
  if (dirs.length === 0) throw new UsageError(`missing <tune-dir>\nusage: ${usage}`);
  const data = loadTuning(dirs);
  const files = writeTuning(data, stringFlag(args, 'out', join(dirs[0], '..')));
  console.log(`${data.task}: selection on the validation split (${data.higherIsBetter ? 'higher' : 'lower'} is better)\n${summaryTable(data)}`);
  console.log(`reports: ${files.join(', ')}`);
  return 0;
}
