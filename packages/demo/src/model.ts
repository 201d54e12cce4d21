import * as tf from '@tensorflow/tfjs-core';
import type { Task } from './tasks.js';

/** A one-hidden-layer tanh MLP as four variables (the same seeded start for every optimizer). */
export function initParams(task: Task, tag: string): tf.Variable[] {
  const shapes = [[task.inputs, task.hidden], [task.hidden], [task.hidden, task.classes], [task.classes]];
  return shapes.map((shape, k) =>
    tf.tidy(() => {
      const n = shape.reduce((a, b) => a * b, 1);
      const scale = shape.length === 2 ? 1 / Math.sqrt(shape[0]) : 0;
      const v = Float32Array.from({ length: n }, (_, i) => scale * Math.sin(1 + 7 * k + i * 12.9898) * 1.5);
      return tf.variable(tf.tensor(v, shape), true, `${tag}_p${k}`);
    }),
  );
}

export function logits(x: tf.Tensor2D, [w1, b1, w2, b2]: tf.Variable[]): tf.Tensor2D {
  const h = tf.tanh(tf.add(tf.matMul(x, w1 as tf.Tensor2D), b1));
  return tf.add(tf.matMul(h, w2 as tf.Tensor2D), b2) as tf.Tensor2D;
}

export function loss(x: tf.Tensor2D, y: tf.Tensor2D, params: tf.Variable[]): tf.Scalar {
  return tf.losses.softmaxCrossEntropy(y, logits(x, params)) as tf.Scalar;
}

export function accuracy(x: tf.Tensor2D, y: tf.Tensor2D, params: tf.Variable[]): tf.Scalar {
  return tf.tidy(() => tf.mean(tf.cast(tf.equal(tf.argMax(logits(x, params), 1), tf.argMax(y, 1)), 'float32')) as tf.Scalar);
}
