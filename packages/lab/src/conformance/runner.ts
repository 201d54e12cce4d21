import * as tf from '@tensorflow/tfjs-core';
import { OptionError } from 'rootfree';
import { fileTolerance, isBf16Case, type GoldenCase } from './golden.js';
import { extensionsOf, factoryFor, MappingError, type CaseSetup, type ParamView } from './mapping.js';
import { storedView, casePrefix } from './registry.js';

export interface CaseResult {
  caseId: string;
  /**
   * PASS/FAIL: judged at the file's own tolerance. REPORT: the file says this precision cannot
   * meet a tolerance (its `suggested_tolerance` entry is null), so the error is only reported.
   * SKIP: not run (no mapping, an unknown format extension, options rootfree rejects, no tolerance).
   */
  status: 'PASS' | 'FAIL' | 'SKIP' | 'REPORT';
  maxAbsErr: number;
  /** Human-readable line as printed by the CLI. */
  line: string;
}

export interface RunOptions {
  /** Override the file's tolerance (both or neither). */
  atol?: number;
  rtol?: number;
}

const skip = (c: GoldenCase, reason: string): CaseResult => ({ caseId: c.case_id, status: 'SKIP', maxAbsErr: NaN, line: `SKIP ${c.case_id} ${reason}` });

const isRejection = (e: unknown) => e instanceof OptionError || e instanceof MappingError || (e as Error)?.name === 'OptionError';

function setupOf(c: GoldenCase, made: CaseSetup | CaseSetup['optimizer']): CaseSetup & { views: ParamView[] } {
  const s: CaseSetup = 'applyGradients' in made ? { optimizer: made } : made;
  const prefix = casePrefix();
  return { ...s, views: s.views ?? c.params.map((p) => storedView(p, prefix)) };
}

/**
 * Feeds the stored gradients to the rootfree optimizer equivalent to the case and compares every
 * parameter after every step with |a − b| <= atol + rtol·|b|, at the tolerance the file gives a
 * float32 implementation (bf16 cases: its bf16 tolerance, against `params_after_float64_run`).
 * Never throws for a case it cannot run: that is a SKIP with the reason.
 */
export function runCase(c: GoldenCase, options: RunOptions = {}): CaseResult {
  const factory = factoryFor(c.optimizer);
  if (!factory) return skip(c, `no mapping for optimizer '${c.optimizer}'`);
  const missing = (c.format_extensions ?? []).filter((x) => !extensionsOf(c.optimizer).includes(x));
  if (missing.length) return skip(c, `format extension(s) ${missing.map((x) => `'${x}'`).join(', ')} not supported by the ${c.optimizer} mapping`);
  const fileTol = fileTolerance(c);
  if (!fileTol && options.atol === undefined) return skip(c, `the file gives no tolerance for a ${isBf16Case(c) ? 'bf16' : 'float32'} implementation in check.suggested_tolerance`);
  const report = options.atol === undefined && fileTol?.tol === null;
  const atol = options.atol ?? fileTol?.tol?.atol ?? 0;
  const rtol = options.rtol ?? fileTol?.tol?.rtol ?? 0;

  let setup: CaseSetup & { views: ParamView[] };
  try {
    setup = setupOf(c, factory(c));
  } catch (e) {
    return skip(c, isRejection(e) ? (e as Error).message : `mapping error: ${(e as Error).message}`);
  }
  const { optimizer: opt, views } = setup;
  const vars = c.params.map((p, i) => {
    const init = tf.tensor(views[i].toRootfree(p.init), views[i].shape, 'float32');
    const v = tf.variable(init, true, views[i].name);
    init.dispose();
    return v;
  });
  let maxErr = 0;
  let failure: string | null = null;
  let rejected: string | null = null;
  try {
    for (const s of c.steps) {
      const grads = vars.map((v, i) => ({ name: v.name, tensor: tf.tensor(views[i].toRootfree(s.grads[i]), views[i].shape, 'float32') }));
      try {
        setup.beforeStep?.(s, vars);
        opt.applyGradients(grads, { batchSize: c.batch_size ?? undefined });
      } catch (e) {
        // Options are partly checked on the first step (per-rank structures, combination rules).
        if (isRejection(e) && s === c.steps[0]) rejected = (e as Error).message;
        else failure = `FAIL ${c.case_id} step=${s.step} error: ${(e as Error).message}`;
        break;
      } finally {
        grads.forEach((g) => g.tensor.dispose());
      }
      const want = isBf16Case(c) && s.params_after_float64_run ? s.params_after_float64_run : s.params_after;
      for (let i = 0; i < vars.length && !failure; i++) {
        const got = views[i].fromRootfree(vars[i].dataSync());
        for (let k = 0; k < got.length; k++) {
          const err = Math.abs(got[k] - want[i][k]);
          if (!(err <= maxErr)) maxErr = Number.isNaN(err) ? Infinity : Math.max(maxErr, err);
          if (!report && !(err <= atol + rtol * Math.abs(want[i][k]))) {
            failure = `FAIL ${c.case_id} step=${s.step} param=${c.params[i].name}[${k}] got=${got[k]} want=${want[i][k]} abs_err=${err.toExponential(2)} (atol ${atol}, rtol ${rtol})`;
            break;
          }
        }
      }
      if (failure) break;
    }
  } finally {
    vars.forEach((v) => v.dispose());
    opt.dispose();
  }
  if (rejected) return skip(c, rejected);
  if (failure) return { caseId: c.case_id, status: 'FAIL', maxAbsErr: maxErr, line: failure };
  if (report) {
    return { caseId: c.case_id, status: 'REPORT', maxAbsErr: maxErr, line: `REPORT ${c.case_id} max_abs_err=${maxErr.toExponential(2)} (check.suggested_tolerance.${fileTol?.key} is null: the file says float32 cannot reproduce this case; not judged)` };
  }
  return { caseId: c.case_id, status: 'PASS', maxAbsErr: maxErr, line: `PASS ${c.case_id} max_abs_err=${maxErr.toExponential(2)}` };
}
