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

/** The command (from the repository root) behind the committed fmnist-cnn quick-budget values. */
const COMMAND = 'bash results/fmnist-cnn-quick-tuned/run-tune.sh';

/**
 * Hyper-parameters `compare` uses for a task at a named (not overridden) budget when no tuned file
 * is given. Only values from the current tuner belong here: trials trained on tuning seeds disjoint
 * from the final seeds (tune/search.ts, TUNE_SEED_OFFSET), selection on the validation split, the
 * command recorded. fmnist-cnn quick: the same 2-stage search for every default method (6 + 6
 * trials, a third stage only where the best trial sat at a range edge); the trials, their
 * configuration keys and the tuning report are in results/fmnist-cnn-quick-tuned/.
 */
export const COMMITTED_TUNED: CommittedTable = {
  'fmnist-cnn': {
    quick: {
      sgd: {
        hp: { lr: 0.31816975918763357, momentum: 0.6838191517490859, weightDecay: 1.0144616969183784e-05 },
        source: 'random search, 18 trials (3 stages), quick budget, tuning seed 1 (trials trained with seed 10001), best val acc 75.80%; best at a range edge (weightDecay low)',
        command: COMMAND,
      },
      adamw: {
        hp: { lr: 0.020597570130842853, momentum: 0.5739139402404578, lrCov: 0.016494077087663747, damping: 9.361122714389284e-11, weightDecay: 0.017885474221420367 },
        source: 'random search, 18 trials (3 stages), quick budget, tuning seed 1 (trials trained with seed 10001), best val acc 78.70%',
        command: COMMAND,
      },
      rfrmsprop: {
        hp: { lr: 0.011769026012348405, momentum: 0.5839764760544874, lrCov: 0.09765394983189285, damping: 1.4985240722860166e-05, weightDecay: 0.00028989931606653637 },
        source: 'random search, 18 trials (3 stages), quick budget, tuning seed 1 (trials trained with seed 10001), best val acc 77.60%; best at a range edge (lrCov high)',
        command: COMMAND,
      },
      rfadamw: {
        hp: { lr: 0.11769026012348399, momentum: 0.8459205445748625, lrCov: 0.09765394983189285, damping: 1.4985240722860166e-05, weightDecay: 0.00028989931606653637 },
        source: 'random search, 18 trials (3 stages), quick budget, tuning seed 1 (trials trained with seed 10001), best val acc 78.20%; best at a range edge (lrCov high)',
        command: COMMAND,
      },
      ifshampoo: {
        hp: { lr: 0.04358183356694484, momentum: 0.6283612345150255, lrCov: 0.3839883237292381, alpha2: 0.26452904078132333, damping: 0.00015110370149977616, weightDecay: 3.258154948913814e-05, T: 2 },
        source: 'random search, 18 trials (3 stages), quick budget, tuning seed 1 (trials trained with seed 10001), best val acc 83.10%',
        command: COMMAND,
      },
      shampoo: {
        hp: { lr: 0.04161112048290257, momentum: 0.4582773097937004, lrCov: 0.01726939730200584, damping: 1.726840238190476e-07, weightDecay: 0.0014101693441886938, T: 2 },
        source: 'random search, 18 trials (3 stages), quick budget, tuning seed 1 (trials trained with seed 10001), best val acc 73.00%',
        command: COMMAND,
      },
    },
  },
};

/** Trials per stage and stages that committed values are expected to come from. */
export const COMMITTED_TRIALS = 6;

/** The commands that produce committed tuned values for `task` at `budget` (one tune per optimizer, 2 stages). */
export function tuneCommand(task: string, budget: BudgetName, optimizers: string[]): string {
  return (
    `for o in ${optimizers.join(' ')}; do npx rootfree tune --task ${task} --budget ${budget} --optimizer $o ` +
    `--trials ${COMMITTED_TRIALS} --stage2 --extend-edges --seed 1 --out runs/tune/${task}-${budget}/$o --hparams runs/tune/${task}-${budget}/hparams.tuned.json; done`
  );
}
