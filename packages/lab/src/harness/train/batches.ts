import * as tf from '@tensorflow/tfjs-core';
import type { Rng } from '../rng.js';
import type { ImageData, ImageSet } from '../data/types.js';

export interface Augment {
  /** Random translation by up to `cropPad` pixels (random crop of the zero-padded image). 0 = off. */
  cropPad: number;
  /** Random horizontal flip (never for digits). */
  flip: boolean;
}

/**
 * A normalised NHWC float batch of rows `idx`, augmented with draws from `rng` when `aug` is
 * given (2 draws per image for the crop, 1 for the flip, in row order: the stream position
 * depends only on the batch, so resumed runs replay it exactly).
 */
export function imageBatch(data: ImageData, set: ImageSet, idx: ArrayLike<number>, aug: Augment | null, rng: Rng | null): { x: tf.Tensor4D; y: tf.Tensor1D } {
  const { height: h, width: w, channels: c } = set;
  const size = h * w * c;
  const out = new Float32Array(idx.length * size);
  const labels = new Int32Array(idx.length);
  const scale = 1 / (255 * data.std);
  const shift = data.mean / data.std;
  const zero = -shift; // a zero (black) pixel after normalisation: what the padding holds
  for (let k = 0; k < idx.length; k++) {
    const src = set.images.subarray(idx[k] * size, (idx[k] + 1) * size);
    labels[k] = set.labels[idx[k]];
    const base = k * size;
    let dy = 0;
    let dx = 0;
    let flip = false;
    if (aug && rng) {
      if (aug.cropPad > 0) {
        dy = rng.int(2 * aug.cropPad + 1) - aug.cropPad;
        dx = rng.int(2 * aug.cropPad + 1) - aug.cropPad;
      }
      if (aug.flip) flip = rng.next() < 0.5;
    }
    for (let yy = 0; yy < h; yy++) {
      const sy = yy + dy;
      for (let xx = 0; xx < w; xx++) {
        const sx0 = xx + dx;
        const sx = flip ? w - 1 - sx0 : sx0;
        const inside = sy >= 0 && sy < h && sx >= 0 && sx < w;
        for (let ch = 0; ch < c; ch++) {
          out[base + (yy * w + xx) * c + ch] = inside ? src[(sy * w + sx) * c + ch] * scale - shift : zero;
        }
      }
    }
  }
  return { x: tf.tensor4d(out, [idx.length, h, w, c]), y: tf.tensor1d(labels, 'int32') };
}

/** Random training windows of `seq` tokens (targets shifted by one), start positions from `rng`. */
export function textBatch(ids: Uint16Array, batch: number, seq: number, rng: Rng): { x: tf.Tensor2D; y: tf.Tensor1D } {
  const xs = new Int32Array(batch * seq);
  const ys = new Int32Array(batch * seq);
  for (let b = 0; b < batch; b++) {
    const s = rng.int(ids.length - seq - 1);
    for (let t = 0; t < seq; t++) {
      xs[b * seq + t] = ids[s + t];
      ys[b * seq + t] = ids[s + t + 1];
    }
  }
  return { x: tf.tensor2d(xs, [batch, seq], 'int32'), y: tf.tensor1d(ys, 'int32') };
}

/** Contiguous non-overlapping evaluation windows (deterministic) covering up to `maxTokens`. */
export function textEvalWindows(ids: Uint16Array, seq: number, maxTokens: number): number[] {
  const n = Math.min(Math.floor((ids.length - 1) / seq), Math.max(1, Math.floor(maxTokens / seq)));
  return Array.from({ length: n }, (_, i) => i * seq);
}

export function textWindowBatch(ids: Uint16Array, starts: number[], seq: number): { x: tf.Tensor2D; y: tf.Tensor1D } {
  const xs = new Int32Array(starts.length * seq);
  const ys = new Int32Array(starts.length * seq);
  starts.forEach((s, b) => {
    for (let t = 0; t < seq; t++) {
      xs[b * seq + t] = ids[s + t];
      ys[b * seq + t] = ids[s + t + 1];
    }
  });
  return { x: tf.tensor2d(xs, [starts.length, seq], 'int32'), y: tf.tensor1d(ys, 'int32') };
}
