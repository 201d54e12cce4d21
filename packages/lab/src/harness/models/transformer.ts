import * as tf from '@tensorflow/tfjs-core';
import type { Rng } from '../rng.js';
import { normalValues } from './init.js';
import { uniquePrefix } from './types.js';

/** Creates named variables in creation order (the order the optimizer and checkpoints see). */
export class ParamStore {
  readonly vars: tf.Variable[] = [];
  private readonly prefix: string;

  constructor(
    kind: string,
    private readonly rng: Rng,
  ) {
    this.prefix = uniquePrefix(kind);
  }

  normal(name: string, shape: number[], std = 0.02): tf.Variable {
    return this.add(name, tf.tensor(normalValues(shape.reduce((a, b) => a * b, 1), std, this.rng), shape));
  }

  fill(name: string, shape: number[], value: number): tf.Variable {
    return this.add(name, tf.fill(shape, value));
  }

  private add(name: string, t: tf.Tensor): tf.Variable {
    const v = tf.variable(t, true, `${this.prefix}/${name}`);
    t.dispose();
    this.vars.push(v);
    return v;
  }
}

export interface BlockParams {
  ln1g: tf.Variable;
  ln1b: tf.Variable;
  wqkv: tf.Variable;
  bqkv: tf.Variable;
  wo: tf.Variable;
  bo: tf.Variable;
  ln2g: tf.Variable;
  ln2b: tf.Variable;
  w1: tf.Variable;
  b1: tf.Variable;
  w2: tf.Variable;
  b2: tf.Variable;
}

export function blockParams(p: ParamStore, i: number, dim: number, mlpDim: number, layers: number): BlockParams {
  // GPT-2 style: residual projections scaled by 1/sqrt(2·layers).
  const res = 0.02 / Math.sqrt(2 * layers);
  return {
    ln1g: p.fill(`h${i}/ln1_g`, [dim], 1),
    ln1b: p.fill(`h${i}/ln1_b`, [dim], 0),
    wqkv: p.normal(`h${i}/attn_wqkv`, [dim, 3 * dim]),
    bqkv: p.fill(`h${i}/attn_bqkv`, [3 * dim], 0),
    wo: p.normal(`h${i}/attn_proj_w`, [dim, dim], res),
    bo: p.fill(`h${i}/attn_proj_b`, [dim], 0),
    ln2g: p.fill(`h${i}/ln2_g`, [dim], 1),
    ln2b: p.fill(`h${i}/ln2_b`, [dim], 0),
    w1: p.normal(`h${i}/mlp_w1`, [dim, mlpDim]),
    b1: p.fill(`h${i}/mlp_b1`, [mlpDim], 0),
    w2: p.normal(`h${i}/mlp_proj_w`, [mlpDim, dim], res),
    b2: p.fill(`h${i}/mlp_proj_b`, [dim], 0),
  };
}

/** LayerNorm over the last axis of a 2-D [rows, dim] tensor. */
export function layerNorm(x: tf.Tensor2D, g: tf.Tensor, b: tf.Tensor, eps = 1e-5): tf.Tensor2D {
  const { mean, variance } = tf.moments(x, -1, true);
  return tf.add(tf.mul(tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, eps))), g), b);
}

/** tanh-free GELU approximation x·σ(1.702x) (cheap, and every op has a gradient on wasm and cpu). */
export function gelu(x: tf.Tensor2D): tf.Tensor2D {
  return tf.mul(x, tf.sigmoid(tf.mul(x, 1.702)));
}

function dense(x: tf.Tensor2D, w: tf.Tensor, b: tf.Tensor): tf.Tensor2D {
  return tf.add(tf.matMul(x, w as tf.Tensor2D), b);
}

/**
 * Pre-LN transformer block on x [B·T, dim] (rows grouped by sequence). `mask` is an additive
 * [T, T] attention mask (causal LM) or null (bidirectional, ViT).
 */
export function block(x: tf.Tensor2D, p: BlockParams, batch: number, seq: number, heads: number, mask: tf.Tensor | null): tf.Tensor2D {
  const dim = x.shape[1];
  const dh = dim / heads;
  const h = layerNorm(x, p.ln1g, p.ln1b);
  const qkv = dense(h, p.wqkv, p.bqkv);
  // [B·T, 3·dim] -> three [B, heads, T, dh] tensors
  const split = (k: number): tf.Tensor4D =>
    tf.transpose(tf.reshape(tf.slice(qkv, [0, k * dim], [-1, dim]), [batch, seq, heads, dh]), [0, 2, 1, 3]) as tf.Tensor4D;
  const q = tf.reshape(split(0), [batch * heads, seq, dh]);
  const k = tf.reshape(split(1), [batch * heads, seq, dh]);
  const v = tf.reshape(split(2), [batch * heads, seq, dh]);
  // Explicit transpose rather than transposeB: wasm's batched matmul is fast only untransposed.
  let scores = tf.mul(tf.matMul(q, tf.transpose(k, [0, 2, 1])), 1 / Math.sqrt(dh));
  if (mask) scores = tf.add(scores, mask);
  const att = tf.matMul(tf.softmax(scores), v); // [B·heads, T, dh]
  const merged = tf.reshape(tf.transpose(tf.reshape(att, [batch, heads, seq, dh]), [0, 2, 1, 3]), [batch * seq, dim]) as tf.Tensor2D;
  const x1 = tf.add(x, dense(merged, p.wo, p.bo)) as tf.Tensor2D;
  const h2 = layerNorm(x1, p.ln2g, p.ln2b);
  return tf.add(x1, dense(gelu(dense(h2, p.w1, p.b1)), p.w2, p.b2));
}

export function causalMask(seq: number): tf.Tensor2D {
  const m = new Float32Array(seq * seq);
  for (let i = 0; i < seq; i++) for (let j = i + 1; j < seq; j++) m[i * seq + j] = -1e9;
  return tf.tensor2d(m, [seq, seq]);
}
