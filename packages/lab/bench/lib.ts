import * as tf from '@tensorflow/tfjs-core';
import { execSync } from 'node:child_process';
import * as os from 'node:os';
import { createRequire } from 'node:module';

/** What every results file records about where and when it was measured. */
export interface Machine {
  cpuModel: string;
  cores: number;
  memGiB: number;
  node: string;
  tfjs: string;
  tfjsWasm: string;
  date: string;
  commit: string;
  loadavg: number[];
}

export function machine(): Machine {
  const require = createRequire(import.meta.url);
  const version = (pkg: string): string => {
    try {
      return (require(`${pkg}/package.json`) as { version: string }).version;
    } catch {
      return 'unknown';
    }
  };
  let commit = 'unknown';
  try {
    commit = execSync('git rev-parse --short HEAD', { stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
  } catch {
    // not a checkout
  }
  return {
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    cores: os.cpus().length,
    memGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    tfjs: version('@tensorflow/tfjs-core'),
    tfjsWasm: version('@tensorflow/tfjs-backend-wasm'),
    date: new Date().toISOString(),
    commit,
    loadavg: os.loadavg(),
  };
}

export { median } from './stats.js';

/** A thing to time: `run` performs one step; `sync` waits for it to finish (tfjs is lazy on some backends). */
export interface Variant {
  name: string;
  run: () => void;
}

export interface Sampling {
  warmup: number;
  rounds: number;
  stepsPerRound: number;
  /** Stop adding rounds once one variant has used this much time (ms). */
  budgetMs?: number;
}

/**
 * Warm-up every variant, then alternate rounds (variant order rotated each round so none always
 * runs first); each sample is the mean ms of `stepsPerRound` consecutive steps. Returns every
 * sample per variant (the report uses medians).
 */
export function timeVariants(variants: Variant[], s: Sampling): Record<string, number[]> {
  const out: Record<string, number[]> = {};
  const spent: Record<string, number> = {};
  for (const v of variants) {
    out[v.name] = [];
    spent[v.name] = 0;
    for (let i = 0; i < s.warmup; i++) v.run();
  }
  for (let r = 0; r < s.rounds; r++) {
    for (let k = 0; k < variants.length; k++) {
      const v = variants[(k + r) % variants.length];
      const t0 = performance.now();
      for (let i = 0; i < s.stepsPerRound; i++) v.run();
      const ms = performance.now() - t0;
      out[v.name].push(ms / s.stepsPerRound);
      spent[v.name] += ms;
    }
    if (s.budgetMs !== undefined && Object.values(spent).some((ms) => ms > s.budgetMs!) && r >= 1) break;
  }
  return out;
}

/** Forces pending tfjs work (wasm/cpu are synchronous, but a read makes it explicit). */
export function settle(t: tf.Tensor): void {
  t.dataSync();
}

export const round3 = (x: number): number => (Number.isFinite(x) ? Number(x.toPrecision(3)) : x);
