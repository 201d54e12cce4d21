import * as tf from '@tensorflow/tfjs-core';

/** Mean softmax cross-entropy with optional label smoothing ε (target (1−ε)·onehot + ε/K). */
export function crossEntropy(logits: tf.Tensor2D, labels: tf.Tensor1D, smoothing = 0): tf.Scalar {
  return tf.tidy(() => {
    const k = logits.shape[1];
    let target = tf.cast(tf.oneHot(labels, k), 'float32');
    if (smoothing > 0) target = tf.add(tf.mul(target, 1 - smoothing), smoothing / k);
    return tf.neg(tf.mean(tf.sum(tf.mul(target, tf.logSoftmax(logits)), 1))) as tf.Scalar;
  });
}

/** Sum of per-example cross-entropy and number of correct argmax predictions (no smoothing). */
export function evalBatch(logits: tf.Tensor2D, labels: tf.Tensor1D): { lossSum: number; correct: number } {
  const [l, c] = tf.tidy(() => {
    const nll = tf.neg(tf.sum(tf.mul(tf.cast(tf.oneHot(labels, logits.shape[1]), 'float32'), tf.logSoftmax(logits)), 1));
    const correct = tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), labels), 'float32'));
    return [tf.sum(nll), correct];
  });
  const out = { lossSum: l.dataSync()[0], correct: c.dataSync()[0] };
  l.dispose();
  c.dispose();
  return out;
}
