import { useBackend } from 'rootfree';
import '../../tfjsSetup.js';
import { SEARCH_SPACE } from '../../harness/hparams.js';
import { runTune } from '../../harness/tune/search.js';
import { suggestion } from '../../util/didYouMean.js';
import { intFlag, optionalString, stringFlag, UsageError, type ParsedArgs } from '../args.js';
import type { Command } from '../command.js';
import { parallelismFlags } from '../parallelism.js';
import { noteBackendThreads } from '../../harness/provenance/meta.js';
import { budgetFlag, dataFlag, parseBackendFlag, parseBudgetOverride, parsePrecisionFlag, taskFlag, TRAINING_OPTIONS } from './shared.js';

export const command: Command = {
  name: 'tune',
  summary:
    'Random search (log-uniform ranges, SPEC §7.3 style, same budget for every optimizer) with selection on the validation split.\n' +
    'Every trial goes to <out>/stage{1,2,3}.jsonl with its configuration key; re-running continues, reusing only trials of the same configuration. ' +
    'The best configuration is written to runs/hparams.tuned.json, which compare uses.\n' +
    'Trials train with seed 10000 + --seed (disjoint from compare\'s final seeds). A best trial at a range edge is warned about; --extend-edges widens that side and samples --trials more (stage 3).',
  usage: 'rootfree tune --optimizer O [options]',
  options: {
    ...TRAINING_OPTIONS,
    optimizer: { type: 'string', value: 'name', description: `optimizer to tune (required; ${Object.keys(SEARCH_SPACE).join(', ')})` },
    trials: { type: 'string', value: 'N', description: 'trials per stage; default 20' },
    stage2: { type: 'boolean', description: 'also run stage 2 (ranges narrowed around the best stage-1 trials)' },
    seed: { type: 'string', value: 'S', description: 'tuning seed (draws); trials train with seed 10000 + S; default 1' },
    'extend-edges': { type: 'boolean', description: 'best trial at a range edge: widen that side, sample again (stage 3)' },
    out: { type: 'string', value: 'dir', description: 'output directory; default runs/tune/<task>/<optimizer>' },
    queue: { type: 'string', value: 'url', description: 'redis://[user:password@]host:port[/db]: train on `rootfree worker`s (docs/HARNESS.md)' },
  },
  async run(args: ParsedArgs): Promise<number> {
    const task = taskFlag(args);
    const optimizer = stringFlag(args, 'optimizer', '');
    if (!optimizer) throw new UsageError(`rootfree tune: --optimizer is required\nusage: ${this.usage}`);
    const known = Object.keys(SEARCH_SPACE);
    if (!known.includes(optimizer)) throw new UsageError(`--optimizer: unknown optimizer '${optimizer}'${suggestion(optimizer, known)}; known: ${known.join(', ')}`);
    const budget = budgetFlag(args);
    const backend = parseBackendFlag(args);
    const { jobs, threads } = parallelismFlags(args, backend);
    const opts = {
      task,
      optimizer,
      trials: intFlag(args, 'trials', 20, 1),
      stage2: args.flags.stage2 === true,
      budget,
      budgetOverride: parseBudgetOverride(args),
      precision: parsePrecisionFlag(args),
      out: stringFlag(args, 'out', `runs/tune/${task}/${optimizer}`),
      backend,
      dataSource: dataFlag(args),
      tunedFile: optionalString(args, 'hparams'),
      seed: intFlag(args, 'seed', 1, 0),
      extendEdges: args.flags['extend-edges'] === true,
      jobs,
      threads,
      queue: optionalString(args, 'queue'),
    };
    if (jobs <= 1 && !opts.queue) {
      await useBackend(backend, { threads });
      noteBackendThreads(threads);
    }
    await runTune(opts);
    return 0;
  },
};
