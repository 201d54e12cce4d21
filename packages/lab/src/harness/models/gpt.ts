import * as tf from '@tensorflow/tfjs-core';
import type { Rng } from '../rng.js';
import { block, blockParams, causalMask, layerNorm, ParamStore } from './transformer.js';
import type { Net } from './types.js';

export interface GptConfig {
  vocab: number;
  context: number;
  dim: number;
  heads: number;
  layers: number;
  mlpDim: number;
}

/**
 * Character GPT: token + learned position embeddings, pre-LN causal blocks, final LayerNorm,
 * linear head. Input: int32 ids [B, T]; output logits [B·T, vocab]. Embedding lookup is a one-hot
 * matMul (vocab is ~80), which keeps the gradient a plain matMul on every backend.
 */
export function gpt(c: GptConfig, rng: Rng): Net {
  const p = new ParamStore('gpt', rng);
  const wte = p.normal('wte', [c.vocab, c.dim]);
  const wpe = p.normal('wpe', [c.context, c.dim], 0.01);
  const blocks = Array.from({ length: c.layers }, (_, i) => blockParams(p, i, c.dim, c.mlpDim, c.layers));
  const lnfG = p.fill('lnf_g', [c.dim], 1);
  const lnfB = p.fill('lnf_b', [c.dim], 0);
  const head = p.normal('head_w', [c.dim, c.vocab]);
  const mask = tf.keep(causalMask(c.context));
  return {
    name: `gpt-${c.layers}x${c.dim}`,
    trainable: p.vars,
    stateVars: p.vars,
    forward(ids) {
      const [b, t] = ids.shape;
      const oneHot = tf.oneHot(tf.reshape(ids, [-1]) as tf.Tensor1D, c.vocab) as tf.Tensor2D;
      const pos = tf.tile(tf.slice(wpe, [0, 0], [t, c.dim]), [b, 1]) as tf.Tensor2D;
      let x = tf.add(tf.matMul(tf.cast(oneHot, 'float32'), wte), pos) as tf.Tensor2D;
      const m = t === c.context ? mask : tf.slice(mask, [0, 0], [t, t]);
      for (const bp of blocks) x = block(x, bp, b, t, c.heads, m);
      return tf.matMul(layerNorm(x, lnfG, lnfB), head);
    },
    dispose() {
      p.vars.forEach((v) => v.dispose());
      mask.dispose();
    },
  };
}
