import * as tf from '@tensorflow/tfjs-core';
import type { Rng } from '../rng.js';
import type { ImageShape } from './convnets.js';
import { block, blockParams, layerNorm, ParamStore } from './transformer.js';
import type { Net } from './types.js';

export interface VitConfig {
  patch: number;
  dim: number;
  heads: number;
  layers: number;
  mlpDim: number;
}

/**
 * Small ViT: non-overlapping patches -> linear embedding + learned positions, pre-LN blocks,
 * mean pooling over patches, LayerNorm, linear head. Input NHWC float [B, H, W, C].
 */
export function vit(s: ImageShape, c: VitConfig, rng: Rng): Net {
  const gh = Math.floor(s.height / c.patch);
  const gw = Math.floor(s.width / c.patch);
  const np = gh * gw;
  const pdim = c.patch * c.patch * s.channels;
  const p = new ParamStore('vit', rng);
  const wpatch = p.normal('patch_w', [pdim, c.dim], Math.sqrt(1 / pdim));
  const bpatch = p.fill('patch_b', [c.dim], 0);
  const wpe = p.normal('wpe', [np, c.dim]);
  const blocks = Array.from({ length: c.layers }, (_, i) => blockParams(p, i, c.dim, c.mlpDim, c.layers));
  const lnfG = p.fill('lnf_g', [c.dim], 1);
  const lnfB = p.fill('lnf_b', [c.dim], 0);
  const head = p.normal('head_w', [c.dim, s.classes]);
  const headB = p.fill('head_b', [s.classes], 0);
  return {
    name: `vit-p${c.patch}-${c.layers}x${c.dim}`,
    trainable: p.vars,
    stateVars: p.vars,
    forward(x) {
      const b = x.shape[0];
      // [B, gh, P, gw, P, C] -> [B, gh, gw, P, P, C] -> [B·np, P·P·C]
      const cropped = tf.slice(x, [0, 0, 0, 0], [b, gh * c.patch, gw * c.patch, s.channels]);
      const patches = tf.reshape(tf.transpose(tf.reshape(cropped, [b, gh, c.patch, gw, c.patch, s.channels]), [0, 1, 3, 2, 4, 5]), [b * np, pdim]) as tf.Tensor2D;
      let h = tf.add(tf.add(tf.matMul(patches, wpatch), bpatch), tf.tile(wpe, [b, 1])) as tf.Tensor2D;
      for (const bp of blocks) h = block(h, bp, b, np, c.heads, null);
      const pooled = tf.mean(tf.reshape(h, [b, np, c.dim]), 1) as tf.Tensor2D;
      return tf.add(tf.matMul(layerNorm(pooled, lnfG, lnfB), head), headB);
    },
    dispose() {
      p.vars.forEach((v) => v.dispose());
    },
  };
}
