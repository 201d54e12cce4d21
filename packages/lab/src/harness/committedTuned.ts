import type { Hp } from './optimizers.js';
import type { BudgetName } from './tasks.js';

export interface CommittedTuning {
  hp: Hp;
  /** What the tuning was: trials, stages, budget, tuning seed, best validation metric. */
  source: string;
  /** The exact command that produced `hp` (run from the repository root). */
  command: string;
}

/** Tuned values shipped with the code: task → budget name → optimizer. */
export type CommittedTable = Record<string, Partial<Record<BudgetName, Record<string, CommittedTuning>>>>;

/**
 * Hyper-parameters `compare` uses for a task at a named (not overridden) budget when no tuned file
 * is given. Only values from the current tuner belong here: trials trained on tuning seeds disjoint
 * from the final seeds (tune/search.ts, TUNE_SEED_OFFSET), selection on the validation split, the
 * command recorded. Empty today: the only quick-budget fmnist-cnn tuning in results/
 * (results/cnn-tune, 6 trials, stage 1) covers 4 of the 6 default methods and trained its trials on
 * seed 1, which is also the first final seed — so `compare` stays on "defaults, not tuned" and
 * prints {@link tuneCommand} instead.
 */
export const COMMITTED_TUNED: CommittedTable = {};

/** Trials per stage and stages that committed values are expected to come from. */
export const COMMITTED_TRIALS = 10;

/** The commands that produce committed tuned values for `task` at `budget` (one tune per optimizer, 2 stages). */
export function tuneCommand(task: string, budget: BudgetName, optimizers: string[]): string {
  return (
    `for o in ${optimizers.join(' ')}; do npx rootfree tune --task ${task} --budget ${budget} --optimizer $o ` +
    `--trials ${COMMITTED_TRIALS} --stage2 --seed 1 --out runs/tune/${task}-${budget}/$o --hparams runs/tune/${task}-${budget}/hparams.tuned.json; done`
  );
}
