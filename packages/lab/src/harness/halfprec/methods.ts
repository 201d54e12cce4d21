import type * as tf from '@tensorflow/tfjs-core';
import type { ShampooOptions } from 'rootfree';
import { IFShampoo, MuonWithAuxAdam, SINGD, type IFShampooConfig } from 'rootfree';
import type { UserOptions } from 'rootfree';
import { Shampoo } from 'rootfree';

export type HalfprecMethod = 'ifshampoo' | 'shampoo-eigen' | 'shampoo-newton' | 'singd' | 'muon';
export const HALFPREC_METHODS: readonly HalfprecMethod[] = ['ifshampoo', 'shampoo-eigen', 'shampoo-newton', 'singd', 'muon'];

/** Preconditioner precision of a run; fp32 is each method's reference trajectory. */
export type HalfprecPrecision = 'fp32' | 'bf16' | 'fp16';
export const HALFPREC_PRECISIONS: readonly HalfprecPrecision[] = ['fp32', 'bf16', 'fp16'];

const LONG: Record<HalfprecPrecision, 'float32' | 'bfloat16' | 'float16'> = { fp32: 'float32', bf16: 'bfloat16', fp16: 'float16' };

/**
 * Hyper-parameters per method and problem, identical across precisions (only the precision
 * option changes). Chosen by small grids on each method's fp32 run (docs/HALFPREC.md), in the
 * paper's configuration otherwise: precondition/update every 2 steps, no grafting, no bias
 * correction, Shampoo β1 = gradient EMA 0.9 and β2 = 1 − lr_cov = 0.99, factors per axis (no
 * merging, as the paper's non-blocked runs), IF-Shampoo α2 = 0.5. Newton: at most 50 iterations,
 * tolerance 1e-5 (the reference's 1e-6/1000 is unreachable in float32 and only costs time).
 */
export const HYPER: Record<string, Record<HalfprecMethod, Record<string, unknown>>> = {
  lstsq: {
    ifshampoo: { lr: 0.02, beta2: 0.2, alpha1: 0.9, alpha2: 0.5, lam: 1e-3, T: 2 },
    'shampoo-eigen': shampooHyper(0.3, 1e-8),
    'shampoo-newton': shampooHyper(0.3, 1e-8),
    // Not tuned by a grid like the others (spot checks on the fp32 run only).
    singd: { lr: 0.02, lrCov: 0.2, momentum: 0.9, alpha1: 0.5, damping: 1e-3, T: 2 },
    muon: { lr: 0.1, momentum: 0.95 },
  },
  mlp: {
    ifshampoo: { lr: 0.01, beta2: 0.2, alpha1: 0.5, alpha2: 0.5, lam: 1e-3, T: 2 },
    'shampoo-eigen': shampooHyper(0.2, 1e-6),
    'shampoo-newton': shampooHyper(0.2, 1e-6),
    singd: { lr: 0.01, lrCov: 0.2, momentum: 0.5, alpha1: 0.5, damping: 1e-3, T: 2 },
    muon: { lr: 0.02, momentum: 0.95, adam: { lr: 3e-3 } },
  },
};

function shampooHyper(lr: number, epsilon: number): Record<string, unknown> {
  return {
    lr,
    beta1: 0.9,
    beta2: 0.99,
    epsilon,
    grafting: 'none',
    mergeDims: false,
    biasCorrection: false,
    preconditionFrequency: 2,
    newtonMaxIterations: 50,
    newtonTolerance: 1e-5,
  };
}

/** The method's options for `problem` with the precision option set. */
export function methodOptions(problem: string, method: HalfprecMethod, precision: HalfprecPrecision): Record<string, unknown> {
  const base = HYPER[problem]?.[method];
  if (!base) throw new Error(`no hyper-parameters for method '${method}' on problem '${problem}'`);
  if (method === 'ifshampoo' || method === 'singd') return { ...base, preconditionerDtypes: LONG[precision] };
  // Muon's only low-precision part is Newton–Schulz (bf16 in the reference).
  if (method === 'muon') return { ...base, nsPrecision: LONG[precision] };
  return { ...base, rootMethod: method === 'shampoo-eigen' ? 'eigen' : 'newton', preconditionerPrecision: LONG[precision] };
}

/**
 * A fresh optimizer. The NaN check is off ('none') so a non-finite step is applied and then
 * detected by the run loop (which records the failure step) rather than thrown by the driver.
 */
export function makeOptimizer(problem: string, method: HalfprecMethod, precision: HalfprecPrecision, batchSize: number): tf.Optimizer {
  const o = methodOptions(problem, method, precision);
  if (method === 'ifshampoo') return new IFShampoo({ ...o, batchSize, nonFinite: 'none' } as IFShampooConfig);
  if (method === 'singd') return new SINGD({ ...o, nonFinite: 'none' });
  if (method === 'muon') return new MuonWithAuxAdam({ ...o, nonFinite: 'none' });
  return new Shampoo({ ...o, nonFinite: 'none' } as UserOptions<ShampooOptions>);
}
