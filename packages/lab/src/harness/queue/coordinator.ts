import { mkdirSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { Job, Queue } from 'bullmq';
import { getTask } from '../tasks.js';
import { runKeyOf } from '../runKey.js';
import type { RunJob } from '../compare/jobs.js';
import type { RunResult } from '../train/run.js';
import { writeAtomic } from '../../util/writeAtomic.js';
import { checkRedis } from './connect.js';
import { lockOutput } from './lock.js';
import { codeIdentity, dataIdentity, type Identity } from './identity.js';
import { jobId, PROTOCOL, QUEUE_NAME, REFUSED, type JobData, type JobReturn, type RunSpec } from './protocol.js';
import { parseQueueUrl, redisOptions } from './url.js';

export interface QueuedRun {
  job: RunJob;
  /** How logs name the run (`trial 1.3`, `sgd/seed2`). */
  label: string;
}

export interface QueueRunOptions {
  /** `redis://[user:password@]host:port[/db]` or `rediss://…`. */
  url: string;
  /** The sweep's output directory: one coordinator at a time may collect into it. */
  out: string;
  runs: QueuedRun[];
  /** Called once per run, after its files are in `job.outDir`, in the order results arrive. */
  onDone: (job: RunJob, result: RunResult) => void;
  log: (s: string) => void;
  /** How often the queue is polled for finished runs (ms). Default 1000. */
  pollMs?: number;
  /** How often a status line is printed (s). Default 60. */
  statusSeconds?: number;
}

/** Finished jobs the coordinator never collected (it died in between) expire from Redis after a week. */
const KEEP_SECONDS = 7 * 24 * 3600;

interface Pending {
  run: QueuedRun;
  id: string;
  data: JobData;
  /** Last seen worker, stall count and start count, to report moves between workers. */
  worker?: string;
  stalls: number;
  starts: number;
}

const firstLine = (s: string | undefined): string => (s ?? 'no reason given').split('\n')[0];

/** Writes the files a worker shipped into the run's directory, byte for byte, and returns its result. */
function writeRunFiles(outDir: string, ret: JobReturn, label: string): RunResult {
  mkdirSync(outDir, { recursive: true });
  const text: Record<string, string> = {};
  for (const [name, b64] of Object.entries(ret.files)) text[name] = gunzipSync(Buffer.from(b64, 'base64')).toString('utf8');
  if (text['result.json'] === undefined) throw new Error(`${label}: worker ${ret.worker} returned no result.json`);
  // result.json last: a run directory with a result is a finished run (compare reuses it).
  for (const name of Object.keys(text).filter((n) => n !== 'result.json')) writeAtomic(join(outDir, name), text[name]);
  writeAtomic(join(outDir, 'result.json'), text['result.json']);
  return JSON.parse(text['result.json']) as RunResult;
}

/** One job per run, with its deterministic id. */
function plan(runs: QueuedRun[]): Map<string, Pending> {
  const code = codeIdentity();
  const pending = new Map<string, Pending>();
  for (const run of runs) {
    const { outDir, ...config } = run.job;
    const spec: RunSpec = { ...config, label: run.label };
    const identity: Identity = { code, data: dataIdentity(getTask(spec.task).dataset, spec.dataSource) };
    const id = jobId(spec, `${hostname()}:${resolve(outDir)}`, identity);
    pending.set(id, { run, id, data: { protocol: PROTOCOL, run: spec, identity, keyed: runKeyOf(run.job), origin: `${hostname()} pid ${process.pid} ${resolve(outDir)}` }, stalls: 0, starts: 0 });
  }
  return pending;
}

type TrialQueue = Queue<JobData, JobReturn, string>;

const addJobs = (queue: TrialQueue, p: Pending[]) =>
  queue.addBulk(p.map((x) => ({ name: x.data.run.label, data: x.data, opts: { jobId: x.id, attempts: 1, removeOnComplete: { age: KEEP_SECONDS }, removeOnFail: { age: KEEP_SECONDS } } })));

/** Queues the runs an earlier coordinator did not, retries its failed ones; returns how many were queued now. */
async function reconcile(queue: TrialQueue, pending: Map<string, Pending>, log: (s: string) => void): Promise<number> {
  const fresh: Pending[] = [];
  for (const p of pending.values()) {
    const state = await queue.getJobState(p.id);
    if (state === 'unknown') fresh.push(p);
    else if (state === 'failed') {
      const job = await Job.fromId<JobData, JobReturn>(queue, p.id);
      log(`${p.run.label}: failed earlier (${firstLine(job?.failedReason)}); retrying`);
      await job?.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true });
    }
  }
  await addJobs(queue, fresh);
  return fresh.length;
}

/** Connected workers ('?' when the Redis user may not run CLIENT LIST, which counting them needs). */
const workerCount = (queue: TrialQueue): Promise<string> => queue.getWorkersCount().then(String, () => '?');

/** Every pending job's state, then (state first: a job read earlier could lack the result that made it 'completed') the job. */
function look(queue: TrialQueue, pending: Map<string, Pending>) {
  return Promise.all(
    [...pending.values()].map(async (p) => {
      const state = await queue.getJobState(p.id);
      const job = state === 'unknown' ? undefined : await Job.fromId<JobData, JobReturn>(queue, p.id);
      return { p, job, state };
    }),
  );
}

/**
 * Runs `runs` on `rootfree worker` processes through a BullMQ queue and writes their results as a
 * local run would. Jobs have deterministic ids, so a restarted coordinator finds the jobs it queued
 * (waiting, running, or finished while it was away) instead of queueing them again.
 */
export async function runQueued(o: QueueRunOptions): Promise<void> {
  const url = parseQueueUrl(o.url);
  await checkRedis(url);
  const pending = plan(o.runs);
  const total = pending.size;
  const lock = await lockOutput(url, o.out, o.log);
  const queue: TrialQueue = new Queue(QUEUE_NAME, { connection: redisOptions(url) });
  let lastError = '';
  queue.on('error', (e) => {
    if (e.message !== lastError) o.log(`queue: Redis error: ${e.message}`);
    lastError = e.message;
  });
  const errors: string[] = [];
  const refusals = new Set<string>();
  try {
    const fresh = await reconcile(queue, pending, o.log);
    const workers = await workerCount(queue);
    o.log(`queue ${url.display}: ${total} runs, ${fresh} queued now, ${total - fresh} already in the queue; ${workers} worker(s) connected`);
    if (workers === '0') o.log(`queue: no worker yet; start \`rootfree worker --queue ${url.display}\` on the worker machines`);

    let lastStatus = Date.now();
    while (pending.size > 0) {
      const counts: Record<string, number> = {};
      for (const { p, job, state } of await look(queue, pending)) {
        counts[state] = (counts[state] ?? 0) + 1;
        if (!job) {
          o.log(`${p.run.label}: no longer in the queue (Redis restarted or flushed?); queued again`);
          await addJobs(queue, [p]);
          continue;
        }
        if (job.stalledCounter > p.stalls) {
          o.log(`${p.run.label}: worker ${p.worker ?? '?'} stopped responding (stalled job); back in the queue for another worker`);
          p.stalls = job.stalledCounter;
        }
        if (state === 'active' && (job.attemptsStarted > p.starts || job.processedBy !== p.worker)) {
          o.log(`${p.run.label}: running on ${job.processedBy ?? 'a worker'}${job.attemptsStarted > 1 ? ` (start ${job.attemptsStarted})` : ''}`);
          p.worker = job.processedBy;
          p.starts = job.attemptsStarted;
        }
        if (state === 'completed') {
          const lost = lock.lost();
          if (lost) throw new Error(lost);
          const result = writeRunFiles(p.run.job.outDir, job.returnvalue, p.run.label);
          pending.delete(p.id);
          o.onDone(p.run.job, result);
          await job.remove().catch(() => {});
        } else if (state === 'failed') {
          const reason = job.failedReason ?? '';
          if (reason.startsWith(REFUSED)) {
            const why = reason.slice(REFUSED.length);
            if (!refusals.has(why)) o.log(`queue: ${p.run.label}: ${why}; the job goes back to the queue for another worker`);
            refusals.add(why);
            await job.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true });
          } else {
            errors.push(`${p.run.label}: ${reason}`);
            pending.delete(p.id);
          }
        }
      }
      if (pending.size > 0 && Date.now() - lastStatus >= (o.statusSeconds ?? 60) * 1000) {
        lastStatus = Date.now();
        const c = (s: string) => counts[s] ?? 0;
        o.log(`queue: ${total - pending.size}/${total} done, ${c('active')} running, ${c('waiting') + c('prioritized') + c('delayed')} waiting, ${await workerCount(queue)} worker(s) connected`);
      }
      if (pending.size > 0) await new Promise((r) => setTimeout(r, o.pollMs ?? 1000));
    }
  } finally {
    await queue.close();
    await lock.release();
  }
  if (errors.length) throw new Error(`${errors.length} queued run(s) failed (re-run the command to retry them):\n${errors.join('\n')}`);
}
