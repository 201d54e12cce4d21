import { mkdirSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { loadDataset } from '../data/index.js';
import { COMMITTED_TUNED, type CommittedTable } from '../committedTuned.js';
import { loadTuned, DEFAULT_TUNED_FILE, type TunedFile } from '../hparams.js';
import { hparamPlan } from './hparamPlan.js';
import { compareNotes } from './notes.js';
import type { ReportOptions } from '../report/options.js';
import { timeLine } from '../report/format.js';
import { checkOptimizerName, optimizerLabel } from '../optimizers.js';
import { summarize, type RunMeta, type Summary } from '../report/aggregate.js';
import { writeMetricsCsv } from '../report/csv.js';
import { reproMeta } from '../provenance/meta.js';
import { runKeyOf } from '../runKey.js';
import { acquireLock } from '../../util/lock.js';
import { fitLines } from '../../util/fitLines.js';
import { textTable, writeReports } from '../report/write.js';
import { getTask, type Budget, type TaskSpec } from '../tasks.js';
import { writeAtomic } from '../../util/writeAtomic.js';
import type { RunSetOptions } from '../runSetOptions.js';
import type { RunResult } from '../train/run.js';
import { executeJob } from './execute.js';
import { notReusedNote, reusableResult } from './reuse.js';
import type { RunJob } from './jobs.js';
import { MultiProgress } from './multiProgress.js';
import { runPool } from './pool.js';
import { runQueued } from '../queue/coordinator.js';
import { redactUrl } from '../queue/url.js';
import { fmtDuration } from '../train/progress.js';

export interface CompareOptions extends RunSetOptions {
  optimizers: string[];
  seeds: number;
  /** First seed (default 1): runs use seeds firstSeed..firstSeed+seeds−1. */
  firstSeed?: number;
  /**
   * Continue unfinished runs from their last epoch checkpoint (bitwise-identical result). Without
   * it they restart; finished runs are reused either way.
   */
  resume?: boolean;
  /** Evaluate every k optimizer steps besides epoch ends (`--eval-every`). */
  evalEvery?: number;
  /** Validation target for steps-/time-to-target (`--target`; default the task's). */
  target?: number;
  /** Reference method, TOST margin and loss scale of the report. */
  report?: ReportOptions;
  /** Tuned values shipped with the code (default {@link COMMITTED_TUNED}); used at a named budget when no tuned file has the method. */
  committed?: CommittedTable;
  progress: boolean;
}

export interface CompareOutcome {
  summary: Summary;
  files: string[];
  wallSeconds: number;
  table: string;
}

/** `rootfree compare`: every optimizer × seed on one task, then tables and reports. */
export async function runCompare(o: CompareOptions): Promise<CompareOutcome> {
  const sink = o.log ?? ((s: string) => console.log(s));
  // Plain output fits 100 columns (long notes are wrapped).
  const log = (s: string) => fitLines(s, 100).forEach((l) => sink(l));
  const t0 = Date.now();
  const task = getTask(o.task);
  o.optimizers.forEach(checkOptimizerName);
  const budget: Budget = { ...task.budgets[o.budget], ...o.budgetOverride };
  const tuned = loadTuned(o.tunedFile ?? DEFAULT_TUNED_FILE);
  const data = loadDataset(task.dataset, o.dataSource);
  mkdirSync(o.out, { recursive: true });
  const release = acquireLock(o.out, `rootfree compare --task ${o.task}`, log);
  try {
    return await compareLocked(o, { log, sink, t0, task, budget, tuned, dataNote: data.note });
  } finally {
    release();
  }
}

interface CompareContext {
  /** Prose output, wrapped at 100 columns. */
  log: (s: string) => void;
  /** Raw output (tables). */
  sink: (s: string) => void;
  t0: number;
  task: TaskSpec;
  budget: Budget;
  tuned: TunedFile;
  dataNote: string;
}

async function compareLocked(o: CompareOptions, c: CompareContext): Promise<CompareOutcome> {
  const { log, sink, t0, task, budget, tuned, dataNote } = c;
  const plan = hparamPlan(task.name, o.budget, !!o.budgetOverride, o.optimizers, tuned, o.committed ?? COMMITTED_TUNED);
  const hpSource: Record<string, string> = Object.fromEntries(o.optimizers.map((x) => [x, plan.choices[x].source]));
  const jobs: RunJob[] = [];
  const first = o.firstSeed ?? 1;
  for (let seed = first; seed < first + o.seeds; seed++) {
    for (const opt of o.optimizers) {
      const choice = plan.choices[opt];
      const job: RunJob = { task: task.name, budget, budgetName: o.budgetOverride ? 'custom' : o.budget, optimizer: opt, hp: choice.hp, seed, precision: o.precision, dataSource: o.dataSource, outDir: '', backend: o.backend, resume: o.resume ?? false, evalEvery: o.evalEvery, target: o.target };
      // One directory per configuration key: another configuration never overwrites or reuses this one.
      jobs.push({ ...job, outDir: join(o.out, 'runs', opt, `seed${seed}`, runKeyOf(job).key) });
    }
  }
  const hpLines = plan.lines;
  const notes = [
    dataNote,
    ...compareNotes({
      task,
      budgetName: o.budget,
      overridden: !!o.budgetOverride,
      budget,
      hpSource,
      run: o,
      firstSeed: first,
      seeds: o.seeds,
    }),
    ...(plan.untuned.length ? [hpLines[hpLines.length - 1]] : []),
  ];
  const meta: Record<string, RunMeta> = { [task.name]: { description: task.description, metric: task.metric, notes, hpSource, ...(task.margin !== undefined ? { margin: task.margin } : {}) } };
  const runs = jobs.map((j) => ({ optimizer: j.optimizer, seed: j.seed, key: basename(j.outDir), dir: relative(o.out, j.outDir) }));
  writeAtomic(join(o.out, 'compare.json'), JSON.stringify({ options: { ...o, log: undefined, queue: o.queue && redactUrl(o.queue) }, budget, meta, runs }, null, 1));

  for (const l of hpLines) log(l);
  for (const n of notes) log(`note: ${n}`);
  const pending = jobs.filter((j) => {
    const { key, config } = runKeyOf(j);
    if (reusableResult(j.outDir, key)) return false;
    const note = notReusedNote(join(j.outDir, '..'), key, config);
    if (note) log(`${j.optimizer}/seed${j.seed}: ${note}; computing key ${key}`);
    return true;
  });
  log(`${jobs.length} runs (${o.optimizers.map(optimizerLabel).join(', ')} × ${o.seeds} seeds), ${jobs.length - pending.length} already done (same configuration key), ${o.queue ? 'on queue workers' : `${Math.min(o.jobs, pending.length)} at a time`}`);
  const doneLine = (j: RunJob, r: RunResult): string => {
    const f = r.final;
    const m = task.metric === 'accuracy' ? `test acc ${(100 * (f.test?.metric ?? NaN)).toFixed(2)}%` : `test bpc ${(f.test?.metric ?? NaN).toFixed(3)}`;
    return `done ${j.optimizer}/seed${j.seed}: ${m}, ${r.msPerStep.toFixed(1)} ms/step, ${r.trainSeconds.toFixed(1)} s train${r.diverged ? ' (DIVERGED)' : ''} [${fmtDuration((Date.now() - t0) / 1000)} elapsed]`;
  };
  const done = (j: RunJob, r: RunResult) => log(doneLine(j, r));
  if (o.queue) {
    await runQueued({ url: o.queue, out: o.out, runs: pending.map((job) => ({ job, label: `${job.optimizer}/seed${job.seed}` })), onDone: done, log });
  } else if (o.jobs <= 1) {
    for (const j of pending) done(j, await executeJob(j, o.progress));
  } else {
    // On a terminal the workers' progress is drawn here, one line per job, with log lines above it.
    const display = o.progress && !o.log && process.stdout.isTTY ? new MultiProgress(Math.min(o.jobs, pending.length)) : undefined;
    await runPool(pending, o.jobs, (j, r) => (display ? fitLines(doneLine(j, r), 100).forEach((l) => display.log(l)) : done(j, r)), { progress: o.progress, display, threads: o.threads ?? 1 });
  }

  // Exactly this invocation's runs (by key): results of other configurations in --out stay out of the report.
  const results = jobs.map((j) => reusableResult(j.outDir, runKeyOf(j).key)).filter((r): r is RunResult => r !== null);
  const summary: Summary = { ...summarize(results, meta, o.report), meta: reproMeta() };
  const wallSeconds = (Date.now() - t0) / 1000;
  const reused = jobs.length - pending.length;
  const note = `This compare invocation: ${fmtDuration(wallSeconds)} wall-clock, ${pending.length} runs trained, ${reused} finished runs reused from earlier invocations.`;
  const files = [...writeReports(o.out, summary, note), writeMetricsCsv(o.out, results)];
  const table = summary.tasks.map(textTable).join('\n\n');
  log('');
  table.split('\n').forEach((l) => sink(l)); // a table is never wrapped (it is at most 100 columns wide)
  log('');
  for (const l of plan.lines.slice(0, o.optimizers.length)) log(l);
  for (const t of summary.tasks) log(timeLine(t));
  log(note);
  log(`reports: ${files.join(', ')}`);
  return { summary, files, wallSeconds, table };
}
