import type { Budget, BudgetName } from './tasks.js';

/** What `compare` and `tune` share: the runs' configuration and where and how they execute. */
export interface RunSetOptions {
  task: string;
  budget: BudgetName;
  /** Overrides of the named budget (tests, `--epochs`). */
  budgetOverride?: Partial<Budget>;
  precision: 'float32' | 'bfloat16';
  out: string;
  backend: 'wasm' | 'cpu';
  dataSource?: string;
  tunedFile?: string;
  /** Worker processes (1 = in this process). */
  jobs: number;
  /** `redis://host:port[/db]`: run on `rootfree worker`s through this queue instead of locally (`jobs` unused). */
  queue?: string;
  /** wasm XNNPACK threads per run (1 when omitted; ignored by the cpu backend). */
  threads?: number;
  log?: (s: string) => void;
}
