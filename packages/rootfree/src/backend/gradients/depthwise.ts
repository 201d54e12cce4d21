import * as tf from '@tensorflow/tfjs-core';
import { type TensorInfo, conv2dGeometry, view, viaCpu, type KernelArgs } from './util.js';

/*
 * Depthwise-conv gradients are missing on wasm. They do little arithmetic per byte (no channel
 * mixing), so direct loops over the wasm heap are adequate; the loops keep the channel index
 * innermost so every access is contiguous.
 */

type Shape4 = [number, number, number, number];
const unitDilations = (d: unknown) => d == null || d === 1 || (Array.isArray(d) && d.every((v) => v === 1));

function backpropFilter({ inputs, backend, attrs }: KernelArgs): TensorInfo {
  const { x, dy } = inputs;
  if (!unitDilations(attrs.dilations) || x.dtype !== 'float32' || dy.dtype !== 'float32') {
    return viaCpu(tf.DepthwiseConv2dNativeBackpropFilter, backend, inputs, attrs);
  }
  const filterShape = attrs.filterShape as Shape4;
  const g = conv2dGeometry(x.shape as Shape4, filterShape, attrs.strides as [number, number], attrs.pad, attrs.dimRoundingMode, true);
  const mul = g.outC / g.inC;
  const out = backend.makeOutput([g.kH, g.kW, g.inC, mul], 'float32');
  const xv = view(backend, x) as Float32Array;
  const dyv = view(backend, dy) as Float32Array;
  // float64 accumulators: each weight sums batch·outH·outW products.
  const dw = new Float64Array(g.kH * g.kW * g.outC);
  const cIn = g.inC;
  forEachTap(g, (dyOff, xOff, wOff) => {
    if (mul === 1) {
      for (let c = 0; c < cIn; c++) dw[wOff + c] += xv[xOff + c] * dyv[dyOff + c];
    } else {
      for (let c = 0; c < cIn; c++) {
        const xc = xv[xOff + c];
        for (let q = 0; q < mul; q++) dw[wOff + c * mul + q] += xc * dyv[dyOff + c * mul + q];
      }
    }
  });
  (view(backend, out) as Float32Array).set(dw);
  return out;
}

function backpropInput({ inputs, backend, attrs }: KernelArgs): TensorInfo {
  const { dy, filter } = inputs;
  if (!unitDilations(attrs.dilations) || dy.dtype !== 'float32' || filter.dtype !== 'float32') {
    return viaCpu(tf.DepthwiseConv2dNativeBackpropInput, backend, inputs, attrs);
  }
  const inputShape = attrs.inputShape as Shape4;
  const g = conv2dGeometry(inputShape, filter.shape as Shape4, attrs.strides as [number, number], attrs.pad, attrs.dimRoundingMode, true);
  const mul = g.outC / g.inC;
  const out = backend.makeOutput([g.batch, g.inH, g.inW, g.inC], 'float32');
  const dyv = view(backend, dy) as Float32Array;
  const fv = view(backend, filter) as Float32Array;
  const dx = view(backend, out) as Float32Array;
  dx.fill(0);
  const cIn = g.inC;
  // Scatter form of the transposed convolution: every dy pixel adds into the inputs it read.
  forEachTap(g, (dyOff, xOff, wOff) => {
    if (mul === 1) {
      for (let c = 0; c < cIn; c++) dx[xOff + c] += dyv[dyOff + c] * fv[wOff + c];
    } else {
      for (let c = 0; c < cIn; c++) {
        let s = 0;
        for (let q = 0; q < mul; q++) s += dyv[dyOff + c * mul + q] * fv[wOff + c * mul + q];
        dx[xOff + c] += s;
      }
    }
  });
  return out;
}

type Geometry = ReturnType<typeof conv2dGeometry>;

/**
 * Visits every (output pixel, kernel tap) pair that reads an in-bounds input pixel, with the
 * element offsets of dy (NHWC, outC channels), x (NHWC, inC) and the filter row (kH·kW·outC).
 * Both backprops are sums over exactly these pairs; only the per-channel update differs.
 */
function forEachTap(g: Geometry, visit: (dyOff: number, xOff: number, wOff: number) => void): void {
  for (let b = 0; b < g.batch; b++) {
    for (let oh = 0; oh < g.outH; oh++) {
      for (let ow = 0; ow < g.outW; ow++) {
        const dyOff = ((b * g.outH + oh) * g.outW + ow) * g.outC;
        for (let kh = 0; kh < g.kH; kh++) {
          const ih = oh * g.sH + kh - g.padTop;
          if (ih < 0 || ih >= g.inH) continue;
          for (let kw = 0; kw < g.kW; kw++) {
            const iw = ow * g.sW + kw - g.padLeft;
            if (iw < 0 || iw >= g.inW) continue;
            visit(dyOff, ((b * g.inH + ih) * g.inW + iw) * g.inC, (kh * g.kW + kw) * g.outC);
          }
        }
      }
    }
  }
}

export const depthwiseKernels: tf.KernelConfig[] = [
  { kernelName: tf.DepthwiseConv2dNativeBackpropFilter, backendName: 'wasm', kernelFunc: backpropFilter as unknown as tf.KernelFunc },
  { kernelName: tf.DepthwiseConv2dNativeBackpropInput, backendName: 'wasm', kernelFunc: backpropInput as unknown as tf.KernelFunc },
];
