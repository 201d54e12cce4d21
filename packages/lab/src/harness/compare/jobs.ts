import type { BudgetName, Budget } from '../tasks.js';
import type { Hp } from '../optimizers.js';

/** One training run, as plain data (sent to worker processes). */
export interface RunJob {
  task: string;
  budget: Budget;
  budgetName: BudgetName | 'custom';
  optimizer: string;
  hp: Hp;
  seed: number;
  precision: 'float32' | 'bfloat16';
  dataSource?: string;
  outDir: string;
  backend: 'wasm' | 'cpu';
  /** Continue an unfinished run from its last epoch checkpoint (otherwise it restarts). */
  resume: boolean;
  /** Evaluate every k steps besides epoch ends (0/undefined: epoch ends only). */
  evalEvery?: number;
  /** Validation target for steps-/time-to-target (default: the task's). */
  target?: number;
}
