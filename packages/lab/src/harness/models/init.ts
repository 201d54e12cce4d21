import * as tf from '@tensorflow/tfjs-core';
import type { Rng } from '../rng.js';

/** Glorot-uniform values for a kernel of `shape` (last axis = outputs, the rest = inputs × receptive field). */
export function glorotUniform(shape: number[], rng: Rng, gain = 1): Float32Array {
  const size = shape.reduce((a, b) => a * b, 1);
  const fanOut = shape[shape.length - 1];
  const receptive = shape.length > 2 ? shape.slice(0, -2).reduce((a, b) => a * b, 1) : 1;
  const fanIn = shape.length >= 2 ? shape[shape.length - 2] * receptive : shape[0];
  const limit = gain * Math.sqrt(6 / (fanIn + fanOut * receptive));
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) out[i] = rng.uniform(-limit, limit);
  return out;
}

export function normalValues(size: number, std: number, rng: Rng): Float32Array {
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) out[i] = std * rng.normal();
  return out;
}

/**
 * Seeded initialisation for any variable by its role (from the name): kernels Glorot-uniform,
 * BatchNorm/LayerNorm scales and moving variances 1, biases/offsets/moving means 0. Drawn from
 * our own RNG so a seed gives the same network on every backend and process.
 */
export function initVariable(v: tf.Variable, rng: Rng): void {
  const name = v.name.toLowerCase();
  let values: Float32Array;
  if (/gamma|moving_variance|ln\w*_g$|\/g$/.test(name)) values = new Float32Array(v.size).fill(1);
  else if (/beta|bias|moving_mean|\/b$|ln\w*_b$/.test(name) || v.shape.length < 2) values = new Float32Array(v.size);
  else values = glorotUniform(v.shape, rng);
  const t = tf.tensor(values, v.shape, 'float32');
  v.assign(t);
  t.dispose();
}
