import * as tf from '@tensorflow/tfjs-core';
import { type Attrs, type Backend, type TensorInfo, view, viaCpu } from './util.js';
import { heapOffset, poolSimdEnabled, wasmLoops } from '../channelSimd.js';

/**
 * MaxPoolGrad for NHWC float32 on wasm. tfjs-wasm's stock kernel was 28% of a profiled CNN training
 * step; this one is a scatter-add over the heap, one argmax per output position.
 *
 * It matches `cpu` exactly. The argmax is recomputed from x, as `cpu` does, instead of comparing
 * x with the forward output: that gives one winner per window even when values tie. Within a
 * window the scan is row-major with a strict `>` and starts at −∞, so the first maximum wins.
 * Padding and NaN never win. A window that holds only −∞ or NaN passes no gradient.
 *
 * Output positions are visited in NHWC order with channels inside them, so x, dy and dx are
 * walked in memory order. The common 2×2/stride-2 unpadded pool with a channel count divisible by
 * 4 runs as a wasm SIMD loop (channelSimd.ts `maxPoolGrad2x2`), with the same winner rule and the
 * same values bit for bit.
 */
function maxPoolGrad({ inputs, backend, attrs }: { inputs: Record<string, TensorInfo>; backend: Backend; attrs: Attrs }): TensorInfo {
  const { dy, input: x } = inputs;
  // Unreachable through tf.maxPool (wasm's MaxPool is float32-only); kept correct for direct calls.
  if (x.dtype !== 'float32' || dy.dtype !== 'float32') return viaCpu(tf.MaxPoolGrad, backend, inputs, attrs);
  const info = tf.backend_util.computePool2DInfo(
    x.shape as [number, number, number, number], attrs.filterSize as number | [number, number], attrs.strides as number | [number, number],
    1, attrs.pad as 'same', attrs.dimRoundingMode as 'round' | undefined);
  const { batchSize, inHeight: H, inWidth: W, inChannels: C, outHeight, outWidth } = info;
  const { effectiveFilterHeight: fH, effectiveFilterWidth: fW, strideHeight: sH, strideWidth: sW } = info;
  const { top, left } = info.padInfo;
  const dx = backend.makeOutput(x.shape, 'float32');
  // No clipped windows: 'same' padding on odd sizes adds a last, partial window (JS loop).
  const loops = poolSimdEnabled.value && fH === 2 && fW === 2 && sH === 2 && sW === 2 && top === 0 && left === 0 && C % 4 === 0
    && outHeight === H >> 1 && outWidth === W >> 1 ? wasmLoops(backend) : null;
  if (loops) {
    // Pixels outside every window (odd H or W) get no gradient.
    if (H % 2 !== 0 || W % 2 !== 0) (view(backend, dx) as Float32Array).fill(0);
    loops.maxPoolGrad2x2(batchSize, H, outHeight, outWidth, 4 * C, 4 * W * C, heapOffset(backend, x), heapOffset(backend, dy), heapOffset(backend, dx));
    return dx;
  }
  const xv = view(backend, x) as Float32Array;
  const dyv = view(backend, dy) as Float32Array;
  const dxv = view(backend, dx) as Float32Array;
  // Overlapping windows add into the same dx element; `cpu` adds those in float64 in output order
  // and rounds once, so they go through a float64 buffer in the same order. Without overlap each dx
  // element gets at most one value, and adding it to zero in float32 is exact.
  const overlap = sH < fH || sW < fW;
  const acc = overlap ? new Float64Array(dxv.length) : dxv.fill(0);
  const WC = W * C;
  let o = 0;
  for (let b = 0; b < batchSize; b++) {
    for (let oy = 0; oy < outHeight; oy++) {
      const rc = oy * sH - top;
      const r0 = Math.max(rc, 0);
      const r1 = Math.min(rc + fH, H);
      for (let ox = 0; ox < outWidth; ox++, o += C) {
        const cc = ox * sW - left;
        const c0 = Math.max(cc, 0);
        const c1 = Math.min(cc + fW, W);
        const first = ((b * H + r0) * W + c0) * C;
        // Channels are the loop outside the window loop, so best/at stay in registers; the window's
        // fH rows of fW·C contiguous values stay in L1. Which element wins depends on the data, so
        // selects replace an if, whose mispredictions cost more than the compares.
        if (r1 - r0 === 2 && c1 - c0 === 2) {
          // The usual 2x2 window, unrolled: 1.4x faster than the generic loop (CNN shapes).
          for (let c = 0; c < C; c++) {
            const i0 = first + c;
            const i1 = i0 + C;
            const i2 = i0 + WC;
            const i3 = i2 + C;
            let v = xv[i0];
            let gt = v > -Infinity;
            let best = gt ? v : -Infinity;
            let at = gt ? i0 : -1;
            v = xv[i1];
            gt = v > best;
            best = gt ? v : best;
            at = gt ? i1 : at;
            v = xv[i2];
            gt = v > best;
            best = gt ? v : best;
            at = gt ? i2 : at;
            at = xv[i3] > best ? i3 : at;
            if (at >= 0) acc[at] += dyv[o + c];
          }
          continue;
        }
        for (let c = 0; c < C; c++) {
          let best = -Infinity;
          let at = -1;
          for (let r = r0, row = first + c; r < r1; r++, row += WC) {
            for (let col = c0, i = row; col < c1; col++, i += C) {
              const v = xv[i];
              const gt = v > best;
              best = gt ? v : best;
              at = gt ? i : at;
            }
          }
          if (at >= 0) acc[at] += dyv[o + c];
        }
      }
    }
  }
  if (overlap) dxv.set(acc);
  return dx;
}

export const poolKernels: tf.KernelConfig[] = [
  { kernelName: tf.MaxPoolGrad, backendName: 'wasm', kernelFunc: maxPoolGrad as unknown as tf.KernelFunc },
];
