import { useBackend } from 'rootfree';
import '../../tfjsSetup.js';
import { runCompare } from '../../harness/compare/compare.js';
import { DEFAULT_OPTIMIZERS } from '../../harness/optimizers.js';
import { TASKS, type Budget } from '../../harness/tasks.js';
import { intFlag, stringFlag, type ParsedArgs } from '../args.js';
import type { Command } from '../command.js';
import { parallelismFlags } from '../parallelism.js';

export function parsePrecisionFlag(args: ParsedArgs): 'float32' | 'bfloat16' {
  const p = stringFlag(args, 'precision', 'fp32');
  if (p === 'fp32' || p === 'float32') return 'float32';
  if (p === 'bf16' || p === 'bfloat16') return 'bfloat16';
  throw new Error(`--precision: expected fp32 or bf16, got '${p}'`);
}

export function parseBackendFlag(args: ParsedArgs): 'wasm' | 'cpu' {
  const b = stringFlag(args, 'backend', 'wasm');
  if (b !== 'wasm' && b !== 'cpu') throw new Error(`--backend: expected wasm or cpu, got '${b}'`);
  return b;
}

/**
 * `--epochs E`, `--train-subset N`, `--val-subset N`, `--test-subset N`: overrides of the chosen budget (the study
 * uses them for budgets between quick and full; each run records the budget it used).
 */
export function parseBudgetOverride(args: ParsedArgs): Partial<Budget> | undefined {
  const o: Partial<Budget> = {};
  if (args.flags.epochs !== undefined) o.epochs = intFlag(args, 'epochs', 1, 1);
  if (args.flags['train-subset'] !== undefined) o.trainSubset = intFlag(args, 'train-subset', 1, 1);
  if (args.flags['val-subset'] !== undefined) o.valSubset = intFlag(args, 'val-subset', 1, 1);
  if (args.flags['test-subset'] !== undefined) o.testSubset = intFlag(args, 'test-subset', 1, 1);
  return Object.keys(o).length > 0 ? o : undefined;
}

export const command: Command = {
  name: 'compare',
  summary:
    'Trains every optimizer on a task with several seeds and writes a comparison (table, report.html, summary.md, summary.json).\n' +
    `Tasks: ${Object.keys(TASKS).join(', ')}. Finished runs in --out are reused; --resume continues unfinished ones from their last epoch checkpoint (otherwise they restart).`,
  usage:
    'rootfree compare [--task fmnist-cnn] [--optimizers sgd,adamw,rfrmsprop,rfadamw,ifshampoo,shampoo] [--seeds 2] [--budget quick|full] ' +
    '[--precision fp32|bf16] [--out runs/<name>] [--backend wasm|cpu] [--data idx:<dir>] [--jobs N] [--threads T] [--epochs E] [--train-subset N] [--val-subset N] [--test-subset N] [--hparams runs/hparams.tuned.json] [--resume]',
  async run(args: ParsedArgs): Promise<number> {
    const task = stringFlag(args, 'task', 'fmnist-cnn');
    const budget = stringFlag(args, 'budget', 'quick');
    if (budget !== 'quick' && budget !== 'full') throw new Error(`--budget: expected quick or full, got '${budget}'`);
    const optimizers = stringFlag(args, 'optimizers', DEFAULT_OPTIMIZERS.join(',')).split(',').map((s) => s.trim().toLowerCase()).filter(Boolean);
    const seeds = intFlag(args, 'seeds', 2, 1);
    const precision = parsePrecisionFlag(args);
    const backend = parseBackendFlag(args);
    const out = stringFlag(args, 'out', `runs/${task}-${budget}${precision === 'bfloat16' ? '-bf16' : ''}`);
    const { jobs, threads } = parallelismFlags(args, backend);
    const budgetOverride = parseBudgetOverride(args);
    const data = typeof args.flags.data === 'string' ? args.flags.data : undefined;
    if (jobs <= 1) await useBackend(backend, { threads });
    await runCompare({
      task,
      optimizers,
      seeds,
      budget,
      budgetOverride,
      precision,
      out,
      backend,
      dataSource: data,
      tunedFile: typeof args.flags.hparams === 'string' ? args.flags.hparams : undefined,
      jobs,
      threads,
      resume: args.flags.resume === true,
      progress: true,
    });
    return 0;
  },
};
