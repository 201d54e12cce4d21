import * as tf from '@tensorflow/tfjs-core';
import { type Backend, type TensorInfo, release, reshape, view, type KernelArgs, stockOutputs } from './util.js';

/*
 * Slice, SplitV and Unpack that read their input in place. tfjs-wasm's Slice starts with
 * `backend.readSync(x)`, which copies the whole input out of the heap, so each slice costs a full
 * copy of x: splitting a [64, 32, 512] tensor into its 64 time steps copied 256 MB and was half
 * of an LSTM training step. SplitV and Unpack call that Slice once per piece.
 */

/** Copies x[begin : begin + size] as runs along the last axis; begin/size already normalised. */
function sliceInPlace(backend: Backend, x: TensorInfo, begin: number[], size: number[]): TensorInfo {
  const out = backend.makeOutput(size, x.dtype);
  const src = view(backend, x);
  const dst = view(backend, out);
  const rank = x.shape.length;
  const strides = tf.util.computeStrides(x.shape);
  const runLen = rank === 0 ? 1 : size[rank - 1];
  const runs = dst.length / runLen;
  const idx = new Array<number>(Math.max(rank - 1, 0)).fill(0);
  for (let r = 0; r < runs; r++) {
    let offset = rank === 0 ? 0 : begin[rank - 1];
    for (let a = 0; a < rank - 1; a++) offset += (begin[a] + idx[a]) * strides[a];
    dst.set(src.subarray(offset, offset + runLen), r * runLen);
    for (let a = rank - 2; a >= 0; a--) {
      if (++idx[a] < size[a]) break;
      idx[a] = 0;
    }
  }
  return out;
}

/** Strings and empty outputs stay on the stock kernel. */
const inPlaceOk = (x: TensorInfo, size: number[]) => x.dtype !== 'string' && size.every((d) => d > 0);

function slice(args: KernelArgs): TensorInfo | TensorInfo[] {
  const { inputs: { x }, attrs, backend } = args;
  const [begin, size] = tf.slice_util.parseSliceParams(x as tf.Tensor, attrs.begin as number[], attrs.size as number[]);
  if (!inPlaceOk(x, size)) return stockOutputs(tf.Slice, args);
  return sliceInPlace(backend, x, begin, size);
}

function splitV(args: KernelArgs): TensorInfo[] {
  const { inputs: { x }, attrs, backend } = args;
  const axis = tf.util.parseAxisParam(attrs.axis as number, x.shape)[0];
  const sizes = tf.backend_util.prepareSplitSize(x as tf.Tensor, attrs.numOrSizeSplits as number[] | number, axis);
  if (!inPlaceOk(x, [...x.shape, ...sizes])) return stockOutputs(tf.SplitV, args) as TensorInfo[];
  const begin = new Array<number>(x.shape.length).fill(0);
  return sizes.map((s) => {
    const size = [...x.shape];
    size[axis] = s;
    const piece = sliceInPlace(backend, x, begin, size);
    begin[axis] += s;
    return piece;
  });
}

function unpack(args: KernelArgs): TensorInfo[] {
  const { inputs: { value: x }, attrs, backend } = args;
  const axis = tf.util.parseAxisParam(attrs.axis as number, x.shape)[0];
  if (!inPlaceOk(x, x.shape)) return stockOutputs(tf.Unpack, args) as TensorInfo[];
  const size = [...x.shape];
  size[axis] = 1;
  const outShape = x.shape.filter((_, i) => i !== axis);
  const begin = new Array<number>(x.shape.length).fill(0);
  return Array.from({ length: x.shape[axis] }, (_, i) => {
    begin[axis] = i;
    const piece = sliceInPlace(backend, x, begin, size);
    const out = reshape(backend, piece, outShape);
    release(backend, piece);
    return out;
  });
}

export const sliceKernels: tf.KernelConfig[] = [
  { kernelName: tf.Slice, backendName: 'wasm', kernelFunc: slice as unknown as tf.KernelFunc },
  { kernelName: tf.SplitV, backendName: 'wasm', kernelFunc: splitV as unknown as tf.KernelFunc },
  { kernelName: tf.Unpack, backendName: 'wasm', kernelFunc: unpack as unknown as tf.KernelFunc },
];
