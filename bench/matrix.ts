import * as tf from '@tensorflow/tfjs-core';
import * as rootfree from '../src/index.js';
import { median, timeVariants, type Sampling } from './lib.js';

/**
 * IF-Shampoo / Shampoo step costs in matmul-equivalents: the median step time divided by the
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

export interface MatrixRow {
  optimizer: 'IFShampoo' | 'Shampoo';
  shape: string;
  /** IF-Shampoo structure or Shampoo root method. */
  variant: string;
  precision: string;
  samples: number[];
  matmulDim: number;
  matmulMs: number;
  /** Bytes of optimizer state (sum over `getWeights` tensors, float32 storage). */
  stateBytes: number;
  error?: string;
}

type AnyOpt = { applyGradients(g: Array<{ name: string; tensor: tf.Tensor }>): void; getWeights(): Promise<Array<{ tensor: tf.Tensor }>>; dispose(): void };

export function matrixAvailable(): { ifShampoo: boolean; shampoo: boolean } {
  const r = rootfree as Record<string, unknown>;
  return { ifShampoo: typeof r.IFShampoo === 'function', shampoo: typeof r.Shampoo === 'function' };
}

let uid = 0;
const matmulCache = new Map<number, number>();

function matmulMs(d: number, s: Sampling): number {
  const hit = matmulCache.get(d);
  if (hit !== undefined) return hit;
  const a = tf.randomNormal([d, d]);
  const b = tf.randomNormal([d, d]);
  const t = timeVariants([{ name: 'mm', run: () => tf.tidy(() => void tf.matMul(a, b).dataSync()) }], { ...s, stepsPerRound: d <= 256 ? 10 : 2 });
  a.dispose();
  b.dispose();
  const ms = median(t.mm);
  matmulCache.set(d, ms);
  return ms;
}

export async function benchMatrixRow(optimizer: 'IFShampoo' | 'Shampoo', ms: MatrixShape, variant: string, precision: string, s: Sampling): Promise<MatrixRow> {
  const d = Math.max(...ms.shape);
  const mm = matmulMs(d, s);
  const r = rootfree as Record<string, any>;
  const init = tf.randomNormal(ms.shape, 0, 0.1);
  const v = tf.variable(init, true, `bench_mat_${++uid}`);
  init.dispose();
  const g = tf.randomNormal(ms.shape, 0, 1e-2);
  let opt: AnyOpt | null = null;
  const row: MatrixRow = { optimizer, shape: ms.id, variant, precision, samples: [], matmulDim: d, matmulMs: mm, stateBytes: 0 };
  try {
    opt =
      optimizer === 'IFShampoo'
        ? new r.IFShampoo({ lr: 1e-3, T: 1, structures: variant, preconditionerDtypes: precision, batchSize: 128, nonFinite: 'none' })
        : new r.Shampoo({ lr: 1e-3, rootMethod: variant, preconditionFrequency: 1, startPreconditioningStep: 1, nonFinite: 'none' });
    const grads = [{ name: v.name, tensor: g }];
    const o = opt!;
    const t = timeVariants([{ name: 'step', run: () => o.applyGradients(grads) }], s);
    row.samples = t.step;
    const weights = await o.getWeights();
    row.stateBytes = weights.reduce((acc, w) => acc + (w.tensor.rank > 0 ? w.tensor.size * 4 : 0), 0);
  } catch (e) {
    row.error = (e as Error).message.slice(0, 200);
  } finally {
    opt?.dispose();
    v.dispose();
    g.dispose();
  }
  return row;
}
