import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadDataset } from '../data/index.js';
import { DEFAULT_TUNED_FILE, hparamsFor, loadTuned, SEARCH_SPACE } from '../hparams.js';
import { checkOptimizerName, optimizerLabel, type Hp, type HpName } from '../optimizers.js';
import { Rng } from '../rng.js';
import { getTask, type Budget, type BudgetName, type TaskSpec } from '../tasks.js';
import { writeAtomic } from '../../util/writeAtomic.js';
import type { RunResult } from '../train/run.js';
import { executeJob } from '../compare/execute.js';
import type { RunJob } from '../compare/jobs.js';
import { runPool } from '../compare/pool.js';

export type Ranges = Partial<Record<HpName, [number, number]>>;

export interface Trial {
  stage: 1 | 2;
  trial: number;
  hp: Hp;
  /** Final-epoch validation metric (accuracy in [0, 1] or bits/char); NaN when diverged. */
  val: number;
  valLoss: number;
  diverged: boolean;
  trainSeconds: number;
}

export interface TuneOptions {
  task: string;
  optimizer: string;
  trials: number;
  stage2: boolean;
  budget: BudgetName;
  budgetOverride?: Partial<Budget>;
  precision: 'float32' | 'bfloat16';
  out: string;
  backend: 'wasm' | 'cpu';
  dataSource?: string;
  tunedFile?: string;
  seed: number;
  jobs: number;
  /** wasm XNNPACK threads per trial (1 when omitted; ignored by the cpu backend). */
  threads?: number;
  log?: (s: string) => void;
}

/** Higher is better: accuracy as is, bits/char negated; diverged trials rank last. */
export function score(task: TaskSpec, t: Trial): number {
  if (t.diverged || !Number.isFinite(t.val)) return -Infinity;
  return task.metric === 'accuracy' ? t.val : -t.val;
}

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

function readTrials(file: string): Trial[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as Trial);
}

/**
 * `rootfree tune`: random search (log-uniform) with the same budget and trial count for every
 * optimizer, selection on the validation split, every trial appended to a JSONL file; re-running
 * the command continues where it stopped. Writes the best configuration into the tuned file
 * that `compare` reads.
 */
export async function runTune(o: TuneOptions): Promise<{ best: Trial; trials: Trial[] }> {
  const log = o.log ?? ((s: string) => console.log(s));
  checkOptimizerName(o.optimizer);
  const task = getTask(o.task);
  const space = SEARCH_SPACE[o.optimizer];
  if (!space) throw new Error(`no search space for '${o.optimizer}'`);
  const budget: Budget = { ...task.budgets[o.budget], ...o.budgetOverride };
  const base = hparamsFor(task.name, o.optimizer).hp;
  loadDataset(task.dataset, o.dataSource);
  mkdirSync(o.out, { recursive: true });

  const stage1File = join(o.out, 'stage1.jsonl');
  const stages: Array<1 | 2> = o.stage2 ? [1, 2] : [1];
  const all: Trial[] = [];
  for (const stage of stages) {
    const file = join(o.out, `stage${stage}.jsonl`);
    const ranges = stage === 1 ? space : narrowRanges(task, readTrials(stage1File), space);
    writeAtomic(join(o.out, `stage${stage}.json`), JSON.stringify({ task: task.name, optimizer: o.optimizer, budget, seed: o.seed, ranges, trials: o.trials, distribution: 'log-uniform' }, null, 1));
    const done = readTrials(file);
    const have = new Set(done.map((t) => t.trial));
    const jobs: Array<{ job: RunJob; i: number }> = [];
    for (let i = 0; i < o.trials; i++) {
      if (have.has(i)) continue;
      const hp = sampleHp(base, ranges, o.seed, stage, i);
      jobs.push({ i, job: { task: task.name, budget, budgetName: o.budgetOverride ? 'custom' : o.budget, optimizer: o.optimizer, hp, seed: 1, precision: o.precision, dataSource: o.dataSource, outDir: join(o.out, `stage${stage}`, `trial${i}`), backend: o.backend, resume: true } });
    }
    log(`${optimizerLabel(o.optimizer)} on ${task.name}, stage ${stage}: ${o.trials} trials (${done.length} done), ranges ${JSON.stringify(ranges)}`);
    const record = (i: number, r: RunResult) => {
      const t: Trial = { stage, trial: i, hp: r.hp, val: r.diverged ? NaN : r.final.val.metric, valLoss: r.final.val.loss, diverged: r.diverged, trainSeconds: r.trainSeconds };
      // Append = one line per finished trial; a crash mid-trial leaves its checkpoint for the next invocation.
      writeAtomic(file, (existsSync(file) ? readFileSync(file, 'utf8') : '') + JSON.stringify(t) + '\n');
      done.push(t);
      log(`trial ${stage}.${i}: val ${task.metric === 'accuracy' ? `${(100 * t.val).toFixed(2)}%` : `${t.val.toFixed(3)} bpc`}${t.diverged ? ' (diverged)' : ''} ${JSON.stringify(t.hp)}`);
    };
    if (o.jobs <= 1) {
      for (const { job, i } of jobs) record(i, await executeJob(job, false));
    } else {
      const index = new Map(jobs.map(({ job, i }) => [job, i]));
      await runPool(jobs.map((j) => j.job), o.jobs, (job, r) => record(index.get(job)!, r), o.threads ?? 1);
    }
    all.push(...done);
  }
  const best = [...all].sort((a, b) => score(task, b) - score(task, a))[0];
  if (!best || score(task, best) === -Infinity) throw new Error('every trial diverged; nothing to select');
  const tunedFile = o.tunedFile ?? DEFAULT_TUNED_FILE;
  const tuned = loadTuned(tunedFile);
  const metric = task.metric === 'accuracy' ? `val acc ${(100 * best.val).toFixed(2)}%` : `val ${best.val.toFixed(3)} bpc`;
  tuned[task.name] = { ...tuned[task.name], [o.optimizer]: { hp: best.hp, source: `tuned: random search, ${all.length} trials (${stages.length} stage${stages.length > 1 ? 's' : ''}), ${budgetLabel(o)}, best ${metric}` } };
  mkdirSync(join(tunedFile, '..'), { recursive: true });
  writeAtomic(tunedFile, JSON.stringify(tuned, null, 1));
  log(`best: stage ${best.stage} trial ${best.trial}, ${metric}: ${JSON.stringify(best.hp)} -> ${tunedFile}`);
  return { best, trials: all };
}
