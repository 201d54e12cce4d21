import { rmSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { UnrecoverableError, Worker, type Job } from 'bullmq';
import { ChildPool } from './childPool.js';
import { checkRedis } from './connect.js';
import { PROTOCOL, QUEUE_NAME, REFUSED, type JobData, type JobReturn } from './protocol.js';
import { parseQueueUrl, redisOptions } from './url.js';

export interface WorkerOptions {
  /** `redis://[user:password@]host:port[/db]` or `rediss://…`. */
  url: string;
  /** Runs at a time, one training process each. */
  concurrency: number;
  /** wasm threads per training process (bitwise the same results as 1, docs/THREADS.md). Default 1. */
  threads?: number;
  /** Scratch directory for the runs in progress (each run's files are shipped, then deleted). */
  workDir: string;
  /**
   * A job whose worker stops renewing its lock for this long is taken back and given to another
   * worker (BullMQ's lock duration and stalled-job check interval). Default 30.
   */
  stalledSeconds?: number;
  /** How the worker names itself in the queue and in the coordinator's log. Default `<host>/<pid>`. */
  name?: string;
  log?: (s: string) => void;
}

export interface WorkerHandle {
  name: string;
  /** Resolves with the exit code: 0 after `stop`, 3 after refusing a job (code or data differ). */
  done: Promise<number>;
  /** Stops taking jobs; lets running ones finish unless `force` (then they go back to the queue). */
  stop(force?: boolean): Promise<void>;
}

/** A job may stall this often (its worker died) before it counts as failed. */
const MAX_STALLS = 3;

/** `rootfree worker`: takes runs from the queue and trains them in child processes. */
export async function startWorker(o: WorkerOptions): Promise<WorkerHandle> {
  const log = o.log ?? ((s: string) => console.log(s));
  const url = parseQueueUrl(o.url);
  await checkRedis(url);
  const name = o.name ?? `${hostname()}/${process.pid}`;
  const stalledMs = Math.round((o.stalledSeconds ?? 30) * 1000);
  const pool = new ChildPool(o.concurrency);
  let exitCode = 0;
  let stopping: Promise<void> | undefined;

  // A worker that cannot run a coordinator's jobs stops, so it does not take (and refuse) them all.
  const refuse: (label: string, why: string) => never = (label, why) => {
    log(`refusing ${label}: ${why}. This worker stops: update its code or data to match the coordinator's.`);
    exitCode = 3;
    void handle.stop();
    throw new UnrecoverableError(`${REFUSED}worker ${name} refused it: ${why}`);
  };

  const process_ = async (job: Job<JobData, JobReturn>): Promise<JobReturn> => {
    if (job.data.protocol !== PROTOCOL) refuse(job.name, `job protocol ${job.data.protocol}, this worker's ${PROTOCOL} (other rootfree-lab versions)`);
    // The id names a directory this worker deletes: only ids the coordinator makes (hex) are accepted.
    if (!/^[0-9a-f]{32}$/.test(job.id ?? '')) throw new UnrecoverableError(`worker ${name}: job id ${JSON.stringify(job.id)} is not one rootfree makes; not run`);
    const { run, origin } = job.data;
    const outDir = join(o.workDir, job.id!);
    log(`${run.label} (${run.optimizer} on ${run.task}, seed ${run.seed}) from ${origin}: started`);
    const t0 = Date.now();
    const r = await pool.run({ data: job.data, outDir, threads: o.threads ?? 1 });
    if ('refused' in r) refuse(run.label, r.refused);
    if ('error' in r) throw new Error(`on worker ${name}: ${r.error}`);
    rmSync(outDir, { recursive: true, force: true });
    log(`${run.label}: done in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    return { worker: name, files: r.files };
  };

  const worker = new Worker<JobData, JobReturn>(QUEUE_NAME, process_, {
    connection: { ...redisOptions(url), maxRetriesPerRequest: null },
    name,
    concurrency: o.concurrency,
    lockDuration: stalledMs,
    stalledInterval: stalledMs,
    maxStalledCount: MAX_STALLS,
    autorun: false,
  });
  let lastError = '';
  worker.on('error', (e) => {
    if (e.message !== lastError) log(`worker: Redis error: ${e.message}`);
    lastError = e.message;
  });
  let finished!: (code: number) => void;
  const done = new Promise<number>((r) => (finished = r));
  const handle: WorkerHandle = {
    name,
    done,
    stop(force = false) {
      stopping ??= worker.close(force).finally(() => {
        pool.close();
        finished(exitCode);
      });
      return stopping;
    },
  };
  worker.run().catch((e: Error) => log(`worker: stopped on an error: ${e.message}`));
  await worker.waitUntilReady();
  log(`worker ${name}: ${o.concurrency} training process(es)${(o.threads ?? 1) > 1 ? ` × ${o.threads} wasm threads` : ''}, taking runs from ${url.display} (queue ${QUEUE_NAME})`);
  return handle;
}
