import { join } from 'node:path';
import { reproMeta } from '../provenance/meta.js';
import { runKeyOf, type RunKeyConfig } from '../runKey.js';
import { getTask } from '../tasks.js';
import { trainRun, type RunResult } from '../train/run.js';
import type { ProgressSink } from '../train/progress.js';
import type { RunJob } from './jobs.js';

/**
 * Runs a job in this process (with `job.resume`, from its checkpoint if one exists). `keyed`: the
 * job's key when the caller has it (a worker gets it from the parent, which hashed the data). The result
 * carries the job's key and configuration and this process's reproducibility metadata; a run
 * that ends without a result (e.g. a checkpoint already past the budget) is an error.
 */
export async function executeJob(job: RunJob, progress: boolean | 'lines' | ProgressSink, keyed: { key: string; config: RunKeyConfig } = runKeyOf(job)): Promise<RunResult> {
  const { key, config } = keyed;
  const r = await trainRun({
    task: getTask(job.task),
    budget: job.budget,
    optimizer: job.optimizer,
    hp: job.hp,
    seed: job.seed,
    precision: job.precision,
    dataSource: job.dataSource,
    outDir: job.outDir,
    resume: job.resume,
    evalEvery: job.evalEvery,
    target: job.target,
    progress,
    label: `${job.optimizer}/seed${job.seed}`,
    record: { key, config, meta: reproMeta() },
  });
  if (!r.completed) throw new Error(`${job.optimizer}/seed${job.seed}: the run ended without a result (${join(job.outDir, 'result.json')} not written)`);
  return r;
}
