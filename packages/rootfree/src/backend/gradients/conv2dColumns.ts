import * as tf from '@tensorflow/tfjs-core';
import { type Backend, type Conv2DGeometry, type TensorInfo, release, reshape, run, transpose, view } from './util.js';
import { columnsSimdEnabled, free, heapBuffer, heapOffset, wasmLoops } from '../channelSimd.js';

/*
 * Conv2D gradients through the column matrix C[(b,oh,ow), (kh,kw,ci)] (im2col), built or reduced
 * in host memory, and one plain 2-D GEMM. Used for strided and 1×1 convolutions (ResNet
 * downsampling and shortcuts), where the forward-conv forms are slow on XNNPACK: a stride-2 dX
 * convolves a 75%-zero dilated dy, a stride-2 dW runs a conv whose "filter" is the whole of dy
 * (3-40× the forward pass, measured on the ResNet shapes). Here both cost about a forward pass.
 * Every kh row of a window is one contiguous run of KW·Ci floats in NHWC, clipped at the
 * borders, so the host loops copy or add runs, not single elements. With wasm SIMD the run loops
 * are wasm loops on the heap (channelSimd.ts `im2colRuns` / `col2imRuns`, same values bit for bit):
 * the JS col2im added one float at a time.
 */

/** Output pixel (oh, ow) reads input pixel (oh, ow) and nothing else: C is x itself. */
function isIdentitySampling(g: Conv2DGeometry): boolean {
  return g.kH === 1 && g.kW === 1 && g.sH === 1 && g.sW === 1 && g.padTop === 0 && g.padLeft === 0 && g.outH === g.inH && g.outW === g.inW;
}

/** The in-bounds runs of one geometry: C[c[i] .. +len[i]] pairs with x[x[i] .. +len[i]] (flat NHWC offsets). */
interface Runs { c: Int32Array; x: Int32Array; len: Int32Array; count: number; table?: Int32Array }

/** The runs as (c, x, len) triples, copied into a fresh heap block for the wasm loops; the caller frees it. */
function heapTable(backend: Backend, runs: Runs): number {
  if (!runs.table) {
    runs.table = new Int32Array(3 * runs.count);
    for (let i = 0; i < runs.count; i++) runs.table.set([runs.c[i], runs.x[i], runs.len[i]], 3 * i);
  }
  const ptr = (backend as any).wasm._malloc(Math.max(4, runs.table.byteLength)) as number;
  new Int32Array(heapBuffer(backend), ptr, runs.table.length).set(runs.table);
  return ptr;
}

function columnLoops(backend: Backend) {
  return columnsSimdEnabled.value ? wasmLoops(backend) : null;
}

// A network has a handful of conv geometries and steps through them every iteration.
const runCache = new Map<string, Runs>();
const RUN_CACHE_MAX = 32;

function columnRuns(g: Conv2DGeometry): Runs {
  const key = JSON.stringify(g);
  const hit = runCache.get(key);
  if (hit) return hit;
  const c = g.inC;
  const rowLen = g.kH * g.kW * c;
  const max = g.batch * g.outH * g.outW * g.kH;
  const runs: Runs = { c: new Int32Array(max), x: new Int32Array(max), len: new Int32Array(max), count: 0 };
  let row = 0;
  for (let b = 0; b < g.batch; b++) {
    for (let oh = 0; oh < g.outH; oh++) {
      for (let ow = 0; ow < g.outW; ow++, row++) {
        const iw0 = ow * g.sW - g.padLeft;
        const kw0 = Math.max(0, -iw0);
        const kw1 = Math.min(g.kW, g.inW - iw0);
        if (kw1 <= kw0) continue;
        for (let kh = 0; kh < g.kH; kh++) {
          const ih = oh * g.sH + kh - g.padTop;
          if (ih < 0 || ih >= g.inH) continue;
          const i = runs.count++;
          runs.c[i] = row * rowLen + (kh * g.kW + kw0) * c;
          runs.x[i] = ((b * g.inH + ih) * g.inW + iw0 + kw0) * c;
          runs.len[i] = (kw1 - kw0) * c;
        }
      }
    }
  }
  if (runCache.size >= RUN_CACHE_MAX) runCache.delete(runCache.keys().next().value as string);
  runCache.set(key, runs);
  return runs;
}

function matMul(backend: Backend, a: TensorInfo, b: TensorInfo): TensorInfo {
  return run(backend, tf.BatchMatMul, { a, b }, { transposeA: false, transposeB: false });
}

/** dW = Cᵀ·dy, computed as (dyᵀ·C)ᵀ so the GEMM is untransposed and the last transpose is tiny. */
export function columnsBackpropFilter(backend: Backend, x: TensorInfo, dy: TensorInfo, g: Conv2DGeometry): TensorInfo {
  const n = g.batch * g.outH * g.outW;
  const r = g.kH * g.kW * g.inC;
  let cols: TensorInfo;
  if (isIdentitySampling(g)) {
    cols = reshape(backend, x, [n, r]);
  } else {
    cols = backend.makeOutput([n, r], 'float32');
    const runs = columnRuns(g);
    const loops = columnLoops(backend);
    const table = loops ? heapTable(backend, runs) : 0;
    // Views after every allocation (heap growth).
    const src = view(backend, x) as Float32Array;
    const dst = view(backend, cols) as Float32Array;
    dst.fill(0);
    if (loops) {
      loops.im2colRuns(runs.count, table, heapOffset(backend, x), heapOffset(backend, cols));
      free(backend, table);
    } else {
      for (let i = 0; i < runs.count; i++) {
        const xi = runs.x[i];
        dst.set(src.subarray(xi, xi + runs.len[i]), runs.c[i]);
      }
    }
  }
  const dy2 = reshape(backend, dy, [n, g.outC]);
  const dyT = transpose(backend, dy2, [1, 0]);
  const prod = matMul(backend, dyT, cols); // [Co, R]
  const prodT = transpose(backend, prod, [1, 0]);
  const dW = reshape(backend, prodT, [g.kH, g.kW, g.inC, g.outC]);
  release(backend, cols, dy2, dyT, prod, prodT);
  return dW;
}

/** dX = col2im(dy · W2ᵀ): every window adds its column row back onto the pixels it read. */
export function columnsBackpropInput(backend: Backend, dy: TensorInfo, filter: TensorInfo, g: Conv2DGeometry): TensorInfo {
  const n = g.batch * g.outH * g.outW;
  const r = g.kH * g.kW * g.inC;
  const w2 = reshape(backend, filter, [r, g.outC]);
  const wT = transpose(backend, w2, [1, 0]);
  const dy2 = reshape(backend, dy, [n, g.outC]);
  const cols = matMul(backend, dy2, wT); // [n, R]
  release(backend, w2, wT, dy2);
  const inputShape = [g.batch, g.inH, g.inW, g.inC];
  if (isIdentitySampling(g)) {
    const dx = reshape(backend, cols, inputShape);
    release(backend, cols);
    return dx;
  }
  const dx = backend.makeOutput(inputShape, 'float32');
  const runs = columnRuns(g);
  const loops = columnLoops(backend);
  const table = loops ? heapTable(backend, runs) : 0;
  const src = view(backend, cols) as Float32Array;
  const dst = view(backend, dx) as Float32Array;
  dst.fill(0);
  if (loops) {
    loops.col2imRuns(runs.count, table, heapOffset(backend, cols), heapOffset(backend, dx));
    free(backend, table);
    release(backend, cols);
    return dx;
  }
  for (let i = 0; i < runs.count; i++) {
    const xi = runs.x[i];
    const ci = runs.c[i];
    const len = runs.len[i];
    for (let k = 0; k < len; k++) dst[xi + k] += src[ci + k];
  }
  release(backend, cols);
  return dx;
}
