import { fork, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { RunResult } from '../train/run.js';
import type { RunJob } from './jobs.js';
import type { MultiProgress } from './multiProgress.js';
import { runKeyOf } from '../runKey.js';

function workerPath(): string {
  // Built CLI: worker.js next to this file; from source (tsx): worker.ts, forked with tsx's loader (execArgv).
  for (const ext of ['.js', '.ts']) {
    const p = fileURLToPath(new URL(`./worker${ext}`, import.meta.url));
    if (existsSync(p)) return p;
  }
  throw new Error('compare worker module not found');
}

export interface PoolOutput {
  /** Whether workers print progress at all (tune runs its trials quietly). */
  progress: boolean;
  /** On a terminal: one line per worker, drawn by the parent; otherwise workers print plain lines. */
  display?: MultiProgress;
  /** wasm threads per worker (default 1). */
  threads?: number;
}

/** Runs jobs on `n` child processes (`output.threads` wasm threads each), each job on the first free worker. */
export async function runPool(jobs: RunJob[], n: number, onDone: (job: RunJob, r: RunResult) => void, output: PoolOutput = { progress: true }): Promise<void> {
  const queue = [...jobs];
  const path = workerPath();
  const errors: string[] = [];
  const one = (slot: number): Promise<void> =>
    new Promise((resolve) => {
      const child: ChildProcess = fork(path, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
      let current: RunJob | undefined;
      const next = (): void => {
        current = errors.length ? undefined : queue.shift();
        if (!current) {
          child.kill();
          return resolve();
        }
        child.send({ job: current, keyed: runKeyOf(current), threads: output.threads ?? 1, tty: !!output.display, progress: output.progress });
      };
      child.on('message', (m: { ready?: boolean; ok?: boolean; result?: RunResult; error?: string; progress?: string; line?: string }) => {
        if (m.ready) return next();
        if (m.progress !== undefined) return output.display?.set(slot, m.progress);
        if (m.line !== undefined) return output.display?.log(m.line);
        output.display?.set(slot, '');
        if (m.ok) onDone(current!, m.result!);
        else errors.push(`${current!.optimizer}/seed${current!.seed}: ${m.error}`);
        current = undefined;
        next();
      });
      child.on('exit', (code, signal) => {
        // Killed by a signal counts too: the run did not finish, and must not pass for done.
        if (current) errors.push(`worker ${signal ? `killed by ${signal}` : `exited with code ${code}`} during ${current.optimizer}/seed${current.seed} (its last epoch checkpoint remains; --resume continues it)`);
        current = undefined;
        resolve();
      });
    });
  try {
    await Promise.all(Array.from({ length: Math.min(n, jobs.length) }, (_, i) => one(i)));
  } finally {
    output.display?.done();
  }
  // Workers that died leave jobs nobody took: those runs were not trained either.
  for (const job of queue) errors.push(`${job.optimizer}/seed${job.seed}: not started (stopped after the failure above, or no worker left)`);
  if (errors.length) throw new Error(`compare: ${errors.length} run(s) failed:\n${errors.join('\n')}`);
}
