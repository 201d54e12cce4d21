import * as tf from '@tensorflow/tfjs-core';
import { lstsqProblem } from './lstsq.js';
import { HALFPREC_METHODS, HALFPREC_PRECISIONS, methodOptions, type HalfprecMethod, type HalfprecPrecision } from './methods.js';
import { mlpProblem } from './mlp.js';
import type { HalfprecProblem } from './problem.js';
import { DIVERGENCE_FACTOR, runOne, type RunResult } from './run.js';
import { buildReport, type HalfprecReport } from './table.js';

export type HalfprecProblemName = 'lstsq' | 'mlp';

export interface HalfprecSuiteOptions {
  problem: HalfprecProblemName;
  steps: number;
  seed: number;
  methods?: readonly HalfprecMethod[];
  precisions?: readonly HalfprecPrecision[];
  /** Called after each run (one progress line per run). */
  onRun?: (r: RunResult, index: number, total: number) => void;
}

export async function makeProblem(name: HalfprecProblemName, seed: number): Promise<HalfprecProblem> {
  return name === 'mlp' ? mlpProblem(seed) : lstsqProblem(seed);
}

/**
 * Every method at every precision on one seeded problem; fp32 runs first so each method's
 * reference trajectory exists when its half-precision runs are compared.
 */
export async function runHalfprecSuite(o: HalfprecSuiteOptions): Promise<HalfprecReport> {
  const methods = o.methods ?? HALFPREC_METHODS;
  const precisions = ['fp32' as const, ...(o.precisions ?? HALFPREC_PRECISIONS).filter((p) => p !== 'fp32')];
  const problem = await makeProblem(o.problem, o.seed);
  const results: RunResult[] = [];
  const total = methods.length * precisions.length;
  try {
    for (const m of methods) {
      for (const p of precisions) {
        const r = runOne(problem, m, p, o.steps);
        results.push(r);
        o.onRun?.(r, results.length, total);
      }
    }
  } finally {
    problem.dispose();
  }
  const hyper: Record<string, Record<string, unknown>> = {};
  for (const m of methods) {
    const { preconditionerDtypes: _a, preconditionerPrecision: _b, ...rest } = methodOptions(o.problem, m, 'fp32');
    hyper[m] = m === 'ifshampoo' ? { ...rest, batchSize: problem.batchSize } : rest;
  }
  return buildReport(
    {
      problem: problem.name,
      description: problem.description,
      steps: o.steps,
      seed: o.seed,
      backend: tf.getBackend(),
      divergenceFactor: DIVERGENCE_FACTOR,
      initialLoss: results[0]?.initialLoss ?? NaN,
      hyper,
    },
    results,
  );
}
