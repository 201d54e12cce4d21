import { OPTIMIZERS } from '../../harness/optimizers.js';
import { TASKS, type Budget, type BudgetName } from '../../harness/tasks.js';
import { suggestion } from '../../util/didYouMean.js';
import type { ReportOptions } from '../../harness/report/options.js';
import { choiceFlag, intFlag, numberFlag, optionalString, stringFlag, UsageError, type OptionsSpec, type ParsedArgs } from '../args.js';

/** Options shared by `compare` and `tune` (training configuration). */
export const TRAINING_OPTIONS: OptionsSpec = {
  task: { type: 'string', value: 'task', description: `task (${Object.keys(TASKS).join(', ')}); default fmnist-cnn` },
  budget: { type: 'string', value: 'quick|full', description: 'named budget; default quick' },
  epochs: { type: 'string', value: 'E', description: 'override the budget\'s epochs' },
  'train-subset': { type: 'string', value: 'N', description: 'override: first N training rows' },
  'val-subset': { type: 'string', value: 'N', description: 'override: first N validation rows' },
  'test-subset': { type: 'string', value: 'N', description: 'override: first N test rows' },
  'test-every': { type: 'string', value: 'K', description: 'evaluate the test split every K epochs and at the last (evaluation time only; default 1)' },
  'label-noise': { type: 'string', value: 'P', description: 'image tasks: give a fraction P of the training rows a wrong label (same rows for every run; default 0)' },
  precision: { type: 'string', value: 'fp32|bf16', description: 'optimizer-state precision; default fp32' },
  backend: { type: 'string', value: 'wasm|cpu', description: 'tfjs backend; default wasm' },
  data: { type: 'string', value: 'idx:<dir>', description: 'image tasks: IDX files instead of the packaged data' },
  jobs: { type: 'string', value: 'N', description: 'runs in parallel (one process each); default min(2, cores)' },
  threads: { type: 'string', value: 'T', description: 'wasm threads per run (1..2 by default, filling the cores left by --jobs)' },
  hparams: { type: 'string', value: 'file', description: 'tuned hyper-parameters; default runs/hparams.tuned.json' },
};

export function taskFlag(args: ParsedArgs): string {
  const t = stringFlag(args, 'task', 'fmnist-cnn');
  if (!TASKS[t]) throw new UsageError(`--task: unknown task '${t}'${suggestion(t, Object.keys(TASKS))}; known: ${Object.keys(TASKS).join(', ')}`);
  if (args.flags['label-noise'] !== undefined && TASKS[t].metric === 'bpc') throw new UsageError(`--label-noise: only image tasks have labels; ${t} is a text task`);
  return t;
}

export function budgetFlag(args: ParsedArgs): BudgetName {
  return choiceFlag<BudgetName>(args, 'budget', 'quick', { quick: 'quick', full: 'full' });
}

export function parsePrecisionFlag(args: ParsedArgs): 'float32' | 'bfloat16' {
  return choiceFlag(args, 'precision', 'float32', { fp32: 'float32', float32: 'float32', bf16: 'bfloat16', bfloat16: 'bfloat16' });
}

export function parseBackendFlag(args: ParsedArgs): 'wasm' | 'cpu' {
  return choiceFlag(args, 'backend', 'wasm', { wasm: 'wasm', cpu: 'cpu' });
}

export function dataFlag(args: ParsedArgs): string | undefined {
  const d = args.flags.data;
  if (d === undefined) return undefined;
  if (typeof d !== 'string' || !d.startsWith('idx:') || d.length <= 4) throw new UsageError(`--data: expected idx:<dir>, got '${String(d)}'`);
  return d;
}

export const OPTIMIZER_NAMES = (): string[] => Object.keys(OPTIMIZERS);

/**
 * `--epochs E`, `--train-subset N`, `--val-subset N`, `--test-subset N`, `--test-every K`, `--label-noise P`: overrides of the chosen budget (the study
 * uses them for budgets between quick and full; each run records the budget it used).
 */
export function parseBudgetOverride(args: ParsedArgs): Partial<Budget> | undefined {
  const o: Partial<Budget> = {};
  if (args.flags.epochs !== undefined) o.epochs = intFlag(args, 'epochs', 1, 1);
  if (args.flags['train-subset'] !== undefined) o.trainSubset = intFlag(args, 'train-subset', 1, 1);
  if (args.flags['val-subset'] !== undefined) o.valSubset = intFlag(args, 'val-subset', 1, 1);
  if (args.flags['test-subset'] !== undefined) o.testSubset = intFlag(args, 'test-subset', 1, 1);
  if (args.flags['test-every'] !== undefined) {
    const k = intFlag(args, 'test-every', 1, 1);
    if (k > 1) o.testEvery = k;
  }
  const noise = numberFlag(args, 'label-noise');
  if (noise !== undefined) {
    if (!(noise >= 0 && noise < 1)) throw new UsageError(`--label-noise: expected a fraction in [0, 1), got ${noise}`);
    if (noise > 0) o.labelNoise = noise;
  }
  return Object.keys(o).length > 0 ? o : undefined;
}

/** Options of the comparison report (compare and report). */
export const REPORT_OPTIONS: OptionsSpec = {
  reference: { type: 'string', value: 'optimizer', description: 'method the others are compared with; default adamw, else the first' },
  margin: { type: 'string', value: 'M', description: 'TOST margin (points or bits/char); default the task\'s, else 1 / 0.03' },
  'log-loss': { type: 'boolean', description: 'loss charts on a log scale' },
};

/** `--reference OPT`, `--margin M` (TOST, metric units: percentage points or bits/char), `--log-loss`. */
export function reportFlags(args: ParsedArgs): ReportOptions {
  const margin = numberFlag(args, 'margin');
  if (margin !== undefined && !(margin > 0)) throw new UsageError(`--margin: expected a number > 0, got ${margin}`);
  return { reference: optionalString(args, 'reference'), margin, logLoss: args.flags['log-loss'] === true };
}
