import * as tf from '@tensorflow/tfjs-core';
import { type TensorInfo, view, type KernelArgs, stockOutputs, release } from './util.js';
import { heapOffset, swapBlocks, transposeSimdEnabled, wasmLoops } from '../channelSimd.js';

/*
 * Transposes that are a (batched) swap of two axis groups, e.g. [1, 0], [0, 2, 1] or the attention
 * heads' [0, 2, 1, 3]: after merging axes that stay adjacent, a batch of R×C matrices of k-element
 * chunks. tfjs-wasm's Transpose walks the output element by element with strided reads; it cost
 * 10 ms on a [2048, 256] matrix (and 0.9 ms on [2048, 64]), which made wide operands' transposes a
 * large part of matmul gradients. A cache-blocked copy in host memory: ~2-4× faster; with wasm
 * SIMD the same blocked copy runs as a wasm loop on the heap (channelSimd.ts `swap`), another
 * 5-10× on the conv-gradient layouts ([B,H,W,C] → [H,W,B,C] moves 16-64-float chunks). The full
 * reversal [A,B,C] → [C,B,A] (conv dW's [3,1,2,0]) is two swaps. Other permutations stay on the
 * stock kernel.
 */

interface Swap { batch: number; rows: number; cols: number; chunk: number }

/**
 * Reduces (shape, perm) by dropping size-1 axes and merging runs of axes that stay adjacent and in
 * order; returns the swap it amounts to, or null if it is not of the form [b?, r, c, k?] → [b?, c, r, k?].
 */
export function asSwap(shape: number[], perm: number[]): Swap | null {
  const kept = perm.filter((a) => shape[a] !== 1);
  // Output-order groups of consecutive input axes.
  const groups: number[][] = [];
  for (const a of kept) {
    const last = groups[groups.length - 1];
    if (last && last[last.length - 1] + 1 === a) last.push(a);
    else groups.push([a]);
  }
  const size = (g: number[]) => g.reduce((p, a) => p * shape[a], 1);
  const byInput = [...groups].sort((x, y) => x[0] - y[0]);
  const order = groups.map((g) => byInput.indexOf(g)); // reduced perm
  const dims = byInput.map(size);
  const is = (p: number[]) => p.length === order.length && p.every((v, i) => v === order[i]);
  if (order.length <= 1) return null;
  if (is([1, 0])) return { batch: 1, rows: dims[0], cols: dims[1], chunk: 1 };
  if (is([0, 2, 1])) return { batch: dims[0], rows: dims[1], cols: dims[2], chunk: 1 };
  if (is([1, 0, 2])) return { batch: 1, rows: dims[0], cols: dims[1], chunk: dims[2] };
  if (is([0, 2, 1, 3])) return { batch: dims[0], rows: dims[1], cols: dims[2], chunk: dims[3] };
  return null;
}

const BLOCK = 32;

function swapCopy(src: ArrayLike<number>, dst: { [i: number]: number }, s: Swap): void {
  const { batch, rows: r, cols: c, chunk: k } = s;
  for (let b = 0; b < batch; b++) {
    const base = b * r * c * k;
    for (let i0 = 0; i0 < r; i0 += BLOCK) {
      const i1 = Math.min(r, i0 + BLOCK);
      for (let j0 = 0; j0 < c; j0 += BLOCK) {
        const j1 = Math.min(c, j0 + BLOCK);
        for (let i = i0; i < i1; i++) {
          if (k === 1) {
            const from = base + i * c;
            for (let j = j0; j < j1; j++) dst[base + j * r + i] = src[from + j];
          } else {
            for (let j = j0; j < j1; j++) {
              const from = base + (i * c + j) * k;
              const to = base + (j * r + i) * k;
              for (let e = 0; e < k; e++) dst[to + e] = src[from + e];
            }
          }
        }
      }
    }
  }
}

/** [A, B, C] → [C, B, A] after merging axes (e.g. [3, 1, 2, 0] of NHWC), as its dims; else null. */
export function asReversal(shape: number[], perm: number[]): [number, number, number] | null {
  const kept = perm.filter((a) => shape[a] !== 1);
  const groups: number[][] = [];
  for (const a of kept) {
    const last = groups[groups.length - 1];
    if (last && last[last.length - 1] + 1 === a) last.push(a);
    else groups.push([a]);
  }
  if (groups.length !== 3 || !(groups[0][0] > groups[1][0] && groups[1][0] > groups[2][0])) return null;
  const size = (g: number[]) => g.reduce((p, a) => p * shape[a], 1);
  return [size(groups[2]), size(groups[1]), size(groups[0])];
}

function transpose(args: KernelArgs): TensorInfo {
  const { inputs: { x }, attrs, backend } = args;
  const perm = attrs.perm as number[];
  const outShape = perm.map((a) => x.shape[a]);
  const swap = x.dtype === 'string' ? null : asSwap(x.shape, perm);
  const loops = transposeSimdEnabled.value && (x.dtype === 'float32' || x.dtype === 'int32') ? wasmLoops(backend) : null;
  if (loops && swap) {
    const out = backend.makeOutput(outShape, x.dtype);
    loops.swap(swap.batch, swap.rows, swap.cols, 4 * swap.chunk, heapOffset(backend, x), heapOffset(backend, out), ...swapBlocks(swap.cols, 4 * swap.chunk));
    return out;
  }
  const rev = loops && x.dtype !== 'string' ? asReversal(x.shape, perm) : null;
  if (loops && rev) {
    const [a, b, c] = rev;
    const mid = backend.makeOutput([b, a, c], x.dtype);
    const out = backend.makeOutput(outShape, x.dtype);
    loops.swap(1, a, b, 4 * c, heapOffset(backend, x), heapOffset(backend, mid), ...swapBlocks(b, 4 * c));
    loops.swap(1, b * a, c, 4, heapOffset(backend, mid), heapOffset(backend, out), ...swapBlocks(c, 4));
    release(backend, mid);
    return out;
  }
  if (!swap) return stockOutputs(tf.Transpose, args) as TensorInfo;
  const out = backend.makeOutput(outShape, x.dtype);
  swapCopy(view(backend, x), view(backend, out), swap);
  return out;
}

export const transposeKernels: tf.KernelConfig[] = [
  { kernelName: tf.Transpose, backendName: 'wasm', kernelFunc: transpose as unknown as tf.KernelFunc },
];
