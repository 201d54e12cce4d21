import { join } from 'node:path';
import { collectResults, readMeta, summarize, type RunMeta } from '../../harness/report/aggregate.js';
import { textTable, writeReports } from '../../harness/report/write.js';
import { stringFlag, type ParsedArgs } from '../args.js';
import type { Command } from '../main.js';

export const command: Command = {
  name: 'report',
  summary: 'Regenerates report.html, summary.md and summary.json from one or more compare run directories (merged).',
  usage: 'rootfree report <run-dir>... [--out <dir>]',
  async run(args: ParsedArgs): Promise<number> {
    const dirs = args.positionals;
    if (dirs.length === 0) throw new Error(`missing <run-dir>\nusage: ${this.usage}`);
    const results = dirs.flatMap((d) => collectResults(join(d, 'runs')));
    if (results.length === 0) throw new Error(`no finished runs (result.json) under ${dirs.join(', ')}`);
    const meta: Record<string, RunMeta> = {};
    for (const d of dirs) {
      for (const [task, m] of Object.entries(readMeta(d))) {
        const prev = meta[task];
        meta[task] = prev ? { ...prev, notes: [...new Set([...prev.notes, ...m.notes])], hpSource: { ...prev.hpSource, ...m.hpSource } } : m;
      }
    }
    const out = stringFlag(args, 'out', dirs[0]);
    const summary = summarize(results, meta);
    const note = `Report over ${results.length} runs from ${dirs.join(', ')}.`;
    const files = writeReports(out, summary, note);
    console.log(summary.tasks.map(textTable).join('\n\n'));
    console.log(`reports: ${files.join(', ')}`);
    return 0;
  },
};
