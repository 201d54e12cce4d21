import { useBackend } from 'rootfree';
import '../../tfjsSetup.js';
import { runTune } from '../../harness/tune/search.js';
import { intFlag, stringFlag, type ParsedArgs } from '../args.js';
import type { Command } from '../command.js';
import { parallelismFlags } from '../parallelism.js';
import { parseBackendFlag, parseBudgetOverride, parsePrecisionFlag } from './compare.js';

export const command: Command = {
  name: 'tune',
  summary:
    'Random search (log-uniform ranges, SPEC §7.3 style, same budget for every optimizer) with selection on the validation split.\n' +
    'Every trial goes to <out>/stage{1,2}.jsonl; re-running continues. The best configuration is written to runs/hparams.tuned.json, which compare uses.',
  usage: 'rootfree tune --task T --optimizer O --trials N [--stage2] [--budget quick|full] [--epochs E] [--train-subset N] [--val-subset N] [--precision fp32|bf16] [--out runs/tune/<task>/<opt>] [--seed 1] [--jobs N] [--threads T] [--backend wasm|cpu] [--hparams file]',
  async run(args: ParsedArgs): Promise<number> {
    const task = stringFlag(args, 'task', 'fmnist-cnn');
    const optimizer = stringFlag(args, 'optimizer', '');
    if (!optimizer) throw new Error(`--optimizer is required\nusage: ${this.usage}`);
    const budget = stringFlag(args, 'budget', 'quick');
    if (budget !== 'quick' && budget !== 'full') throw new Error(`--budget: expected quick or full, got '${budget}'`);
    const backend = parseBackendFlag(args);
    const { jobs, threads } = parallelismFlags(args, backend);
    if (jobs <= 1) await useBackend(backend, { threads });
    await runTune({
      task,
      optimizer,
      trials: intFlag(args, 'trials', 20, 1),
      stage2: args.flags.stage2 === true,
      budget,
      budgetOverride: parseBudgetOverride(args),
      precision: parsePrecisionFlag(args),
      out: stringFlag(args, 'out', `runs/tune/${task}/${optimizer}`),
      backend,
      dataSource: typeof args.flags.data === 'string' ? args.flags.data : undefined,
      tunedFile: typeof args.flags.hparams === 'string' ? args.flags.hparams : undefined,
      seed: intFlag(args, 'seed', 1, 0),
      jobs,
      threads,
    });
    return 0;
  },
};
