import { useBackend } from 'rootfree';
import '../../tfjsSetup.js';
import { runCompare } from '../../harness/compare/compare.js';
import { DEFAULT_OPTIMIZERS } from '../../harness/optimizers.js';
import { TASKS } from '../../harness/tasks.js';
import { intFlag, listFlag, numberFlag, optionalString, stringFlag, type ParsedArgs } from '../args.js';
import type { Command } from '../command.js';
import { parallelismFlags } from '../parallelism.js';
import { noteBackendThreads } from '../../harness/provenance/meta.js';
import { budgetFlag, dataFlag, OPTIMIZER_NAMES, parseBackendFlag, parseBudgetOverride, parsePrecisionFlag, REPORT_OPTIONS, reportFlags, taskFlag, TRAINING_OPTIONS } from './shared.js';

export { parseBackendFlag, parseBudgetOverride, parsePrecisionFlag } from './shared.js';

export const command: Command = {
  name: 'compare',
  summary:
    'Trains every optimizer on a task with several seeds and writes a comparison (table, report.html, summary.md, summary.json, metrics.csv).\n' +
    `Tasks: ${Object.keys(TASKS).join(', ')}. Each run is keyed by its full configuration: a finished run in --out is reused only when its key matches; ` +
    '--resume continues unfinished ones from their last (validated) epoch checkpoint, otherwise they restart.',
  usage: 'rootfree compare [options]',
  options: {
    ...TRAINING_OPTIONS,
    optimizers: { type: 'string', value: 'a,b,...', description: `optimizers; default ${DEFAULT_OPTIMIZERS.join(',')}` },
    seeds: { type: 'string', value: 'N', description: 'number of seeds; default 2' },
    'first-seed': { type: 'string', value: 'K', description: 'seeds K..K+N-1 (final seeds apart from a tuning seed); default 1' },
    out: { type: 'string', value: 'dir', description: 'output directory; default runs/<task>-<budget>[-bf16]' },
    resume: { type: 'boolean', description: 'continue unfinished runs from their checkpoints' },
    'eval-every': { type: 'string', value: 'K', description: 'also evaluate every K optimizer steps (default: epoch ends only)' },
    target: { type: 'string', value: 'V', description: 'val goal for steps/time-to-target (fraction or bpc); default task\'s' },
    ...REPORT_OPTIONS,
    queue: { type: 'string', value: 'url', description: 'redis://[user:password@]host:port[/db]: train on `rootfree worker`s (docs/HARNESS.md)' },
  },
  async run(args: ParsedArgs): Promise<number> {
    const task = taskFlag(args);
    const budget = budgetFlag(args);
    const optimizers = listFlag(args, 'optimizers', DEFAULT_OPTIMIZERS, OPTIMIZER_NAMES(), 'optimizer');
    const seeds = intFlag(args, 'seeds', 2, 1);
    const firstSeed = intFlag(args, 'first-seed', 1, 1);
    const precision = parsePrecisionFlag(args);
    const backend = parseBackendFlag(args);
    const out = stringFlag(args, 'out', `runs/${task}-${budget}${precision === 'bfloat16' ? '-bf16' : ''}`);
    const { jobs, threads } = parallelismFlags(args, backend);
    const budgetOverride = parseBudgetOverride(args);
    const dataSource = dataFlag(args);
    const tunedFile = optionalString(args, 'hparams');
    const queue = optionalString(args, 'queue');
    if (jobs <= 1 && !queue) {
      await useBackend(backend, { threads });
      noteBackendThreads(threads);
    }
    const evalEvery = args.flags['eval-every'] !== undefined ? intFlag(args, 'eval-every', 0, 1) : undefined;
    const target = numberFlag(args, 'target');
    const report = reportFlags(args);
    await runCompare({ task, optimizers, seeds, firstSeed, budget, budgetOverride, precision, out, backend, dataSource, tunedFile, jobs, threads, queue, resume: args.flags.resume === true, progress: true, evalEvery, target, report });
    return 0;
  },
};
