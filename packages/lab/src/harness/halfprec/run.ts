import * as tf from '@tensorflow/tfjs-core';
import '../../tfjsSetup.js';
import type { SINGD } from 'rootfree';
import { makeOptimizer, type HalfprecMethod, type HalfprecPrecision } from './methods.js';
import type { HalfprecProblem, LayerCapture } from './problem.js';

/** Why a run stopped early. */
export type FailureKind = 'non-finite loss' | 'diverged' | 'non-finite parameters' | 'exception';

export interface RunFailure {
  /** 1-based index of the optimizer step that produced the failure (the step that threw, or whose result is bad). */
  step: number;
  kind: FailureKind;
  message: string;
}

/** One (method, precision) run. */
export interface RunResult {
  method: HalfprecMethod;
  precision: HalfprecPrecision;
  /** Optimizer steps requested. */
  steps: number;
  /** Full-pool loss before training. */
  initialLoss: number;
  /** Full-pool loss after the last step (or the loss that triggered the failure; NaN if none is available). */
  finalLoss: number;
  /** Mini-batch loss seen before step t+1, for t = 0.. (the input to the divergence test). */
  losses: number[];
  failure: RunFailure | null;
  /** Flat parameters after each completed step (kept only while needed for distances). */
  trajectory: Float32Array[];
  seconds: number;
}

/** Divergence threshold: a loss above this multiple of the initial loss ends the run. */
export const DIVERGENCE_FACTOR = 10;

function flatten(vars: tf.Variable[]): Float32Array {
  const parts = vars.map((v) => v.dataSync() as Float32Array);
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

function allFinite(a: Float32Array): boolean {
  for (let i = 0; i < a.length; i++) if (!Number.isFinite(a[i])) return false;
  return true;
}

function scalar(t: tf.Scalar): number {
  const v = t.dataSync()[0];
  t.dispose();
  return v;
}

let runCounter = 0;

/**
 * Trains `problem` for `steps` optimizer steps with one method and precision. Stops at the first
 * non-finite loss or parameter, at a loss above {@link DIVERGENCE_FACTOR}× the initial loss, or
 * when the step throws (e.g. Shampoo's NaN check on a factor or root), recording that step.
 */
export function runOne(problem: HalfprecProblem, method: HalfprecMethod, precision: HalfprecPrecision, steps: number): RunResult {
  const t0 = performance.now();
  const id = ++runCounter;
  const vars = problem.params.map((p) => tf.tidy(() => tf.variable(tf.tensor(p.init, p.shape), true, `halfprec${id}/${p.name}`)));
  const opt = makeOptimizer(problem.name, method, precision, problem.batchSize);
  let capture: LayerCapture | undefined;
  // Not `instanceof`: tf.Optimizer's Symbol.hasInstance accepts every optimizer.
  if (method === 'singd') {
    const singd = opt as SINGD;
    const varName = (param: string | null | undefined) => vars[problem.params.findIndex((p) => p.name === param)]?.name ?? null;
    for (const l of problem.layers) singd.registerLayer({ ...l, weight: varName(l.weight)!, bias: varName(l.bias) });
    capture = (layer, input, forward) => singd.capture(layer, input, forward);
  }
  const initialLoss = scalar(problem.fullLoss(vars));
  const limit = DIVERGENCE_FACTOR * initialLoss;
  const losses: number[] = [];
  const trajectory: Float32Array[] = [];
  let failure: RunFailure | null = null;
  let finalLoss = NaN;
  try {
    for (let t = 0; t < steps && !failure; t++) {
      const { value, grads } = tf.variableGrads(() => problem.stepLoss(vars, t, capture), vars);
      const loss = scalar(value);
      losses.push(loss);
      if (!Number.isFinite(loss) || loss > limit) {
        tf.dispose(grads);
        finalLoss = loss;
        failure = Number.isFinite(loss)
          ? { step: t, kind: 'diverged', message: `loss ${loss.toExponential(3)} > ${DIVERGENCE_FACTOR}× initial ${initialLoss.toExponential(3)}` }
          : { step: t, kind: 'non-finite loss', message: `loss ${loss}` };
        break;
      }
      try {
        opt.applyGradients(grads);
      } catch (e) {
        failure = { step: t + 1, kind: 'exception', message: (e as Error).message };
        finalLoss = loss;
        break;
      } finally {
        tf.dispose(grads);
      }
      const flat = flatten(vars);
      if (!allFinite(flat)) {
        failure = { step: t + 1, kind: 'non-finite parameters', message: 'a parameter became NaN or ±Inf' };
        break;
      }
      trajectory.push(flat);
    }
    if (!failure) {
      finalLoss = scalar(problem.fullLoss(vars));
      if (!Number.isFinite(finalLoss) || finalLoss > limit) {
        failure = { step: steps, kind: Number.isFinite(finalLoss) ? 'diverged' : 'non-finite loss', message: `final loss ${finalLoss}` };
      }
    }
  } finally {
    vars.forEach((v) => v.dispose());
    opt.dispose();
  }
  return { method, precision, steps, initialLoss, finalLoss, losses, failure, trajectory, seconds: (performance.now() - t0) / 1000 };
}
