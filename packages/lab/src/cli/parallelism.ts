import { availableParallelism } from 'node:os';
import { intFlag, UsageError, type ParsedArgs } from './args.js';

/** How `compare` and `tune` spend the machine's cores: processes in parallel × wasm threads each. */
export interface Parallelism {
  /** Runs in parallel, one child process each (1: in this process). */
  jobs: number;
  /** XNNPACK threads per run (wasm backend; the cpu backend always uses 1). */
  threads: number;
}

/** Threads per run are capped at 2: the count the threads test checks (docs/THREADS.md). */
const THREADS_MAX = 2;

/**
 * `--jobs J` and `--threads T`. Independent runs scale with processes almost perfectly, threads
 * inside one run less so, so the default fills cores with jobs first (up to 2, as before) and
 * gives each job the cores left over: J = min(2, C), T = clamp(⌊C/J⌋, 1, 2) for C cores. With
 * only --jobs, T = clamp(⌊C/J⌋, 1, 2); with only --threads, J = max(1, ⌊C/T⌋). Both given: as
 * given (J·T above C oversubscribes the machine and slows every run).
 */
export function parallelismFlags(args: ParsedArgs, backend: 'wasm' | 'cpu', cores = availableParallelism()): Parallelism {
  const hasJobs = args.flags.jobs !== undefined;
  const hasThreads = args.flags.threads !== undefined;
  if (hasThreads && backend !== 'wasm') throw new UsageError(`--threads: only the wasm backend has threads; got --backend ${backend}`);
  const fit = (n: number) => Math.max(1, Math.min(THREADS_MAX, n));
  let jobs: number;
  let threads: number;
  if (hasThreads) {
    threads = intFlag(args, 'threads', 1, 1);
    jobs = hasJobs ? intFlag(args, 'jobs', 1, 1) : Math.max(1, Math.floor(cores / threads));
  } else {
    jobs = hasJobs ? intFlag(args, 'jobs', 1, 1) : Math.max(1, Math.min(2, cores));
    threads = fit(Math.floor(cores / jobs));
  }
  return { jobs, threads: backend === 'wasm' ? threads : 1 };
}
