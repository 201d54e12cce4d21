/**
 * The two training workloads of TFJS-FINDINGS (same shapes, so numbers are comparable): a small
 * CNN trained with tf.layers `trainOnBatch`, and a pre-LN transformer block trained with
 * `tf.variableGrads` + `applyGradients`; both with `tf.train.sgd`. Plus two harness networks as
 * the study trains them: the fmnist-resnet ResNet and the moby-lstm LSTM.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { resnet } from '../src/harness/models/convnets.js';
import { lstm } from '../src/harness/models/lstm.js';
import type { Net } from '../src/harness/models/types.js';
import { Rng } from '../src/harness/rng.js';
import { crossEntropy } from '../src/harness/train/loss.js';

export type Workload = 'cnn' | 'transformer' | 'resnet' | 'lstm';

export interface Trainer {
  /** One optimisation step; resolves with the loss once the step has completed. */
  step(): Promise<number>;
  dispose(): void;
}

function seeded(shape: number[], seed: number, scale = 1): tf.Tensor {
  return tf.mul(tf.randomUniform(shape, -1, 1, 'float32', seed), scale);
}

/** conv32 3×3 → relu → maxpool → conv64 3×3 → relu → maxpool → dense128 → dense10; 28×28×1, batch 128. */
export function cnnTrainer(batch = 128): Trainer {
  const model = tfl.sequential({
    layers: [
      tfl.layers.conv2d({ inputShape: [28, 28, 1], filters: 32, kernelSize: 3, activation: 'relu' }),
      tfl.layers.maxPooling2d({ poolSize: 2 }),
      tfl.layers.conv2d({ filters: 64, kernelSize: 3, activation: 'relu' }),
      tfl.layers.maxPooling2d({ poolSize: 2 }),
      tfl.layers.flatten(),
      tfl.layers.dense({ units: 128, activation: 'relu' }),
      tfl.layers.dense({ units: 10, activation: 'softmax' }),
    ],
  });
  model.compile({ optimizer: tf.train.sgd(0.01), loss: 'categoricalCrossentropy' });
  const x = tf.randomUniform([batch, 28, 28, 1], 0, 1, 'float32', 1);
  const y = tf.tidy(() => tf.oneHot(tf.randomUniform([batch], 0, 10, 'int32', 2) as tf.Tensor1D, 10));
  return {
    step: async () => {
      const loss = await model.trainOnBatch(x, y);
      return Array.isArray(loss) ? loss[0] : loss;
    },
    dispose: () => {
      model.dispose();
      tf.dispose([x, y]);
    },
  };
}

export interface TransformerShape { batch: number; seq: number; dModel: number; heads: number; mlp: number; vocab: number }
export const transformerShape: TransformerShape = { batch: 32, seq: 64, dModel: 128, heads: 4, mlp: 512, vocab: 96 };

/**
 * Pre-LN causal self-attention + tanh-GELU MLP, next-token loss. One-hot embedding (not tf.gather)
 * so stock tfjs-wasm, which lacks UnsortedSegmentSum, can train it too.
 */
export function transformerTrainer(s: TransformerShape = transformerShape): Trainer {
  const { batch: B, seq: T, dModel: D, heads: H, mlp: M, vocab: V } = s;
  const dh = D / H;
  let seed = 10;
  const v = (shape: number[], scale: number) => tf.variable(seeded(shape, seed++, scale));
  const p = tf.tidy(() => ({
    emb: v([V, D], 0.1), pos: v([T, D], 0.1),
    ln1g: tf.variable(tf.ones([D])), ln1b: tf.variable(tf.zeros([D])),
    wq: v([D, D], 1 / Math.sqrt(D)), wk: v([D, D], 1 / Math.sqrt(D)), wv: v([D, D], 1 / Math.sqrt(D)), wo: v([D, D], 1 / Math.sqrt(D)),
    ln2g: tf.variable(tf.ones([D])), ln2b: tf.variable(tf.zeros([D])),
    w1: v([D, M], 1 / Math.sqrt(D)), b1: tf.variable(tf.zeros([M])), w2: v([M, D], 1 / Math.sqrt(M)), b2: tf.variable(tf.zeros([D])),
    wout: v([D, V], 1 / Math.sqrt(D)),
  }));
  const { inputs, targets, mask } = tf.tidy(() => {
    const tokens = tf.randomUniform([B, T + 1], 0, V, 'int32', 3);
    return {
      inputs: tf.oneHot(tf.reshape(tf.slice(tokens, [0, 0], [B, T]), [B * T]) as tf.Tensor1D, V),
      targets: tf.oneHot(tf.reshape(tf.slice(tokens, [0, 1], [B, T]), [B * T]) as tf.Tensor1D, V),
      mask: tf.mul(tf.sub(1, tf.linalg.bandPart(tf.ones([T, T]), -1, 0)), -1e9),
    };
  });
  const opt = tf.train.sgd(0.01);

  const layerNorm = (x: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => {
    const { mean, variance } = tf.moments(x, -1, true);
    return tf.add(tf.mul(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, 1e-5))), g), b);
  };
  const gelu = (x: tf.Tensor) =>
    tf.mul(tf.mul(x, 0.5), tf.add(1, tf.tanh(tf.mul(Math.sqrt(2 / Math.PI), tf.add(x, tf.mul(0.044715, tf.mul(x, tf.mul(x, x))))))));
  const heads = (x: tf.Tensor) => tf.transpose(tf.reshape(x, [B, T, H, dh]), [0, 2, 1, 3]);

  const lossFn = () => {
    const x0 = tf.add(tf.reshape(tf.matMul(inputs, p.emb), [B, T, D]), p.pos);
    const x = tf.reshape(x0, [B * T, D]);
    const h = layerNorm(x, p.ln1g, p.ln1b);
    const q = heads(tf.matMul(h, p.wq));
    const k = heads(tf.matMul(h, p.wk));
    const vv = heads(tf.matMul(h, p.wv));
    const scores = tf.add(tf.div(tf.matMul(q, k, false, true), Math.sqrt(dh)), mask);
    const att = tf.matMul(tf.softmax(scores), vv);
    const merged = tf.reshape(tf.transpose(att, [0, 2, 1, 3]), [B * T, D]);
    const x1 = tf.add(x, tf.matMul(merged, p.wo));
    const h2 = layerNorm(x1, p.ln2g, p.ln2b);
    const x2 = tf.add(x1, tf.add(tf.matMul(gelu(tf.add(tf.matMul(h2, p.w1), p.b1)), p.w2), p.b2));
    const logits = tf.matMul(x2, p.wout);
    return tf.losses.softmaxCrossEntropy(targets, logits) as tf.Scalar;
  };

  return {
    step: async () => {
      const { value, grads } = tf.variableGrads(lossFn);
      opt.applyGradients(grads);
      const loss = value.dataSync()[0];
      tf.dispose([value, ...Object.values(grads)]);
      return loss;
    },
    dispose: () => {
      tf.dispose([...Object.values(p), inputs, targets, mask]);
      opt.dispose();
    },
  };
}

/** A harness network on one fixed batch, `tf.variableGrads` + `tf.train.sgd` (the driver's shape of a step). */
function netTrainer(net: Net, x: tf.Tensor, y: tf.Tensor1D): Trainer {
  const opt = tf.train.sgd(0.01);
  return {
    step: async () => {
      const { value, grads } = tf.variableGrads(() => crossEntropy(net.forward(x, true), y), net.trainable);
      opt.applyGradients(grads);
      const loss = value.dataSync()[0];
      tf.dispose([value, ...Object.values(grads)]);
      return loss;
    },
    dispose: () => {
      net.dispose();
      tf.dispose([x, y]);
      opt.dispose();
    },
  };
}

/** fmnist-resnet: widths 16-32-64, one BasicBlock per stage, BatchNorm; 28×28×1, batch 128. */
export function resnetTrainer(batch = 128): Trainer {
  const x = tf.randomUniform([batch, 28, 28, 1], 0, 1, 'float32', 1);
  const y = tf.randomUniform([batch], 0, 10, 'int32', 2) as tf.Tensor1D;
  return netTrainer(resnet({ height: 28, width: 28, channels: 1, classes: 10 }, [16, 32, 64], 1, new Rng(1)), x, y);
}

/** moby-lstm: 2 layers, hidden 128, embedding 64, vocab 83; batch 32 × 64 characters. */
export function lstmTrainer(batch = 32, seq = 64, vocab = 83): Trainer {
  const x = tf.randomUniform([batch, seq], 0, vocab, 'int32', 3);
  const y = tf.randomUniform([batch * seq], 0, vocab, 'int32', 4) as tf.Tensor1D;
  return netTrainer(lstm({ vocab, embed: 64, hidden: 128, layers: 2 }, new Rng(1)), x, y);
}

export function makeTrainer(w: Workload): Trainer {
  switch (w) {
    case 'cnn': return cnnTrainer();
    case 'transformer': return transformerTrainer();
    case 'resnet': return resnetTrainer();
    case 'lstm': return lstmTrainer();
  }
}
