import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { Rng } from '../rng.js';
import { initVariable } from './init.js';
import type { Net } from './types.js';

/** Adapts a tf.layers model (seeded re-initialisation of every weight, BatchNorm via `training`). */
export function layersNet(name: string, model: tfl.LayersModel, rng: Rng): Net {
  const all = model.weights.map((w) => w.read() as tf.Variable);
  for (const v of all) initVariable(v, rng);
  return {
    name,
    trainable: model.trainableWeights.map((w) => w.read() as tf.Variable),
    stateVars: all,
    forward: (x, training) => model.apply(x, { training }) as tf.Tensor2D,
    layersModel: model,
    dispose: () => model.dispose(),
  };
}
