import * as tf from '@tensorflow/tfjs-core';
import { noCapture, type HalfprecProblem, type LayerCapture } from './problem.js';
import { Rng } from '../rng.js';

export interface MlpOptions {
  /** Training examples taken from the start of MNIST's training split. Default 2048. */
  examples?: number;
  /** Mini-batch size. Default 128. */
  batchSize?: number;
  /** Hidden units. Default 32. */
  hidden?: number;
}

/** Images 28×28 averaged over 2×2 blocks to 14×14 = 196 inputs, then standardised. */
function downsample(images: Uint8Array, n: number, mean: number, std: number): Float32Array {
  const out = new Float32Array(n * 196);
  for (let e = 0; e < n; e++) {
    for (let r = 0; r < 14; r++) {
      for (let c = 0; c < 14; c++) {
        const base = e * 784 + 2 * r * 28 + 2 * c;
        const v = (images[base] + images[base + 1] + images[base + 28] + images[base + 29]) / (4 * 255);
        out[e * 196 + r * 14 + c] = (v - mean) / std;
      }
    }
  }
  return out;
}

/**
 * A 196–H–10 ReLU MLP with softmax cross-entropy on a fixed MNIST subset (downsampled so that
 * root-based Shampoo's 196×196 factor keeps the demo at a few minutes). Batches are drawn in a
 * seeded order, the same for every run. Needs the harness MNIST loader (`src/harness/data`).
 */
export async function mlpProblem(seed: number, o: MlpOptions = {}): Promise<HalfprecProblem> {
  const { loadDataset } = await import('../data/index.js');
  const data = loadDataset('mnist');
  if (data.kind !== 'image') throw new Error('mnist loader returned non-image data');
  const n = Math.min(o.examples ?? 2048, data.train.n);
  const bs = Math.min(o.batchSize ?? 128, n);
  const h = o.hidden ?? 32;
  const rng = Rng.salted(seed, 2);
  const x = tf.tensor2d(downsample(data.train.images, n, data.mean, data.std), [n, 196]);
  const labels = tf.oneHot(tf.tensor1d(Array.from(data.train.labels.subarray(0, n)), 'int32'), 10);
  const he = (fanIn: number, size: number): Float32Array => new Float32Array(size).map(() => rng.normal() * Math.sqrt(2 / fanIn));
  const params = [
    { name: 'dense1/kernel', shape: [196, h], init: he(196, 196 * h) },
    { name: 'dense1/bias', shape: [h], init: new Float32Array(h) },
    { name: 'dense2/kernel', shape: [h, 10], init: he(h, h * 10) },
    { name: 'dense2/bias', shape: [10], init: new Float32Array(10) },
  ];
  const perEpoch = Math.floor(n / bs);
  const orders: Int32Array[] = [];
  const batchIndex = (step: number): tf.Tensor1D => {
    const epoch = Math.floor(step / perEpoch);
    while (orders.length <= epoch) orders.push(rng.permutation(n));
    const i = (step % perEpoch) * bs;
    return tf.tensor1d(Int32Array.from(orders[epoch].subarray(i, i + bs)), 'int32');
  };
  const forwardLoss = (p: tf.Tensor[], xb: tf.Tensor2D, yb: tf.Tensor, capture: LayerCapture = noCapture): tf.Scalar =>
    tf.tidy(() => {
      const hidden = tf.relu(capture('dense1', xb, () => tf.add(tf.matMul(xb, p[0] as tf.Tensor2D), p[1])));
      const logits = capture('dense2', hidden, () => tf.add(tf.matMul(hidden as tf.Tensor2D, p[2] as tf.Tensor2D), p[3]));
      return tf.neg(tf.mean(tf.sum(tf.mul(yb, tf.logSoftmax(logits)), 1))) as tf.Scalar;
    });
  return {
    name: 'mlp',
    description: `MNIST (first ${n} training images, 2×2-averaged to 14×14) → ${h} ReLU → 10, softmax cross-entropy, batch ${bs}, seeded batch order`,
    params,
    batchSize: bs,
    layers: [
      { name: 'dense1', kind: 'dense', weight: 'dense1/kernel', bias: 'dense1/bias' },
      { name: 'dense2', kind: 'dense', weight: 'dense2/kernel', bias: 'dense2/bias' },
    ],
    stepLoss: (p, step, capture) =>
      tf.tidy(() => {
        const idx = batchIndex(step);
        return forwardLoss(p, tf.gather(x, idx), tf.gather(labels, idx), capture);
      }),
    fullLoss: (p) => forwardLoss(p, x, labels),
    dispose: () => {
      x.dispose();
      labels.dispose();
    },
  };
}
