import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadDataset } from '../data/index.js';
import { DEFAULT_TUNED_FILE, hparamsFor, loadTuned, SEARCH_SPACE } from '../hparams.js';
import { checkOptimizerName, optimizerLabel, type Hp, type HpName } from '../optimizers.js';
import { edgeWarnings, extendRanges, warningText, type EdgeWarning } from './edges.js';
import { score, type Ranges, type Trial } from './trial.js';
import { Rng } from '../rng.js';
import { getTask, type Budget, type TaskSpec } from '../tasks.js';
import type { RunSetOptions } from '../runSetOptions.js';
import { writeAtomic } from '../../util/writeAtomic.js';
import type { RunResult } from '../train/run.js';
import { reusableResult } from '../compare/reuse.js';
import { writeMetricsCsv } from '../report/csv.js';
import { runKeyOf } from '../runKey.js';
import { acquireLock } from '../../util/lock.js';
import { fitLines } from '../../util/fitLines.js';
import { executeJob } from '../compare/execute.js';
import type { RunJob } from '../compare/jobs.js';
import { runPool } from '../compare/pool.js';
import { runQueued } from '../queue/coordinator.js';

export { score, type Ranges, type Trial } from './trial.js';

export interface TuneOptions extends RunSetOptions {
  optimizer: string;
  trials: number;
  stage2: boolean;
  /** Tuning seed: the hyper-parameter draws and, offset by {@link TUNE_SEED_OFFSET}, the trials' training seed. */
  seed: number;
  /** When the best trial sits at a range edge, widen that side and run `trials` more trials (stage 3). */
  extendEdges?: boolean;
  /** Search ranges instead of SEARCH_SPACE[optimizer] (tests, experiments). */
  space?: Ranges;
}

/**
 * Trials train with seed TUNE_SEED_OFFSET + tuning seed (10001 for `--seed 1`), never with the
 * seeds 1..n that `compare` uses for the final runs: the selection must not have seen the
 * initialisation and data order it is then evaluated on.
 */
export const TUNE_SEED_OFFSET = 10000;

/** Trial `i` of a stage: log-uniform draws from a stream that depends only on (seed, stage, i), so resumption replays it. */
export function sampleHp(base: Hp, ranges: Ranges, seed: number, stage: number, i: number): Hp {
  const rng = Rng.derive(seed, 'tune', stage, i);
  const hp: Hp = { ...base };
  for (const [k, r] of Object.entries(ranges) as Array<[HpName, [number, number]]>) hp[k] = rng.logUniform(r[0], r[1]);
  return hp;
}

/**
 * Stage-2 ranges: the log-space hull of the best 20% (at least 3) stage-1 trials, widened by
 * half a decade's tenth (×/÷ 1.5) on each side and clipped to the stage-1 range.
 */
export function narrowRanges(task: TaskSpec, stage1: Trial[], ranges: Ranges): Ranges {
  const ok = stage1.filter((t) => score(task, t) > -Infinity).sort((a, b) => score(task, b) - score(task, a));
  if (ok.length === 0) throw new Error('stage 2 needs at least one stage-1 trial that did not diverge');
  const top = ok.slice(0, Math.max(3, Math.ceil(ok.length * 0.2)));
  const out: Ranges = {};
  for (const [k, r] of Object.entries(ranges) as Array<[HpName, [number, number]]>) {
    const vals = top.map((t) => t.hp[k] as number);
    out[k] = [Math.max(r[0], Math.min(...vals) / 1.5), Math.min(r[1], Math.max(...vals) * 1.5)];
  }
  return out;
}

/** "quick budget", or "quick budget with epochs=3, trainSubset=12288" when flags overrode it. */
export function budgetLabel(o: Pick<TuneOptions, 'budget' | 'budgetOverride'>): string {
  const over = Object.entries(o.budgetOverride ?? {});
  return over.length === 0 ? `${o.budget} budget` : `${o.budget} budget with ${over.map(([k, v]) => `${k}=${v}`).join(', ')}`;
}

/** `lr=0.00226, momentum=0.706, …` (4 significant digits; the files keep full precision). */
const fmtHp = (hp: Hp) => Object.entries(hp).map(([k, v]) => `${k}=${Number((v as number).toPrecision(4))}`).join(', ');
const fmtRanges = (r: Ranges) => Object.entries(r).map(([k, [lo, hi]]) => `${k} [${lo}, ${hi}]`).join(', ');

function readTrials(file: string): Trial[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as Trial);
}

/** The trial's job: log-uniform draw `i` of the stage, trained with seed TUNE_SEED_OFFSET + seed into `stage<s>/trial<i>/<key>`. */
function trialJob(o: TuneOptions, task: TaskSpec, budget: Budget, base: Hp, ranges: Ranges, stage: 1 | 2 | 3, i: number): { job: RunJob; key: string } {
  const hp = sampleHp(base, ranges, o.seed, stage, i);
  const job: RunJob = { task: task.name, budget, budgetName: o.budgetOverride ? 'custom' : o.budget, optimizer: o.optimizer, hp, seed: TUNE_SEED_OFFSET + o.seed, precision: o.precision, dataSource: o.dataSource, outDir: '', backend: o.backend, resume: true };
  const { key } = runKeyOf(job);
  return { job: { ...job, outDir: join(o.out, `stage${stage}`, `trial${i}`, key) }, key };
}

/**
 * `rootfree tune`: random search (log-uniform) with the same budget and trial count for every
 * optimizer, selection on the validation split, every trial appended to a JSONL file; re-running
 * the command continues where it stopped. Writes the best configuration into the tuned file
 * that `compare` reads.
 */
export async function runTune(o: TuneOptions): Promise<{ best: Trial; trials: Trial[]; warnings: EdgeWarning[] }> {
  const sink = o.log ?? ((s: string) => console.log(s));
  const log = (s: string) => fitLines(s, 100).forEach((l) => sink(l));
  checkOptimizerName(o.optimizer);
  const task = getTask(o.task);
  const space = o.space ?? SEARCH_SPACE[o.optimizer];
  if (!space) throw new Error(`no search space for '${o.optimizer}'`);
  const budget: Budget = { ...task.budgets[o.budget], ...o.budgetOverride };
  const base = hparamsFor(task.name, o.optimizer).hp;
  loadDataset(task.dataset, o.dataSource);
  mkdirSync(o.out, { recursive: true });
  const release = acquireLock(o.out, `rootfree tune --task ${o.task} --optimizer ${o.optimizer}`, log);
  try {
    return await tuneLocked(o, log, task, budget, base, space);
  } finally {
    release();
  }
}

async function tuneLocked(o: TuneOptions, log: (s: string) => void, task: TaskSpec, budget: Budget, base: Hp, space: Ranges): Promise<{ best: Trial; trials: Trial[]; warnings: EdgeWarning[] }> {
  const all: Trial[] = [];
  const results: RunResult[] = [];
  const runStage = async (stage: 1 | 2 | 3, ranges: Ranges): Promise<void> => {
    const file = join(o.out, `stage${stage}.jsonl`);
    const planned = Array.from({ length: o.trials }, (_, i) => ({ i, ...trialJob(o, task, budget, base, ranges, stage, i) }));
    const keys = planned.map((p) => p.key);
    writeAtomic(join(o.out, `stage${stage}.json`), JSON.stringify({ task: task.name, optimizer: o.optimizer, budget, seed: o.seed, trialSeed: TUNE_SEED_OFFSET + o.seed, ranges, trials: o.trials, distribution: 'log-uniform', keys }, null, 1));
    const lines = readTrials(file);
    // A trial is reused only when its stored key is the key of trial i under this configuration.
    const done = planned.flatMap((p) => lines.filter((t) => t.trial === p.i && t.key === p.key).slice(0, 1));
    const other = lines.filter((t) => !keys.includes(t.key ?? '')).length;
    if (other > 0) log(`stage ${stage}: ${other} earlier trial(s) in ${file} are of another configuration (budget, seed, data, code, ...); kept, not reused`);
    const have = new Set(done.map((t) => t.trial));
    const jobs = planned.filter((p) => !have.has(p.i));
    log(`${optimizerLabel(o.optimizer)} on ${task.name}, stage ${stage}: ${o.trials} trials (${done.length} done), ranges ${fmtRanges(ranges)}`);
    const record = (i: number, r: RunResult) => {
      const t: Trial = { stage, trial: i, hp: r.hp, val: r.diverged ? NaN : r.final.val.metric, valLoss: r.final.val.loss, diverged: r.diverged, trainSeconds: r.trainSeconds, key: r.key };
      // Append = one line per finished trial; a crash mid-trial leaves its checkpoint for the next invocation.
      writeAtomic(file, (existsSync(file) ? readFileSync(file, 'utf8') : '') + JSON.stringify(t) + '\n');
      done.push(t);
      log(`trial ${stage}.${i}: val ${task.metric === 'accuracy' ? `${(100 * t.val).toFixed(2)}%` : `${t.val.toFixed(3)} bpc`}${t.diverged ? ' (diverged)' : ''} ${fmtHp(t.hp)}`);
    };
    const index = new Map(jobs.map(({ job, i }) => [job, i]));
    if (o.queue) {
      await runQueued({ url: o.queue, out: o.out, runs: jobs.map(({ job, i }) => ({ job, label: `trial ${stage}.${i}` })), onDone: (job, r) => record(index.get(job)!, r), log });
    } else if (o.jobs <= 1) {
      for (const { job, i } of jobs) record(i, await executeJob(job, false));
    } else {
      await runPool(jobs.map((j) => j.job), o.jobs, (job, r) => record(index.get(job)!, r), { progress: false, threads: o.threads ?? 1 });
    }
    results.push(...planned.map((p) => reusableResult(p.job.outDir, p.key)).filter((r): r is RunResult => r !== null));
    all.push(...done.sort((a, b) => a.trial - b.trial));
  };
  await runStage(1, space);
  // Stage 2 narrows around this configuration's stage-1 trials only.
  if (o.stage2) await runStage(2, narrowRanges(task, all.filter((t) => t.stage === 1), space));
  // Edges are judged against the full (stage-1) ranges; stage 3 keeps the ranges it started with on re-runs.
  let edgeRanges: Ranges = space;
  const stage3Meta = join(o.out, 'stage3.json');
  let warnings: EdgeWarning[] = edgeWarnings(task, all, space);
  if (existsSync(stage3Meta) || (o.extendEdges && warnings.length > 0)) {
    if (existsSync(stage3Meta)) {
      edgeRanges = (JSON.parse(readFileSync(stage3Meta, 'utf8')) as { ranges: Ranges }).ranges;
    } else {
      const ext = extendRanges(space, warnings);
      for (const w of ext.stuck) log(`cannot extend ${w.hp} past its hard limit: ${warningText(w)}`);
      edgeRanges = ext.ranges;
    }
    await runStage(3, edgeRanges);
    warnings = edgeWarnings(task, all, edgeRanges);
  }
  for (const w of warnings) log(`WARNING: best trial at a range edge: ${warningText(w)}${o.extendEdges ? '' : '; re-run with --extend-edges to widen that range and sample again'}`);
  writeMetricsCsv(o.out, results);
  const best = [...all].sort((a, b) => score(task, b) - score(task, a))[0];
  if (!best || score(task, best) === -Infinity) throw new Error('every trial diverged; nothing to select');
  const tunedFile = o.tunedFile ?? DEFAULT_TUNED_FILE;
  const tuned = loadTuned(tunedFile);
  const metric = task.metric === 'accuracy' ? `val acc ${(100 * best.val).toFixed(2)}%` : `val ${best.val.toFixed(3)} bpc`;
  const stages = new Set(all.map((t) => t.stage)).size;
  const edge = warnings.length ? `; best at a range edge (${warnings.map((w) => `${w.hp} ${w.side}`).join(', ')})` : '';
  tuned[task.name] = { ...tuned[task.name], [o.optimizer]: { hp: best.hp, source: `tuned: random search, ${all.length} trials (${stages} stage${stages > 1 ? 's' : ''}), ${budgetLabel(o)}, tuning seed ${o.seed} (trials trained with seed ${TUNE_SEED_OFFSET + o.seed}), best ${metric}${edge}` } };
  mkdirSync(join(tunedFile, '..'), { recursive: true });
  writeAtomic(tunedFile, JSON.stringify(tuned, null, 1));
  log(`best: stage ${best.stage} trial ${best.trial}, ${metric}: ${fmtHp(best.hp)} -> ${tunedFile}`);
  return { best, trials: all, warnings };
}
