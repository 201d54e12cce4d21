import { createHash } from 'node:crypto';
import type { RunJob } from '../compare/jobs.js';
import type { RunKeyConfig } from '../runKey.js';
import type { Identity } from './identity.js';

/** The BullMQ queue every coordinator and worker on one Redis database uses. */
export const QUEUE_NAME = 'rootfree-runs';

/** Bump when the job data or the returned value change shape. */
export const PROTOCOL = 1;

/** The files a run leaves in its directory; the worker ships them, the coordinator writes them. */
export const RUN_FILES = ['metrics.jsonl', 'checkpoint.json', 'result.json'] as const;

/** A run as it travels in a job: its full configuration, without the coordinator's directory. */
export interface RunSpec extends Omit<RunJob, 'outDir'> {
  /** `trial 1.3` / `sgd/seed2`: how logs on both sides name it. */
  label: string;
}

export interface JobData {
  protocol: number;
  run: RunSpec;
  /** What the coordinator runs; a worker that differs refuses the job. */
  identity: Identity;
  /** The run's key and configuration as the coordinator computed them (harness/runKey.ts): result.json carries them, as locally. */
  keyed: { key: string; config: RunKeyConfig };
  /** `host pid out-dir` of the coordinator, for the worker's log. */
  origin: string;
}

export interface JobReturn {
  worker: string;
  /** gzip + base64 of each file in {@link RUN_FILES} that the run wrote. */
  files: Record<string, string>;
}

/** Prefix of a refused job's failure reason (the coordinator re-queues those and shows the reason). */
export const REFUSED = 'refused: ';

/**
 * Job id: the run's configuration, where the coordinator writes it and what code and data it
 * needs. Re-adding the same run after a coordinator restart finds the existing job instead of
 * queueing a duplicate; a change of code or data makes a new job.
 */
export function jobId(run: RunSpec, outDir: string, identity: Identity): string {
  const { label: _label, ...config } = run;
  void _label;
  return createHash('sha256').update(JSON.stringify({ config, outDir, identity, protocol: PROTOCOL })).digest('hex').slice(0, 32);
}
