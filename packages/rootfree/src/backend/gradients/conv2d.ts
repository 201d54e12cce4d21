import * as tf from '@tensorflow/tfjs-core';
import { type Attrs, type Backend, type TensorInfo, conv2dGeometry, pad, release, reshape, run, slice, transpose, viaCpu, view, type KernelArgs } from './util.js';
import { columnsBackpropFilter, columnsBackpropInput } from './conv2dColumns.js';

/*
 * Conv2D gradients as forward convolutions, so they run on XNNPACK instead of tfjs-wasm's naive
 * loops (Conv2DBackpropFilter is missing on wasm altogether; Conv2DBackpropInput is ~half of a
 * stock CNN step, TFJS-FINDINGS §1.4).
 */

type Shape4 = [number, number, number, number];
const isNCHW = (attrs: Attrs) => attrs.dataFormat === 'NCHW';

/** Pads with zeros (positive amounts) or crops (negative) on axes 1 and 2 of an NHWC tensor. */
function padOrCropHW(backend: Backend, x: TensorInfo, rows: [number, number], cols: [number, number]) {
  const [n, h, w, c] = x.shape;
  const cropT = Math.max(0, -rows[0]);
  const cropB = Math.max(0, -rows[1]);
  const cropL = Math.max(0, -cols[0]);
  const cropR = Math.max(0, -cols[1]);
  const owned: TensorInfo[] = [];
  let y = x;
  if (cropT + cropB + cropL + cropR > 0) {
    y = slice(backend, x, [0, cropT, cropL, 0], [n, h - cropT - cropB, w - cropL - cropR, c]);
    owned.push(y);
  }
  const explicit: Array<[number, number]> = [[0, 0], [Math.max(0, rows[0]), Math.max(0, rows[1])], [Math.max(0, cols[0]), Math.max(0, cols[1])], [0, 0]];
  return { x: y, pad: explicit, owned };
}

/**
 * dW[kh,kw,ci,co] = Σ_{b,oh,ow} x[b, oh·sH+kh−pt, ow·sW+kw−pl, ci] · dy[b,oh,ow,co]: a stride-1
 * convolution of x (batch↔channels swapped) with dy as a filter dilated by the forward stride.
 */
function backpropFilterNHWC(backend: Backend, x: TensorInfo, dy: TensorInfo, attrs: Attrs): TensorInfo {
  const filterShape = attrs.filterShape as Shape4;
  const g = conv2dGeometry(x.shape as Shape4, filterShape, attrs.strides as [number, number], attrs.pad, attrs.dimRoundingMode, false);
  if (dy.shape[1] !== g.outH || dy.shape[2] !== g.outW || g.outH < 1 || g.outW < 1) {
    return viaCpu(tf.Conv2DBackpropFilter, backend, { x, dy }, { ...attrs, dataFormat: 'NHWC' });
  }
  const xT = transpose(backend, x, [3, 1, 2, 0]); // [Ci, H, W, B]
  const dyT = transpose(backend, dy, [1, 2, 0, 3]); // [OH, OW, B, Co]
  const padBottom = (g.outH - 1) * g.sH + g.kH - g.padTop - g.inH;
  const padRight = (g.outW - 1) * g.sW + g.kW - g.padLeft - g.inW;
  const p = padOrCropHW(backend, xT, [g.padTop, padBottom], [g.padLeft, padRight]);
  const conv = run(backend, tf.Conv2D, { x: p.x, filter: dyT }, {
    strides: [1, 1], dilations: [g.sH, g.sW], pad: p.pad, dataFormat: 'NHWC', dimRoundingMode: undefined,
  }); // [Ci, KH, KW, Co]
  const dW = transpose(backend, conv, [1, 2, 0, 3]);
  release(backend, xT, dyT, conv, ...p.owned);
  return dW;
}

/**
 * dW as one NN matmul: patches P[(kh,kw,ci), (b,oh,ow)] (strided slices of the padded, channel-
 * major x) times dy[(b,oh,ow), co]. Same arithmetic as the forward-conv form, but the GEMM has
 * KH·KW·Ci rows instead of a KH×KW output image with a huge kernel.
 */
function backpropFilterPatches(backend: Backend, x: TensorInfo, dy: TensorInfo, attrs: Attrs): TensorInfo {
  const filterShape = attrs.filterShape as Shape4;
  const g = conv2dGeometry(x.shape as Shape4, filterShape, attrs.strides as [number, number], attrs.pad, attrs.dimRoundingMode, false);
  if (dy.shape[1] !== g.outH || dy.shape[2] !== g.outW || g.outH < 1 || g.outW < 1) {
    return viaCpu(tf.Conv2DBackpropFilter, backend, { x, dy }, { ...attrs, dataFormat: 'NHWC' });
  }
  const owned: TensorInfo[] = [];
  const padBottom = (g.outH - 1) * g.sH + g.kH - g.padTop - g.inH;
  const padRight = (g.outW - 1) * g.sW + g.kW - g.padLeft - g.inW;
  const p = padOrCropHW(backend, x, [g.padTop, padBottom], [g.padLeft, padRight]);
  owned.push(...p.owned);
  let xp = p.x;
  if (p.pad.some(([a, b]) => a + b > 0)) owned.push((xp = pad(backend, p.x, p.pad)));
  const xT = transpose(backend, xp, [3, 0, 1, 2]); // [Ci, B, Hp, Wp]
  owned.push(xT);
  const n = g.batch * g.outH * g.outW;
  const block = g.inC * n;
  const patches = backend.makeOutput([g.kH * g.kW * g.inC, n], 'float32');
  owned.push(patches);
  for (let kh = 0; kh < g.kH; kh++) {
    for (let kw = 0; kw < g.kW; kw++) {
      const sl = run(backend, 'StridedSlice', { x: xT }, {
        begin: [0, 0, kh, kw], end: [g.inC, g.batch, kh + (g.outH - 1) * g.sH + 1, kw + (g.outW - 1) * g.sW + 1], strides: [1, 1, g.sH, g.sW],
        beginMask: 0, endMask: 0, ellipsisMask: 0, newAxisMask: 0, shrinkAxisMask: 0,
      }); // [Ci, B, OH, OW]
      view(backend, patches).set(view(backend, sl), (kh * g.kW + kw) * block);
      release(backend, sl);
    }
  }
  const dy2 = reshape(backend, dy, [n, g.outC]);
  const prod = run(backend, tf.BatchMatMul, { a: patches, b: dy2 }, { transposeA: false, transposeB: false });
  const dW = reshape(backend, prod, filterShape);
  release(backend, ...owned, dy2, prod);
  return dW;
}

function backpropFilterColumns(backend: Backend, x: TensorInfo, dy: TensorInfo, attrs: Attrs): TensorInfo {
  const g = conv2dGeometry(x.shape as Shape4, attrs.filterShape as Shape4, attrs.strides as [number, number], attrs.pad, attrs.dimRoundingMode, false);
  if (dy.shape[1] !== g.outH || dy.shape[2] !== g.outW) return viaCpu(tf.Conv2DBackpropFilter, backend, { x, dy }, { ...attrs, dataFormat: 'NHWC' });
  return columnsBackpropFilter(backend, x, dy, g);
}

/**
 * Which gradient forms to use: `auto`, or one form forced for tests and benchmarks (`patches` and
 * `conv` force only dW; their dX is the forward-conv form). Measured (CNN of TFJS-FINDINGS, batch
 * 128): with few patch rows (KH·KW·Ci = 9, first layer) the patches GEMM is ~3-4x faster than the
 * forward-conv form; at 288 rows (second layer) the forward conv is ~15-25% faster. 1×1 filters
 * (dW and dX) and strided convolutions (dX) take the host-column form (conv2dColumns.ts); on the
 * ResNet's shortcut and stride-2 layers: 1×1 dW 3-15× faster than the conv form, stride-2 dX
 * 1.6-2.2×. Patches only at stride 1: wasm's StridedSlice is per element (30× the conv form at
 * stride 2).
 */
export const convGradStrategy: { kind: 'auto' | 'patches' | 'conv' | 'columns' } = { kind: 'auto' };
const PATCH_ROWS_MAX = 64;

const isUnitStride = (strides: unknown): boolean => {
  const s = strides as number | [number, number];
  return typeof s === 'number' ? s === 1 : s[0] === 1 && s[1] === 1;
};
const isPointwise = (filterShape: number[]) => filterShape[0] === 1 && filterShape[1] === 1;

function pickFilterImpl(attrs: Attrs): typeof backpropFilterNHWC {
  const f = attrs.filterShape as Shape4;
  switch (convGradStrategy.kind) {
    case 'patches': return backpropFilterPatches;
    case 'conv': return backpropFilterNHWC;
    case 'columns': return backpropFilterColumns;
    default:
      // Not for strided 3×3: its column GEMM makes XNNPACK pack the whole column matrix as the
      // weight operand, which costs more than the conv form does.
      if (isPointwise(f)) return backpropFilterColumns;
      return isUnitStride(attrs.strides) && f[0] * f[1] * f[2] <= PATCH_ROWS_MAX ? backpropFilterPatches : backpropFilterNHWC;
  }
}

function conv2DBackpropFilter({ inputs, backend, attrs }: KernelArgs): TensorInfo {
  const { x, dy } = inputs;
  if (x.dtype !== 'float32' || dy.dtype !== 'float32') return viaCpu(tf.Conv2DBackpropFilter, backend, inputs, attrs);
  const impl = pickFilterImpl(attrs);
  if (!isNCHW(attrs)) return impl(backend, x, dy, attrs);
  const xN = transpose(backend, x, [0, 2, 3, 1]);
  const dyN = transpose(backend, dy, [0, 2, 3, 1]);
  const dW = impl(backend, xN, dyN, { ...attrs, dataFormat: 'NHWC' });
  release(backend, xN, dyN);
  return dW;
}

/** Inserts s−1 zeros after every row/column of dy (the forward stride, undone). */
function dilate(backend: Backend, dy: TensorInfo, sH: number, sW: number): TensorInfo {
  const [n, oh, ow, c] = dy.shape;
  const r = reshape(backend, dy, [n * oh, 1, ow, 1, c]);
  const p = pad(backend, r, [[0, 0], [0, sH - 1], [0, 0], [0, sW - 1], [0, 0]]);
  const out = reshape(backend, p, [n, oh * sH, ow * sW, c]);
  release(backend, r, p);
  return out;
}

/**
 * dX = correlation of the stride-dilated dy with the filter rotated 180° and its in/out channels
 * swapped; a stride-1 forward conv with explicit padding (KH−1−pt on top).
 */
function backpropInputNHWC(backend: Backend, dy: TensorInfo, filter: TensorInfo, attrs: Attrs): TensorInfo {
  const inputShape = attrs.inputShape as Shape4;
  const g = conv2dGeometry(inputShape, filter.shape as Shape4, attrs.strides as [number, number], attrs.pad, attrs.dimRoundingMode, false);
  if (dy.shape[1] !== g.outH || dy.shape[2] !== g.outW) {
    return viaCpu(tf.Conv2DBackpropInput, backend, { dy, filter }, { ...attrs, dataFormat: 'NHWC' });
  }
  const auto = convGradStrategy.kind === 'auto';
  if (convGradStrategy.kind === 'columns' || (auto && (!isUnitStride(attrs.strides) || isPointwise(filter.shape)))) {
    return columnsBackpropInput(backend, dy, filter, g);
  }
  const owned: TensorInfo[] = [];
  let dyD = dy;
  if (g.sH > 1 || g.sW > 1) owned.push((dyD = dilate(backend, dy, g.sH, g.sW)));
  const rows = dyD.shape[1];
  const cols = dyD.shape[2];
  const p = padOrCropHW(backend, dyD, [g.kH - 1 - g.padTop, g.inH - rows + g.padTop], [g.kW - 1 - g.padLeft, g.inW - cols + g.padLeft]);
  owned.push(...p.owned);
  const flipped = run(backend, 'Reverse', { x: filter }, { dims: [0, 1] });
  const wT = transpose(backend, flipped, [0, 1, 3, 2]); // [KH, KW, Co, Ci]
  owned.push(flipped, wT);
  const dx = run(backend, tf.Conv2D, { x: p.x, filter: wT }, {
    strides: [1, 1], dilations: [1, 1], pad: p.pad, dataFormat: 'NHWC', dimRoundingMode: undefined,
  });
  release(backend, ...owned);
  return dx;
}

function conv2DBackpropInput({ inputs, backend, attrs }: KernelArgs): TensorInfo {
  const { dy, filter } = inputs;
  if (dy.dtype !== 'float32' || filter.dtype !== 'float32') return viaCpu(tf.Conv2DBackpropInput, backend, inputs, attrs);
  if (!isNCHW(attrs)) return backpropInputNHWC(backend, dy, filter, attrs);
  const [n, c, h, w] = attrs.inputShape as Shape4;
  const dyN = transpose(backend, dy, [0, 2, 3, 1]);
  const dxN = backpropInputNHWC(backend, dyN, filter, { ...attrs, dataFormat: 'NHWC', inputShape: [n, h, w, c] });
  const dx = transpose(backend, dxN, [0, 3, 1, 2]);
  release(backend, dyN, dxN);
  return dx;
}

export const conv2dKernels: tf.KernelConfig[] = [
  { kernelName: tf.Conv2DBackpropFilter, backendName: 'wasm', kernelFunc: conv2DBackpropFilter as unknown as tf.KernelFunc },
  { kernelName: tf.Conv2DBackpropInput, backendName: 'wasm', kernelFunc: conv2DBackpropInput as unknown as tf.KernelFunc },
];
