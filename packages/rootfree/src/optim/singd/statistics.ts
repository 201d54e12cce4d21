import * as tf from '@tensorflow/tfjs-core';
import { resolvePadding, type KfacLayer } from './layers.js';
import type { KfacApprox, LossAverage } from './options.js';

/**
 * The matrices a (rows × dim_K) and g (rows × dim_C) singd builds from a layer's input and output
 * gradient (v3 README §2.3, SPEC §4.2), for TensorFlow.js layouts: dense input [B, …, dIn],
 * conv2d input NHWC [B, H, W, cIn] with a filter [kh, kw, cIn/G, cOut]. Columns of a follow
 * singd's order (c, i, j) (channel slowest, then kernel row, kernel column), then the bias.
 */

/** Patch matrix of a conv2d input: [B, O1·O2, cg·kh·kw] with columns in (c, i, j) order. */
function patches(x: tf.Tensor4D, layer: KfacLayer, kernel: [number, number]): { p: tf.Tensor3D; O: number } {
  const [B, H, W, cIn] = x.shape;
  const G = layer.groups;
  if (cIn % G !== 0) throw new Error(`SINGD layer '${layer.name}': ${cIn} input channels are not divisible by groups = ${G}`);
  const cg = cIn / G;
  // One K per layer: the input channels are averaged over the groups first (singd's `process_input`).
  const xg = G === 1 ? x : (tf.mean(tf.reshape(x, [B, H, W, G, cg]), 3) as tf.Tensor4D);
  const [kh, kw] = kernel;
  const [sh, sw] = layer.strides;
  const [dh, dw] = layer.dilation;
  const pad = resolvePadding(layer.padding, H, W, kernel, layer.strides, layer.dilation);
  const xp = tf.pad(xg, [[0, 0], pad[0], pad[1], [0, 0]]);
  const Hp = H + pad[0][0] + pad[0][1];
  const Wp = W + pad[1][0] + pad[1][1];
  const O1 = Math.floor((Hp - dh * (kh - 1) - 1) / sh) + 1;
  const O2 = Math.floor((Wp - dw * (kw - 1) - 1) / sw) + 1;
  if (O1 < 1 || O2 < 1) throw new Error(`SINGD layer '${layer.name}': input ${H}x${W} is smaller than the dilated kernel`);
  const taps: tf.Tensor4D[] = [];
  for (let i = 0; i < kh; i++) {
    for (let j = 0; j < kw; j++) {
      const b = [0, i * dh, j * dw, 0];
      const e = [B, i * dh + (O1 - 1) * sh + 1, j * dw + (O2 - 1) * sw + 1, cg];
      taps.push(tf.stridedSlice(xp, b, e, [1, sh, sw, 1]) as tf.Tensor4D);
    }
  }
  // [B, O1, O2, cg, kh·kw] → columns c·(kh·kw) + i·kw + j.
  const p = tf.reshape(tf.stack(taps, 4), [B, O1 * O2, cg * kh * kw]) as tf.Tensor3D;
  return { p, O: O1 * O2 };
}

/**
 * a = [A | 1] / √rows. `kernel` is [kh, kw] for conv2d (from the filter's shape).
 */
export function processInput(x: tf.Tensor, layer: KfacLayer, approx: KfacApprox, hasBias: boolean, kernel: [number, number] = [1, 1]): tf.Tensor2D {
  return tf.tidy(() => {
    let A: tf.Tensor2D;
    if (layer.kind === 'dense') {
      const d = x.shape[x.rank - 1];
      if (approx === 'expand' || x.rank === 2) A = tf.reshape(x, [-1, d]);
      else A = tf.mean(tf.reshape(x, [x.shape[0], -1, d]), 1) as tf.Tensor2D;
    } else {
      if (x.rank !== 4) throw new Error(`SINGD layer '${layer.name}': conv2d input must be NHWC [B, H, W, C], got [${x.shape}]`);
      const { p } = patches(x as tf.Tensor4D, layer, kernel);
      A = approx === 'expand' ? (tf.reshape(p, [-1, p.shape[2]]) as tf.Tensor2D) : (tf.mean(p, 1) as tf.Tensor2D);
    }
    if (hasBias) A = tf.concat([A, tf.ones([A.shape[0], 1])], 1);
    return tf.div(A, Math.sqrt(A.shape[0]));
  });
}

/**
 * g = Γ_matrix·√n with n = B ('batch'), B·S ('batch+sequence'; S = shared positions: the middle
 * axes of a dense input, O1·O2 of a conv2d) or 1 ('none').
 */
export function processGradOutput(dy: tf.Tensor, approx: KfacApprox, lossAverage: LossAverage): tf.Tensor2D {
  return tf.tidy(() => {
    const B = dy.shape[0];
    const d = dy.shape[dy.rank - 1];
    const S = dy.size / (B * d);
    const G = approx === 'expand' || dy.rank === 2 ? tf.reshape(dy, [-1, d]) : tf.sum(tf.reshape(dy, [B, -1, d]), 1);
    const n = lossAverage === 'batch' ? B : lossAverage === 'batch+sequence' ? B * S : 1;
    return tf.mul(G, Math.sqrt(n)) as tf.Tensor2D;
  });
}

/** G_mat = [∇W as (dim_C × cols) | ∇b] in singd's column order. */
export function gradMatrix(layer: KfacLayer, gw: tf.Tensor, gb: tf.Tensor | null): tf.Tensor2D {
  const w = layer.kind === 'dense' ? tf.transpose(gw) : tf.reshape(tf.transpose(gw, [3, 2, 0, 1]), [gw.shape[3] as number, -1]);
  return (gb ? tf.concat([w, tf.reshape(gb, [-1, 1])], 1) : w) as tf.Tensor2D;
}

/** Inverse of {@link gradMatrix}: the weight (tfjs layout) and bias parts of N. */
export function splitMatrix(layer: KfacLayer, n: tf.Tensor2D, weightShape: number[], hasBias: boolean): tf.Tensor[] {
  const cols = n.shape[1] - (hasBias ? 1 : 0);
  const [kh, kw, cg, cOut] = weightShape as [number, number, number, number];
  const [nw, nb] = hasBias ? tf.split(n, [cols, 1], 1) : [n, null];
  const w =
    layer.kind === 'dense'
      ? tf.transpose(nw)
      : tf.transpose(tf.reshape(nw, [cOut, cg, kh, kw]), [2, 3, 1, 0]);
  return nb ? [w, tf.reshape(nb, [-1])] : [w];
}
