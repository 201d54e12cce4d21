import * as tf from '@tensorflow/tfjs-core';
import type { Rng } from '../rng.js';
import { lstmRecurrence } from './lstmRecurrence.js';
import { ParamStore } from './transformer.js';
import type { Net } from './types.js';

export interface LstmConfig {
  vocab: number;
  /** Embedding width (input of the first layer). */
  embed: number;
  hidden: number;
  layers: number;
}

interface LayerParams {
  wx: tf.Variable; // [in, 4H], gate blocks i | f | g | o
  wh: tf.Variable; // [H, 4H]
  b: tf.Variable; // [4H]
}

/**
 * Character LSTM language model (the paper's third claim is about LSTMs): one-hot embedding,
 * `layers` LSTM layers, linear head at every position. Input int32 ids [B, T]; output logits
 * [B·T, vocab] in the same b-major order as gpt(). A layer's input projection runs for all
 * timesteps as one 2-D matmul; only h·Wh is sequential (lstmRecurrence, with its own BPTT). Initialisation as PyTorch's nn.LSTM
 * (weights U(±1/√H)) except N(0, 1/H) here so it comes from the seeded normal stream, embeddings
 * N(0, 1) as nn.Embedding, and forget-gate bias 1 (the usual remedy for early vanishing memory).
 */
export function lstm(c: LstmConfig, rng: Rng): Net {
  const p = new ParamStore('lstm', rng);
  const h = c.hidden;
  const emb = p.normal('emb', [c.vocab, c.embed], 1);
  const layers: LayerParams[] = [];
  for (let l = 0; l < c.layers; l++) {
    const inDim = l === 0 ? c.embed : h;
    const wx = p.normal(`l${l}_wx`, [inDim, 4 * h], 1 / Math.sqrt(h));
    const wh = p.normal(`l${l}_wh`, [h, 4 * h], 1 / Math.sqrt(h));
    const b = p.fill(`l${l}_b`, [4 * h], 0);
    tf.tidy(() => b.assign(tf.concat([tf.zeros([h]), tf.ones([h]), tf.zeros([2 * h])])));
    layers.push({ wx, wh, b });
  }
  const head = p.normal('head_w', [h, c.vocab], 1 / Math.sqrt(h));
  const headB = p.fill('head_b', [c.vocab], 0);

  /** One layer over the whole sequence: x [B·T, in] (b-major) → hidden states [B·T, H]. */
  const runLayer = (x: tf.Tensor2D, lp: LayerParams, batch: number, steps: number): tf.Tensor2D => {
    const xw = tf.add(tf.matMul(x, lp.wx), lp.b); // [B·T, 4H]
    // Time-major so each step's slice is contiguous.
    const timeMajor = tf.transpose(tf.reshape(xw, [batch, steps, 4 * h]), [1, 0, 2]) as tf.Tensor3D;
    return tf.reshape(lstmRecurrence(timeMajor, lp.wh as tf.Tensor2D), [batch * steps, h]); // [B, T·H] is [B, T, H] b-major
  };

  return {
    name: `lstm-${c.layers}x${h}`,
    trainable: p.vars,
    stateVars: p.vars,
    forward(ids) {
      const [batch, steps] = ids.shape;
      const oneHot = tf.cast(tf.oneHot(tf.reshape(ids, [-1]) as tf.Tensor1D, c.vocab), 'float32') as tf.Tensor2D;
      let x = tf.matMul(oneHot, emb) as tf.Tensor2D;
      for (const lp of layers) x = runLayer(x, lp, batch, steps);
      return tf.add(tf.matMul(x, head), headB) as tf.Tensor2D;
    },
    dispose() {
      p.vars.forEach((v) => v.dispose());
    },
  };
}
