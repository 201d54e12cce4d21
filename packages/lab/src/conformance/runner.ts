import * as tf from '@tensorflow/tfjs-core';
import { factoryFor } from './mapping.js';
import type { GoldenCase } from './golden.js';
import { hasLayerIo, runLayerIoCase } from './layerIo.js';
import './muonMapping.js';

export interface CaseResult {
  caseId: string;
  status: 'PASS' | 'FAIL' | 'SKIP' | 'REPORT';
  maxAbsErr: number;
  /** Human-readable line as printed by the CLI. */
  line: string;
}

export interface RunOptions {
  atol?: number;
  rtol?: number;
}

/** Cases whose reference cannot be reproduced in float32 (vectors README §5): errors are reported, not judged. */
const REPORT_ONLY = (c: GoldenCase) => c.optimizer === 'DistributedShampoo' && (c.hyperparameters as any).use_merge_dims === true;

/**
 * Feeds the stored gradients to the rootfree optimizer equivalent to the case and compares every
 * parameter after every step with |a − b| <= atol + rtol·|b| (float32 tolerance by default;
 * bf16 cases are compared with their bf16 tolerance against the float64 run).
 */
export function runCase(c: GoldenCase, options: RunOptions = {}): CaseResult {
  if (hasLayerIo(c)) return runLayerIoCase(c, options);
  const factory = factoryFor(c.optimizer);
  if (!factory) return { caseId: c.case_id, status: 'SKIP', maxAbsErr: NaN, line: `SKIP ${c.case_id} optimizer ${c.optimizer} not built yet` };
  const bf16 = c.dtype !== 'float64';
  const tol = bf16 ? (c.check?.suggested_tolerance?.bf16 ?? { atol: 5e-2, rtol: 0 }) : { atol: 2e-5, rtol: 1e-5 };
  const atol = options.atol ?? tol.atol;
  const rtol = options.rtol ?? tol.rtol;
  const opt = factory(c);
  const vars = c.params.map((p, i) => tf.variable(tf.tensor(p.init, p.shape, 'float32'), true, `golden_${c.case_id}_${i}_${p.name}_${Math.random().toString(36).slice(2)}`));
  let maxErr = 0;
  let failure: string | null = null;
  try {
    for (const s of c.steps) {
      const grads = vars.map((v, i) => ({ name: v.name, tensor: tf.tensor(s.grads[i], c.params[i].shape, 'float32') }));
      opt.applyGradients(grads, { batchSize: c.batch_size ?? undefined });
      grads.forEach((g) => g.tensor.dispose());
      const want = bf16 && s.params_after_float64_run ? s.params_after_float64_run : s.params_after;
      for (let i = 0; i < vars.length && !failure; i++) {
        const got = vars[i].dataSync();
        for (let k = 0; k < got.length; k++) {
          const err = Math.abs(got[k] - want[i][k]);
          if (!(err <= maxErr)) maxErr = Number.isNaN(err) ? Infinity : Math.max(maxErr, err);
          if (!(err <= atol + rtol * Math.abs(want[i][k]))) {
            failure = `FAIL ${c.case_id} step=${s.step} param=${c.params[i].name}[${k}] got=${got[k]} want=${want[i][k]} abs_err=${err.toExponential(2)}`;
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
  if (REPORT_ONLY(c)) {
    return { caseId: c.case_id, status: 'REPORT', maxAbsErr: maxErr, line: `REPORT ${c.case_id} max_abs_err=${maxErr.toExponential(2)} (float32 cannot reproduce this case; not judged)` };
  }
  if (failure) return { caseId: c.case_id, status: 'FAIL', maxAbsErr: maxErr, line: failure };
  return { caseId: c.case_id, status: 'PASS', maxAbsErr: maxErr, line: `PASS ${c.case_id} max_abs_err=${maxErr.toExponential(2)}` };
}
