import type { RunSetOptions } from '../runSetOptions.js';
import type { Budget, BudgetName, TaskSpec } from '../tasks.js';

export interface NotesInput {
  task: TaskSpec;
  budgetName: BudgetName;
  /** The flags that changed the named budget (`--epochs`, `--train-subset`, ...), if any. */
  overridden: boolean;
  budget: Budget;
  /** Per method, where its hyper-parameters came from (`HpChoice.source`). */
  hpSource: Record<string, string>;
  /** How the runs execute (a Redis queue, or `jobs` local processes) and with what numerics. */
  run: Pick<RunSetOptions, 'queue' | 'jobs' | 'threads' | 'backend' | 'precision'>;
  firstSeed: number;
  seeds: number;
}

export function budgetText(b: Budget, task: string): string {
  if (task.startsWith('moby')) return `${b.epochs} epochs × ${b.stepsPerEpoch} steps, batch ${b.batchSize}, eval on ${b.evalTokens} tokens`;
  const sub = (n: number | undefined, what: string) => (n === undefined ? `all ${what}` : `first ${n} ${what}`);
  // "Clean train" means un-augmented and in inference mode; under label noise it still scores
  // against the labels trained on, wrong ones included, which a reader would not guess.
  const noise = b.labelNoise
    ? `, ${+(100 * b.labelNoise).toFixed(2)}% of the training labels wrong (label noise; the clean train-set metric scores against these labels)`
    : '';
  const test = b.testEvery && b.testEvery > 1 ? `, test split evaluated every ${b.testEvery} epochs and at the last` : '';
  return `${b.epochs} epochs, batch ${b.batchSize}, ${sub(b.trainSubset, 'train')} / ${sub(b.valSubset, 'val')} / ${sub(b.testSubset, 'test')} examples${noise}${test}`;
}

const TUNE_SOURCE = /^tuned: random search|^tuned \(committed with the code\)/;

/**
 * The caveats a compare report carries. Each says only what holds for this invocation: a budget
 * changed by flags is no longer the named budget (its size note would mislead), and hyper-parameters
 * read from a hand-written file are not `rootfree tune`'s selection.
 */
export function compareNotes(n: NotesInput): string[] {
  const { task, budget, run } = n;
  const sources = Object.values(n.hpSource);
  const budgetNote = n.overridden
    ? `A custom budget (the '${n.budgetName}' budget changed by flags): its size, and whether the runs converged, are what the budget line and the curves show.`
    : n.budgetName === 'quick'
      ? (task.quickNote ?? 'Quick budget: a small subset and few epochs, sized for ~10 minutes on a 2-core CPU. Smoke-level evidence, not converged results; differences within ± std are noise.')
      : 'Full budget.';
  const hpNote = sources.some((s) => s === 'defaults, not tuned')
    ? 'Hyper-parameters marked "defaults, not tuned" are starting points, not tuned for this task (run `rootfree tune`); rankings under them say little about the methods.'
    : sources.every((s) => TUNE_SOURCE.test(s))
      ? 'Hyper-parameters from `rootfree tune` (selection on the validation split).'
      : 'Hyper-parameters from a file given with --hparams whose entries are not all `rootfree tune` results: each method\'s source is listed with its values.';
  return [
    `Budget '${n.budgetName}'${n.overridden ? ' (overridden)' : ''}: ${budgetText(budget, task.name)}; LR schedule ${task.schedule.type}; ${task.augment ? `augmentation: random crop (pad ${task.augment.cropPad})${task.augment.flip ? ' + horizontal flip' : ''}` : 'no augmentation'}${task.labelSmoothing ? `; label smoothing ${task.labelSmoothing}` : ''}.`,
    budgetNote,
    run.queue
      ? `Runs execute on the workers of a Redis queue (one process per run, with the worker's --threads); ms/step depends on each worker's machine and load.`
      : `Runs execute ${run.jobs} at a time (one process each, ${run.backend === 'wasm' ? `${run.threads ?? 1} wasm thread(s) each` : 'single-threaded cpu'}); ms/step and wall-clock include any contention from other processes on the machine.`,
    `Seeds ${n.firstSeed}..${n.firstSeed + n.seeds - 1} (same data order and initialisation per seed across optimizers). Backend ${run.backend}; optimizer-state precision ${run.precision}${run.precision === 'bfloat16' ? ' (forward/backward stay float32)' : ''}.`,
    hpNote,
  ];
}
