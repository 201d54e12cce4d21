import * as tf from '@tensorflow/tfjs-core';
import * as rootfree from 'rootfree';
import { median, timeVariants, type Sampling } from './lib.js';

/**
 * IF-Shampoo / Shampoo / SINGD / Muon step costs in matmul-equivalents: the median step time divided by the
 * median time of one d×d×d matMul (d = the layer's largest dimension) measured in the same
 * process, so the ratio is about the algorithm rather than the machine.
 */
export interface MatrixShape {
  id: string;
  shape: number[];
}

export const MATRIX_SHAPES: MatrixShape[] = [
  { id: '256x256', shape: [256, 256] },
  { id: '512x512', shape: [512, 512] },
  { id: '1024x1024', shape: [1024, 1024] },
  { id: '1024x256', shape: [1024, 256] },
  { id: 'conv3x3x64x64', shape: [3, 3, 64, 64] },
];

export const IF_STRUCTURES = ['dense', 'diagonal', 'block30diagonal', 'hierarchical15x15', 'trilToeplitz'];

export type MatrixOptimizer = 'IFShampoo' | 'Shampoo' | 'SINGD' | 'Muon';

/** Rows of the layer statistics SINGD gets per step (a batch of 128 samples, no weight sharing). */
export const SINGD_ROWS = 128;

export interface MatrixRow {
  optimizer: MatrixOptimizer;
  shape: string;
  /** IF-Shampoo / SINGD structure, Shampoo root method, or Muon's Newton–Schulz steps. */
  variant: string;
  precision: string;
  samples: number[];
  matmulDim: number;
  /** Median of the interleaved reference matmul samples (ms per matmul). */
  matmulMs: number;
  matmulSamples: number[];
  /** Per-round step ÷ matmul: the matmul-equivalents of each round. */
  ratios: number[];
  /** Bytes of optimizer state (sum over `getWeights` tensors, float32 storage). */
  stateBytes: number;
  error?: string;
}

type AnyOpt = { applyGradients(g: Array<{ name: string; tensor: tf.Tensor }>): void; getWeights(): Promise<Array<{ tensor: tf.Tensor }>>; dispose(): void };

export function matrixAvailable(): { ifShampoo: boolean; shampoo: boolean; singd: boolean; muon: boolean } {
  const r = rootfree as Record<string, unknown>;
  const has = (k: string) => typeof r[k] === 'function';
  return { ifShampoo: has('IFShampoo'), shampoo: has('Shampoo'), singd: has('SINGD'), muon: has('Muon') };
}

/**
 * SINGD on one weight: a dense [in, out] or conv2d [kh, kw, in, out] layer without bias, fed
 * random statistics a (SINGD_ROWS × dim_K) and g (SINGD_ROWS × dim_C) before every step (the
 * feeding is part of the timed step; the capture from a model is not).
 */
function singdStep(r: Record<string, any>, v: tf.Variable, shape: number[], variant: string, precision: string): { opt: AnyOpt; before: () => void; dispose: () => void } {
  const opt = new r.SINGD({ lr: 1e-3, T: 1, structures: variant, preconditionerDtypes: precision, nonFinite: 'none' });
  const conv = shape.length === 4;
  opt.registerLayer(conv ? { name: 'l', kind: 'conv2d', weight: v.name, padding: 'same' } : { name: 'l', kind: 'dense', weight: v.name });
  const dimK = conv ? shape[0] * shape[1] * shape[2] : shape[0];
  const a = tf.randomNormal([SINGD_ROWS, dimK], 0, 1 / Math.sqrt(SINGD_ROWS)) as tf.Tensor2D;
  const g = tf.randomNormal([SINGD_ROWS, shape[shape.length - 1]], 0, 1e-2) as tf.Tensor2D;
  return { opt, before: () => opt.setLayerStatistics('l', { a, g }), dispose: () => tf.dispose([a, g]) };
}

let uid = 0;

/**
 * One reference d×d×d matMul as a Variant, run alongside the step in the same rounds, so that
 * every round gives a step ÷ matmul ratio measured under the same machine conditions (a
 * reference timed once at the start drifts with the load). `reps` matmuls per call keep the
 * reference's own round long enough to time.
 */
function matmulVariant(d: number): { variant: { name: string; run: () => void }; reps: number; dispose: () => void } {
  const a = tf.randomNormal([d, d]);
  const b = tf.randomNormal([d, d]);
  const once = (): void => tf.tidy(() => void tf.matMul(a, b).dataSync());
  once();
  const t0 = performance.now();
  once();
  const reps = Math.max(1, Math.min(20, Math.round(30 / Math.max(performance.now() - t0, 0.01))));
  return {
    variant: { name: 'mm', run: () => { for (let i = 0; i < reps; i++) once(); } },
    reps,
    dispose: () => { a.dispose(); b.dispose(); },
  };
}

export async function benchMatrixRow(optimizer: MatrixOptimizer, ms: MatrixShape, variant: string, precision: string, s: Sampling): Promise<MatrixRow> {
  const d = Math.max(...ms.shape);
  const mm = matmulVariant(d);
  const r = rootfree as Record<string, any>;
  const init = tf.randomNormal(ms.shape, 0, 0.1);
  const v = tf.variable(init, true, `bench_mat_${++uid}`);
  init.dispose();
  const g = tf.randomNormal(ms.shape, 0, 1e-2);
  let opt: AnyOpt | null = null;
  let before = (): void => {};
  let extra = (): void => {};
  const row: MatrixRow = { optimizer, shape: ms.id, variant, precision, samples: [], matmulDim: d, matmulMs: NaN, matmulSamples: [], ratios: [], stateBytes: 0 };
  try {
    if (optimizer === 'SINGD') {
      const s1 = singdStep(r, v, ms.shape, variant, precision);
      opt = s1.opt;
      before = s1.before;
      extra = s1.dispose;
    } else if (optimizer === 'Muon') {
      opt = new r.Muon({ lr: 1e-3, nsSteps: Number(variant.replace('ns', '')), nsPrecision: precision, nonFinite: 'none' });
    } else {
      opt =
        optimizer === 'IFShampoo'
          ? new r.IFShampoo({ lr: 1e-3, T: 1, structures: variant, preconditionerDtypes: precision, batchSize: 128, nonFinite: 'none' })
          : new r.Shampoo({ lr: 1e-3, rootMethod: variant, preconditionFrequency: 1, startPreconditioningStep: 1, nonFinite: 'none' });
    }
    const grads = [{ name: v.name, tensor: g }];
    const o = opt!;
    const step = { name: 'step', run: () => (before(), o.applyGradients(grads)) };
    // Rows whose step takes seconds (Shampoo's float64 eigh at d = 1024) are timed from fewer
    // steps: their noise is small relative to the step, and they dominate the section's time.
    const t0 = performance.now();
    step.run();
    const slow = performance.now() - t0 > 4000;
    const t = timeVariants([step, mm.variant], slow ? { ...s, warmup: 0, rounds: 1 } : s);
    row.samples = t.step;
    row.matmulSamples = t.mm.map((x) => x / mm.reps);
    row.matmulMs = median(row.matmulSamples);
    row.ratios = row.samples.map((x, i) => x / row.matmulSamples[i]);
    const weights = await o.getWeights();
    row.stateBytes = weights.reduce((acc, w) => acc + (w.tensor.rank > 0 ? w.tensor.size * 4 : 0), 0);
  } catch (e) {
    row.error = (e as Error).message.slice(0, 200);
  } finally {
    opt?.dispose();
    extra();
    v.dispose();
    g.dispose();
    mm.dispose();
  }
  return row;
}
