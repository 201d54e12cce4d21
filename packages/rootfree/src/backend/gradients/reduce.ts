import * as tf from '@tensorflow/tfjs-core';
import { type TensorInfo, view, type KernelArgs, stockOutputs } from './util.js';

/*
 * Sum and Mean over leading axes (per-channel statistics of NHWC activations: BatchNorm's mean,
 * variance and its gradient's reductions, bias gradients). tfjs-wasm reduces only innermost axes,
 * so it first transposes the whole input to put the reduced axes last: ~3/4 of the reduction's
 * time on a [128, 28, 28, 16] activation. Here one pass adds rows of C floats in place, into a
 * float64 accumulator (no worse than the stock float32 running sum). Other reductions, and
 * non-float32 inputs, stay on the stock kernels.
 */

/** Number of leading axes reduced when `axes` is exactly 0..k−1 with 0 < k < rank, else 0. */
function leadingCount(axes: number[], rank: number): number {
  const sorted = [...axes].sort((a, b) => a - b);
  if (sorted.length === 0 || sorted.length >= rank || sorted.some((a, i) => a !== i)) return 0;
  return sorted.length;
}

function reduceLeading(name: typeof tf.Sum | typeof tf.Mean, args: KernelArgs): TensorInfo {
  const { inputs: { x }, attrs, backend } = args;
  const axes = tf.util.parseAxisParam(attrs.axis as number | number[], x.shape);
  const k = x.dtype === 'float32' ? leadingCount(axes, x.shape.length) : 0;
  if (k === 0) return stockOutputs(name, args) as TensorInfo;
  const rows = x.shape.slice(0, k).reduce((a, b) => a * b, 1);
  const width = x.shape.slice(k).reduce((a, b) => a * b, 1);
  const outShape = attrs.keepDims ? x.shape.map((d, i) => (i < k ? 1 : d)) : x.shape.slice(k);
  const out = backend.makeOutput(outShape, 'float32');
  const src = view(backend, x) as Float32Array;
  const dst = view(backend, out) as Float32Array;
  const acc = new Float64Array(width);
  const w = width;
  let r = 0;
  let off = 0;
  // Four rows per accumulator update (JS adds in float64): ~2× the one-row loop.
  for (; r + 4 <= rows; r += 4, off += 4 * w) {
    for (let j = 0; j < w; j++) acc[j] += src[off + j] + src[off + w + j] + src[off + 2 * w + j] + src[off + 3 * w + j];
  }
  for (; r < rows; r++, off += w) {
    for (let j = 0; j < w; j++) acc[j] += src[off + j];
  }
  const mean = name === tf.Mean;
  for (let j = 0; j < width; j++) dst[j] = mean ? acc[j] / rows : acc[j];
  return out;
}

export const reduceKernels: tf.KernelConfig[] = [
  { kernelName: tf.Sum, backendName: 'wasm', kernelFunc: ((args: KernelArgs) => reduceLeading(tf.Sum, args)) as unknown as tf.KernelFunc },
  { kernelName: tf.Mean, backendName: 'wasm', kernelFunc: ((args: KernelArgs) => reduceLeading(tf.Mean, args)) as unknown as tf.KernelFunc },
];
