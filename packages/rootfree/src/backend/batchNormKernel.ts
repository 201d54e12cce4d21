import * as tf from '@tensorflow/tfjs-core';
import { type ChannelSimd, channelSimd, f64At, free, heapOffset, mallocF64 } from './channelSimd.js';

/*
 * Training-mode batch normalisation over all axes but the last (channels-last), as two kernels
 * that each stream the tensor twice: `RootfreeBatchNormTrain` (x, gamma, beta → y, batch mean,
 * biased batch variance) and `RootfreeBatchNormTrainGrad` (dy, x, gamma, mean, variance → dx,
 * dgamma, dbeta). The composite (tfjs ops) takes ~7 full-tensor kernels forward and ~7 backward
 * plus their temporaries; a conv net spends a large share of its step there. Statistics are
 * accumulated in float64, shifted by each channel's first value (stable one-pass variance).
 * Backends: cpu and wasm (their float32 storage, as roundKernel.ts); elsewhere the op returns
 * null and callers use the composite. On wasm with an even channel count the streaming loops run
 * as wasm SIMD on the heap (channelSimd.ts), bitwise equal to the JS loops here.
 */
export const BN_TRAIN = 'RootfreeBatchNormTrain';
export const BN_TRAIN_GRAD = 'RootfreeBatchNormTrainGrad';
const BACKENDS = ['cpu', 'wasm'];

interface Storage {
  out(shape: number[]): tf.TensorInfo;
  /** Float32 values; take views only after every `out` of the kernel (wasm heap growth). */
  values(t: tf.TensorInfo): Float32Array;
}

function storage(backend: any): Storage {
  if (typeof backend?.makeOutput === 'function' && typeof backend?.typedArrayFromHeap === 'function') {
    return { out: (shape) => backend.makeOutput(shape, 'float32'), values: (t) => backend.typedArrayFromHeap(t) as Float32Array };
  }
  if (typeof backend?.makeTensorInfo === 'function' && typeof backend?.data?.get === 'function') {
    return {
      out: (shape) => backend.makeTensorInfo(shape, 'float32', new Float32Array(tf.util.sizeFromShape(shape))),
      values: (t) => backend.data.get(t.dataId).values as Float32Array,
    };
  }
  throw new Error(`${BN_TRAIN}: backend storage is neither cpu- nor wasm-like`);
}

/** Per-channel mean and biased variance of `x` viewed as [rows, C]. */
function moments(x: Float32Array, c: number, mean: Float64Array, variance: Float64Array): void {
  const rows = x.length / c;
  const shift = x.subarray(0, c);
  const s1 = new Float64Array(c);
  const s2 = new Float64Array(c);
  for (let r = 0, i = 0; r < rows; r++) {
    for (let k = 0; k < c; k++, i++) {
      const d = x[i] - shift[k];
      s1[k] += d;
      s2[k] += d * d;
    }
  }
  for (let k = 0; k < c; k++) {
    const m = s1[k] / rows;
    mean[k] = shift[k] + m;
    variance[k] = Math.max(0, s2[k] / rows - m * m);
  }
}

function forwardKernel({ inputs, backend, attrs }: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap }): tf.TensorInfo[] {
  const { x, gamma, beta } = inputs as Record<string, tf.TensorInfo>;
  const eps = (attrs as { epsilon: number }).epsilon;
  const c = x.shape[x.shape.length - 1];
  const s = storage(backend);
  const yInfo = s.out(x.shape);
  const meanInfo = s.out([c]);
  const varInfo = s.out([c]);
  const rows = tf.util.sizeFromShape(x.shape) / c;
  const simd = c % 2 === 0 && rows > 0 ? channelSimd(backend) : null;
  if (simd) {
    simdForward(simd, backend, s, { x, gamma, beta, y: yInfo, mean: meanInfo, variance: varInfo }, eps);
    return [yInfo, meanInfo, varInfo];
  }
  const xv = s.values(x);
  const g = s.values(gamma);
  const b = s.values(beta);
  const y = s.values(yInfo);
  const mean = new Float64Array(c);
  const variance = new Float64Array(c);
  if (xv.length > 0) {
    moments(xv, c, mean, variance);
  } else {
    mean.fill(NaN);
    variance.fill(NaN);
  }
  // y = x·a + o with a = γ·rstd, o = β − mean·a.
  const a = new Float64Array(c);
  const o = new Float64Array(c);
  for (let k = 0; k < c; k++) {
    a[k] = g[k] / Math.sqrt(variance[k] + eps);
    o[k] = b[k] - mean[k] * a[k];
  }
  for (let i = 0; i < xv.length; ) for (let k = 0; k < c; k++, i++) y[i] = xv[i] * a[k] + o[k];
  s.values(meanInfo).set(mean);
  s.values(varInfo).set(variance);
  return [yInfo, meanInfo, varInfo];
}

/** dx = γ·rstd·(dy − mean(dy) − x̂·mean(dy·x̂)), dγ = Σ dy·x̂, dβ = Σ dy (sums over all rows). */
function gradKernel({ inputs, backend, attrs }: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap }): tf.TensorInfo[] {
  const { dy, x, gamma, mean, variance } = inputs as Record<string, tf.TensorInfo>;
  const eps = (attrs as { epsilon: number }).epsilon;
  const c = x.shape[x.shape.length - 1];
  const s = storage(backend);
  const dxInfo = s.out(x.shape);
  const dgInfo = s.out([c]);
  const dbInfo = s.out([c]);
  const rows = tf.util.sizeFromShape(x.shape) / c;
  const simd = c % 2 === 0 && rows > 0 ? channelSimd(backend) : null;
  if (simd) {
    simdGrad(simd, backend, s, { dy, x, gamma, mean, variance, dx: dxInfo, dg: dgInfo, db: dbInfo }, eps);
    return [dxInfo, dgInfo, dbInfo];
  }
  const dyv = s.values(dy);
  const xv = s.values(x);
  const g = s.values(gamma);
  const mu = s.values(mean);
  const vr = s.values(variance);
  const dx = s.values(dxInfo);
  const sdy = new Float64Array(c);
  const sdyx = new Float64Array(c);
  for (let i = 0; i < xv.length; ) {
    for (let k = 0; k < c; k++, i++) {
      sdy[k] += dyv[i];
      sdyx[k] += dyv[i] * (xv[i] - mu[k]);
    }
  }
  const rstd = new Float64Array(c);
  const a = new Float64Array(c);
  const m = new Float64Array(c);
  const q = new Float64Array(c);
  const dg = s.values(dgInfo);
  const db = s.values(dbInfo);
  for (let k = 0; k < c; k++) {
    rstd[k] = 1 / Math.sqrt(vr[k] + eps);
    dg[k] = sdyx[k] * rstd[k];
    db[k] = sdy[k];
    a[k] = g[k] * rstd[k];
    m[k] = sdy[k] / rows;
    q[k] = (rstd[k] * dg[k]) / rows;
  }
  for (let i = 0; i < xv.length; ) for (let k = 0; k < c; k++, i++) dx[i] = a[k] * (dyv[i] - m[k] - (xv[i] - mu[k]) * q[k]);
  return [dxInfo, dgInfo, dbInfo];
}

/** The forward pass with the streaming loops in wasm SIMD: same operations, same order as above. */
function simdForward(k: ChannelSimd, be: any, s: Storage, t: Record<'x' | 'gamma' | 'beta' | 'y' | 'mean' | 'variance', tf.TensorInfo>, eps: number): void {
  const x = t.x;
  const c = x.shape[x.shape.length - 1];
  const rows = tf.util.sizeFromShape(x.shape) / c;
  const scratch = mallocF64(be, 4 * c);
  try {
    // Views only now: the allocation may have grown the heap.
    const [g, b, meanOut, varOut] = [t.gamma, t.beta, t.mean, t.variance].map((i) => s.values(i));
    const [s1, s2, a, o] = [0, 1, 2, 3].map((i) => f64At(be, scratch + 8 * c * i, c));
    s1.fill(0);
    s2.fill(0);
    const xp = heapOffset(be, x);
    k.moments(rows, c / 2, xp, xp, scratch, scratch + 8 * c);
    const shift = new Float32Array(f64At(be, 0, 0).buffer, xp, c);
    for (let j = 0; j < c; j++) {
      const m = s1[j] / rows;
      const mean = shift[j] + m;
      const variance = Math.max(0, s2[j] / rows - m * m);
      meanOut[j] = mean;
      varOut[j] = variance;
      a[j] = g[j] / Math.sqrt(variance + eps);
      o[j] = b[j] - mean * a[j];
    }
    k.affine(rows, c / 2, xp, scratch + 16 * c, scratch + 24 * c, heapOffset(be, t.y));
  } finally {
    free(be, scratch);
  }
}

/** The backward pass with the streaming loops in wasm SIMD (as `gradKernel`). */
function simdGrad(k: ChannelSimd, be: any, s: Storage, t: Record<'dy' | 'x' | 'gamma' | 'mean' | 'variance' | 'dx' | 'dg' | 'db', tf.TensorInfo>, eps: number): void {
  const c = t.x.shape[t.x.shape.length - 1];
  const rows = tf.util.sizeFromShape(t.x.shape) / c;
  const scratch = mallocF64(be, 5 * c);
  try {
    const [g, vr, dg, db] = [t.gamma, t.variance, t.dg, t.db].map((i) => s.values(i));
    const [sdy, sdyx, a, m, q] = [0, 1, 2, 3, 4].map((i) => f64At(be, scratch + 8 * c * i, c));
    sdy.fill(0);
    sdyx.fill(0);
    const [dyp, xp, mup] = [heapOffset(be, t.dy), heapOffset(be, t.x), heapOffset(be, t.mean)];
    k.gradSums(rows, c / 2, dyp, xp, mup, scratch, scratch + 8 * c);
    for (let j = 0; j < c; j++) {
      const rstd = 1 / Math.sqrt(vr[j] + eps);
      dg[j] = sdyx[j] * rstd;
      db[j] = sdy[j];
      a[j] = g[j] * rstd;
      m[j] = sdy[j] / rows;
      q[j] = (rstd * dg[j]) / rows;
    }
    k.gradDx(rows, c / 2, dyp, xp, mup, scratch + 16 * c, scratch + 24 * c, scratch + 32 * c, heapOffset(be, t.dx));
  } finally {
    free(be, scratch);
  }
}

/** Registers both kernels for cpu and wasm (idempotent; false for other backends). */
export function registerBatchNormKernels(backend: string): boolean {
  if (!BACKENDS.includes(backend)) return false;
  for (const [kernelName, kernelFunc] of [[BN_TRAIN, forwardKernel], [BN_TRAIN_GRAD, gradKernel]] as const) {
    if (tf.getKernel(kernelName, backend) === undefined) {
      tf.registerKernel({ kernelName, backendName: backend, kernelFunc: kernelFunc as unknown as tf.KernelFunc });
    }
  }
  return true;
}

export interface BatchNormTrainResult { y: tf.Tensor; mean: tf.Tensor1D; variance: tf.Tensor1D }

/**
 * Training-mode batch norm over all axes but the last through the fused kernels, differentiable
 * in x, γ and β (mean and variance are returned for moving averages, not differentiated). Null
 * when the active backend has no such kernel or x is not float32: use the composite then.
 */
export function fusedBatchNormTrain(x: tf.Tensor, gamma: tf.Tensor1D, beta: tf.Tensor1D, epsilon: number): BatchNormTrainResult | null {
  if (x.dtype !== 'float32' || x.rank < 1 || tf.getKernel(BN_TRAIN, tf.getBackend()) === undefined) return null;
  const c = x.shape[x.rank - 1];
  if (gamma.shape[0] !== c || beta.shape[0] !== c) {
    throw new RangeError(`fusedBatchNormTrain: gamma and beta need ${c} entries (x's last axis), got ${gamma.shape[0]} and ${beta.shape[0]}`);
  }
  const stats: { mean?: tf.Tensor1D; variance?: tf.Tensor1D } = {};
  const attrs = { epsilon } as unknown as tf.NamedAttrMap;
  const f = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [xIn, g, b] = args as tf.Tensor[];
    const save = args[3] as tf.GradSaveFunc;
    const [y, mean, variance] = tf.engine().runKernel(BN_TRAIN, { x: xIn, gamma: g, beta: b } as unknown as tf.NamedTensorMap, attrs) as tf.Tensor[];
    // customGrad runs this inside its own tidy: keep the statistics past it (handed back below).
    stats.mean = tf.keep(mean) as tf.Tensor1D;
    stats.variance = tf.keep(variance) as tf.Tensor1D;
    save([xIn, g, mean, variance]);
    return {
      value: y,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xs, gs, ms, vs] = saved;
        return tf.engine().runKernel(BN_TRAIN_GRAD, { dy, x: xs, gamma: gs, mean: ms, variance: vs } as unknown as tf.NamedTensorMap, attrs) as tf.Tensor[];
      },
    };
  });
  const y = (f as unknown as (...t: tf.Tensor[]) => tf.Tensor)(x, gamma, beta);
  // Clones share the storage and belong to the caller's scope; the kept originals are released.
  const mean = tf.clone(stats.mean!);
  const variance = tf.clone(stats.variance!);
  tf.dispose([stats.mean!, stats.variance!]);
  return { y, mean, variance };
}
