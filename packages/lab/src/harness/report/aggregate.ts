import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { optimizerLabel, type Hp } from '../optimizers.js';
import { TASKS } from '../tasks.js';
import type { RunResult } from '../train/run.js';
import { compareMethods, type Comparisons } from './comparisons.js';
import type { ReportOptions } from './options.js';
import { scheduleCurve, stepLossCurve, evalCurve, type EvalCurvePoint } from './curves.js';
import { ci95, meanStd, type Interval, type MeanStd } from './stats.js';
import type { ReproMeta } from '../provenance/meta.js';

export interface CurvePoint {
  epoch: number;
  test: MeanStd;
  val: MeanStd;
  trainLoss: MeanStd;
  seconds: MeanStd;
}

export interface OptimizerSummary {
  key: string;
  optimizer: string;
  label: string;
  precision: string;
  hp: Hp;
  hpSource: string;
  seeds: number[];
  diverged: number;
  /** "seed N: why" for each diverged run (RunResult.failure; plain "diverged" in results written before it existed). */
  failures: string[];
  /** Final-epoch test metric (accuracy in % or bits per char) over seeds. */
  finalTest: MeanStd;
  /**
   * Best test metric over a run's evaluated epochs (max accuracy / min bpc), over seeds. Optimistic
   * (selected on the test split); the final-epoch value is the honest one.
   */
  bestTest: MeanStd;
  finalVal: MeanStd;
  finalTrainLoss: MeanStd;
  msPerStep: MeanStd;
  trainSeconds: MeanStd;
  /** Final clean train-set metric (trainEval; accuracy in % or bits/char), over seeds. */
  finalTrainEval: MeanStd;
  /** Generalization gap at the end: trainEval metric − validation metric, over seeds. */
  gap: MeanStd;
  /** 95% Student-t intervals over seeds per metric (finalTest, bestTest, finalVal, finalTrainEval, gap, finalTrainLoss, trainSeconds). */
  ci95: Record<string, Interval>;
  /** Steps-/time-to-target on the validation metric: over the seeds that reached it. */
  toTarget: { target: number; reached: number; of: number; steps: MeanStd; seconds: MeanStd } | null;
  /** Final test metric per seed (the paired comparisons use it). */
  finalTestBySeed: Record<number, number>;
  curve: CurvePoint[];
  /** Every evaluation (epoch ends and --eval-every points) aligned by step, mean ± std over seeds. */
  evalCurve: EvalCurvePoint[];
  /** Per-step training loss, mean ± std over seeds (unsmoothed; the report smooths). */
  stepLoss: Array<{ step: number; loss: MeanStd }>;
  /** The learning-rate schedule (first seed's run), sampled at up to 200 steps. */
  lrCurve: Array<{ step: number; lr: number }>;
}

export interface TaskSummary {
  task: string;
  description: string;
  metric: 'accuracy' | 'bpc';
  notes: string[];
  optimizers: OptimizerSummary[];
  /** Each method against the reference: differences with CIs, Welch and paired tests, Holm, TOST. */
  comparisons: Comparisons | null;
  /** Number of runs and the sum of their recorded training and evaluation times (s). */
  runs: number;
  trainSeconds: number;
  evalSeconds: number;
}

export interface Summary {
  created: string;
  tasks: TaskSummary[];
  /** Report options the summary was made with (loss scale for the charts). */
  options?: ReportOptions;
  /** Reproducibility metadata of the process that wrote the summary (each run's own is in its result.json). */
  meta?: ReproMeta;
}

export interface RunMeta {
  description: string;
  metric: 'accuracy' | 'bpc';
  notes: string[];
  hpSource: Record<string, string>;
  /** TOST margin of the task (TaskSpec.margin) in report units; absent in older compare.json files. */
  margin?: number;
}

/** Every `result.json` under `dir` (recursively), with the compare metadata of its run directory. */
export function collectResults(dir: string): RunResult[] {
  const out: RunResult[] = [];
  const walk = (d: string): void => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (name === 'result.json') out.push(JSON.parse(readFileSync(p, 'utf8')) as RunResult);
    }
  };
  if (!existsSync(dir)) throw new Error(`${dir}: no such run directory`);
  walk(dir);
  return out;
}

export function readMeta(dir: string): Record<string, RunMeta> {
  const p = join(dir, 'compare.json');
  return existsSync(p) ? ((JSON.parse(readFileSync(p, 'utf8')) as { meta: Record<string, RunMeta> }).meta ?? {}) : {};
}

const scale = (metric: string) => (metric === 'accuracy' ? 100 : 1);

export function summarize(results: RunResult[], meta: Record<string, RunMeta>, options: ReportOptions = {}): Summary {
  const byTask = new Map<string, RunResult[]>();
  for (const r of results) byTask.set(r.task, [...(byTask.get(r.task) ?? []), r]);
  const tasks: TaskSummary[] = [];
  for (const [task, rs] of byTask) {
    const m = meta[task];
    const metric = m?.metric ?? (rs[0].final.val.metric > 1 ? 'bpc' : 'accuracy');
    const k = scale(metric);
    const precisions = new Set(rs.map((r) => r.precision));
    const groups = new Map<string, RunResult[]>();
    for (const r of rs) {
      const key = precisions.size > 1 ? `${r.optimizer}@${r.precision}` : r.optimizer;
      groups.set(key, [...(groups.get(key) ?? []), r]);
    }
    const optimizers: OptimizerSummary[] = [];
    for (const [key, g] of groups) {
      g.sort((a, b) => a.seed - b.seed);
      const epochs = Math.max(...g.map((r) => r.epochs.length));
      const curve: CurvePoint[] = [];
      for (let e = 0; e < epochs; e++) {
        const at = g.map((r) => r.epochs[e]).filter((x) => x !== undefined);
        curve.push({
          epoch: at[0].epoch,
          test: meanStd(at.filter((x) => x.test).map((x) => x.test!.metric * k)),
          val: meanStd(at.map((x) => x.val.metric * k)),
          trainLoss: meanStd(at.map((x) => x.trainLoss)),
          seconds: meanStd(at.map((x) => x.trainSeconds)),
        });
      }
      // A diverged run counts with its (NaN/garbage) final metric instead of being dropped.
      const finalOf = (r: RunResult, split: 'test' | 'val') => (r.diverged ? NaN : (r.final[split]?.metric ?? NaN) * k);
      const trainEvalOf = (r: RunResult) => (r.diverged ? NaN : (r.final.trainEval?.metric ?? NaN) * k);
      // Results written before trainEval existed have none: n/a, not NaN.
      const withTrainEval = g.filter((r) => r.diverged || r.final.trainEval);
      const bestOf = (r: RunResult): number => {
        const xs = r.epochs.filter((x) => x.test).map((x) => x.test!.metric * k);
        if (r.diverged || xs.length === 0) return NaN;
        return metric === 'accuracy' ? Math.max(...xs) : Math.min(...xs);
      };
      optimizers.push({
        key,
        optimizer: g[0].optimizer,
        label: optimizerLabel(g[0].optimizer) + (precisions.size > 1 ? ` (${g[0].precision})` : ''),
        precision: g[0].precision,
        hp: g[0].hp,
        hpSource: m?.hpSource?.[g[0].optimizer] ?? 'unknown',
        seeds: g.map((r) => r.seed),
        diverged: g.filter((r) => r.diverged).length,
        failures: g.filter((r) => r.diverged).map((r) => `seed ${r.seed}: ${r.failure ?? 'diverged'}`),
        finalTest: meanStd(g.map((r) => finalOf(r, 'test'))),
        bestTest: meanStd(g.map(bestOf)),
        finalVal: meanStd(g.map((r) => finalOf(r, 'val'))),
        finalTrainLoss: meanStd(g.map((r) => r.final.trainLoss)),
        msPerStep: meanStd(g.map((r) => r.msPerStep)),
        trainSeconds: meanStd(g.map((r) => r.trainSeconds)),
        finalTrainEval: meanStd(withTrainEval.map(trainEvalOf)),
        gap: meanStd(withTrainEval.map((r) => trainEvalOf(r) - finalOf(r, 'val'))),
        ci95: {
          finalTest: ci95(g.map((r) => finalOf(r, 'test'))),
          bestTest: ci95(g.map(bestOf)),
          finalVal: ci95(g.map((r) => finalOf(r, 'val'))),
          finalTrainEval: ci95(withTrainEval.map(trainEvalOf)),
          gap: ci95(withTrainEval.map((r) => trainEvalOf(r) - finalOf(r, 'val'))),
          finalTrainLoss: ci95(g.map((r) => r.final.trainLoss)),
          trainSeconds: ci95(g.map((r) => r.trainSeconds)),
        },
        toTarget: targetOf(g),
        finalTestBySeed: Object.fromEntries(g.map((r) => [r.seed, finalOf(r, 'test')])),
        curve,
        evalCurve: evalCurve(g, k),
        stepLoss: stepLossCurve(g),
        lrCurve: scheduleCurve(g[0]),
      });
    }
    const order = ['sgd', 'adamw', 'rfrmsprop', 'rfadamw', 'ifshampoo', 'shampoo'];
    optimizers.sort((a, b) => (order.indexOf(a.optimizer) + 99) % 99 - (order.indexOf(b.optimizer) + 99) % 99 || a.key.localeCompare(b.key));
    tasks.push({
      task,
      description: m?.description ?? task,
      metric,
      notes: m?.notes ?? [],
      optimizers,
      comparisons: compareMethods(optimizers, metric, { ...options, margin: options.margin ?? m?.margin ?? TASKS[task]?.margin }),
      runs: rs.length,
      trainSeconds: rs.reduce((a, r) => a + r.trainSeconds, 0),
      evalSeconds: rs.reduce((a, r) => a + r.epochs.reduce((b, e) => b + (e.evalSeconds ?? 0), 0), 0),
    });
  }
  return { created: new Date().toISOString(), tasks, options };
}

/** Steps-/time-to-target over the seeds that reached it (null when the runs predate the field). */
function targetOf(g: RunResult[]): OptimizerSummary['toTarget'] {
  const t = g.map((r) => r.toTarget).filter((x) => x !== undefined);
  if (t.length === 0) return null;
  const hit = t.filter((x) => x.steps !== null);
  return { target: t[0].target, reached: hit.length, of: g.length, steps: meanStd(hit.map((x) => x.steps!)), seconds: meanStd(hit.map((x) => x.seconds!)) };
}

/**
 * The results of a compare directory: exactly the runs its last `compare` listed in compare.json
 * (by configuration key), so results of other configurations kept in the same --out stay out;
 * directories written before runs were keyed: every result.json under runs/.
 */
export function compareResults(dir: string): RunResult[] {
  const p = join(dir, 'compare.json');
  const runs = existsSync(p) ? (JSON.parse(readFileSync(p, 'utf8')) as { runs?: Array<{ dir: string }> }).runs : undefined;
  if (!runs) return collectResults(join(dir, 'runs'));
  return runs.map((r) => join(dir, r.dir, 'result.json')).filter((f) => existsSync(f)).map((f) => JSON.parse(readFileSync(f, 'utf8')) as RunResult);
}
