import { getTask } from '../tasks.js';
import { trainRun, type RunResult } from '../train/run.js';
import type { RunJob } from './jobs.js';

/** Runs a job in this process (with `job.resume`, from its checkpoint if one exists). */
export async function executeJob(job: RunJob, progress: boolean | 'lines'): Promise<RunResult> {
  return trainRun({
    task: getTask(job.task),
    budget: job.budget,
    optimizer: job.optimizer,
    hp: job.hp,
    seed: job.seed,
    precision: job.precision,
    dataSource: job.dataSource,
    outDir: job.outDir,
    resume: job.resume,
    progress,
    label: `${job.optimizer}/seed${job.seed}`,
  });
}
