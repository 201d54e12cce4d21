import { fork, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { RunResult } from '../train/run.js';
import type { RunJob } from './jobs.js';

function workerPath(): string {
  // Built CLI: worker.js next to this file; from source (tsx): worker.ts, forked with tsx's loader (execArgv).
  for (const ext of ['.js', '.ts']) {
    const p = fileURLToPath(new URL(`./worker${ext}`, import.meta.url));
    if (existsSync(p)) return p;
  }
  throw new Error('compare worker module not found');
}

/** Runs jobs on `n` child processes (`threads` wasm threads each), each job on the first free worker. */
export async function runPool(jobs: RunJob[], n: number, onDone: (job: RunJob, r: RunResult) => void, threads = 1): Promise<void> {
  const queue = [...jobs];
  const path = workerPath();
  const errors: string[] = [];
  const one = (): Promise<void> =>
    new Promise((resolve) => {
      const child: ChildProcess = fork(path, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
      let current: RunJob | undefined;
      const next = (): void => {
        current = queue.shift();
        if (!current || errors.length) {
          child.kill();
          return resolve();
        }
        child.send({ job: current, threads });
      };
      child.on('message', (m: { ready?: boolean; ok?: boolean; result?: RunResult; error?: string }) => {
        if (m.ready) return next();
        if (m.ok) onDone(current!, m.result!);
        else errors.push(`${current!.optimizer}/seed${current!.seed}: ${m.error}`);
        next();
      });
      child.on('exit', (code) => {
        if (current && code !== 0 && code !== null) errors.push(`worker exited with code ${code} during ${current.optimizer}/seed${current.seed}`);
        resolve();
      });
    });
  await Promise.all(Array.from({ length: Math.min(n, jobs.length) }, one));
  if (errors.length) throw new Error(`compare: ${errors.length} run(s) failed:\n${errors.join('\n')}`);
}
