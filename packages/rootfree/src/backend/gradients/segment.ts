import * as tf from '@tensorflow/tfjs-core';
import { type Attrs, type Backend, type TensorInfo, view } from './util.js';

/*
 * UnsortedSegmentSum is tf.gather's gradient (embeddings) and is missing on wasm. A scatter-add is
 * O(size of x); a one-hot matmul would be O(size·numSegments), so a direct loop over the heap wins.
 * Ids outside [0, numSegments) are dropped, as on `cpu`.
 */
function unsortedSegmentSum({ inputs, backend, attrs }: { inputs: Record<string, TensorInfo>; backend: Backend; attrs: Attrs }): TensorInfo {
  const { x, segmentIds } = inputs;
  const numSegments = attrs.numSegments as number;
  const idsRank = segmentIds.shape.length;
  const inner = x.shape.slice(idsRank).reduce((a, b) => a * b, 1);
  const rows = segmentIds.shape.reduce((a, b) => a * b, 1);
  const out = backend.makeOutput([numSegments, ...x.shape.slice(idsRank)], x.dtype);
  const xv = view(backend, x);
  const ids = view(backend, segmentIds);
  // float64 accumulation: a frequent id sums many rows.
  const acc = new Float64Array(numSegments * inner);
  for (let r = 0; r < rows; r++) {
    const s = ids[r];
    if (s < 0 || s >= numSegments) continue;
    const src = r * inner;
    const dst = s * inner;
    for (let j = 0; j < inner; j++) acc[dst + j] += xv[src + j];
  }
  view(backend, out).set(acc);
  return out;
}

export const segmentKernels: tf.KernelConfig[] = [
  { kernelName: tf.UnsortedSegmentSum, backendName: 'wasm', kernelFunc: unsortedSegmentSum as unknown as tf.KernelFunc },
];
