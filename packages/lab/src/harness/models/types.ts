import type * as tf from '@tensorflow/tfjs-core';

/**
 * A trainable network as the training loop sees it: the trainable variables in a fixed order
 * (the optimizer binds its state to this order), every variable a checkpoint must hold
 * (trainable + e.g. BatchNorm moving statistics) and a forward pass returning logits
 * ([B, classes] for images, [B·T, vocab] for language models).
 */
export interface Net {
  readonly name: string;
  readonly trainable: tf.Variable[];
  readonly stateVars: tf.Variable[];
  forward(x: tf.Tensor, training: boolean): tf.Tensor2D;
  /** The tfjs-layers model behind the net, if any (SINGD captures its layers' statistics from it). */
  readonly layersModel?: unknown;
  dispose(): void;
}

export function paramCount(net: Net): number {
  return net.trainable.reduce((a, v) => a + v.size, 0);
}

/** Process-unique variable-name prefix (tfjs rejects duplicate variable names). */
let counter = 0;
export function uniquePrefix(kind: string): string {
  return `${kind}${++counter}`;
}
