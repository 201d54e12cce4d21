import type { Hp, HpName } from '../optimizers.js';
import type { TaskSpec } from '../tasks.js';

export type Ranges = Partial<Record<HpName, [number, number]>>;

export interface Trial {
  /** 1: full ranges; 2: narrowed to the best stage-1 trials; 3: ranges widened by --extend-edges. */
  stage: 1 | 2 | 3;
  trial: number;
  hp: Hp;
  /** Final-epoch validation metric (accuracy in [0, 1] or bits/char); NaN when diverged. */
  val: number;
  valLoss: number;
  diverged: boolean;
  trainSeconds: number;
  /** Run key of the trial's configuration (harness/runKey.ts); only trials with the expected key are reused. */
  key?: string;
}

/** Higher is better: accuracy as is, bits/char negated; diverged trials rank last. */
export function score(task: TaskSpec, t: Trial): number {
  if (t.diverged || !Number.isFinite(t.val)) return -Infinity;
  return task.metric === 'accuracy' ? t.val : -t.val;
}
