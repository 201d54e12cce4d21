import * as tf from '@tensorflow/tfjs-core';
import { IFShampoo, type IFShampooConfig } from '../../src/tfjs/ifShampoo.js';
import { f32, rng } from '../core/helpers.js';

/** Seeded regression data y = tanh(x·A)·B + noise. */
export function data(seed: number, n: number, din: number, dout: number) {
  const r = rng(seed);
  const A = r.normals(din * 6);
  const B = r.normals(6 * dout);
  const x = f32(r.normals(n * din));
  const y = tf.tidy(() => {
    const h = tf.tanh(tf.matMul(tf.tensor2d(x, [n, din]), tf.tensor2d(A, [din, 6])));
    return tf.add(tf.matMul(h, tf.tensor2d(B, [6, dout])), tf.mul(tf.tensor2d(r.normals(n * dout), [n, dout]), 0.1)) as tf.Tensor2D;
  });
  return { x: tf.tensor2d(x, [n, din]), y };
}

/** A 2-layer MLP as plain variables, trained with applyGradients on full batches. */
export function trainMlp(config: IFShampooConfig, steps: number, seed = 9): { losses: number[] } {
  const r = rng(seed);
  const { x, y } = data(seed, 64, 5, 3);
  const vars = [
    tf.variable(tf.tensor2d(f32(r.normals(5 * 16, 0.4)), [5, 16]), true, `mlp${seed}_${Math.random().toString(36).slice(2)}/kernel`),
    tf.variable(tf.zeros([16]), true, `mlp${seed}_${Math.random().toString(36).slice(2)}/bias`),
    tf.variable(tf.tensor2d(f32(r.normals(16 * 3, 0.25)), [16, 3]), true, `out${seed}_${Math.random().toString(36).slice(2)}/kernel`),
  ];
  const opt = new IFShampoo({ batchSize: 64, ...config });
  const loss = () => tf.losses.meanSquaredError(y, tf.matMul(tf.tanh(tf.add(tf.matMul(x, vars[0]), vars[1])), vars[2])) as tf.Scalar;
  const losses: number[] = [];
  for (let t = 0; t < steps; t++) {
    const { value, grads } = tf.variableGrads(loss, vars);
    losses.push(value.dataSync()[0]);
    opt.applyGradients(grads);
    value.dispose();
    Object.values(grads).forEach((g) => g.dispose());
  }
  losses.push(tf.tidy(() => loss().dataSync()[0]));
  opt.dispose();
  [x, y, ...vars].forEach((t) => t.dispose());
  return { losses };
}

