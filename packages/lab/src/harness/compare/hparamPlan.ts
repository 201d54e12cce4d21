import { tuneCommand, type CommittedTable } from '../committedTuned.js';
import { hparamsFor, type HpChoice, type TunedFile } from '../hparams.js';
import { optimizerLabel } from '../optimizers.js';
import type { BudgetName } from '../tasks.js';

export interface HparamPlan {
  choices: Record<string, HpChoice>;
  untuned: string[];
  /** What `compare` prints: one line per method, and the command that would tune the untuned ones. */
  lines: string[];
}

/**
 * Hyper-parameters per method: a tuned file's entry (--hparams or runs/hparams.tuned.json) first,
 * then values committed with the code for this task at this named budget (never for an overridden
 * budget: that is a different tuning problem), else the defaults, labelled "defaults, not tuned".
 */
export function hparamPlan(task: string, budget: BudgetName, overridden: boolean, optimizers: string[], tuned: TunedFile, committed: CommittedTable): HparamPlan {
  const table = overridden ? undefined : committed[task]?.[budget];
  const choices = Object.fromEntries(optimizers.map((o) => [o, hparamsFor(task, o, tuned, table)]));
  const untuned = optimizers.filter((o) => !choices[o].tuned);
  const lines = optimizers.map((o) => `hyper-parameters ${optimizerLabel(o)}: ${choices[o].source}`);
  if (untuned.length) {
    lines.push(
      `no tuned values for ${untuned.map(optimizerLabel).join(', ')} on ${task} at the '${budget}' budget${overridden ? ' (overridden)' : ''}; ` +
        `to produce them: ${tuneCommand(task, budget, untuned)}; then pass --hparams runs/tune/${task}-${budget}/hparams.tuned.json`,
    );
  }
  return { choices, untuned, lines };
}
