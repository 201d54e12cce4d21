import * as tf from '@tensorflow/tfjs-core';
import * as rootfree from 'rootfree';
import { mlp, resnet, vgg } from '../src/harness/models/convnets.js';
import type { Net } from '../src/harness/models/types.js';
import { Rng } from '../src/harness/rng.js';
import { timeVariants, type Sampling } from './lib.js';

/**
 * Whole training steps (forward + backward + optimizer) of harness models, one optimizer per
 * variant on its own copy of the model, alternating rounds; the report divides by SGD's time.
 */
export interface TrainStepGroup {
  model: string;
  params: number;
  batch: number;
  samples: Record<string, number[]>;
  errors: Record<string, string>;
}

type Opt = { applyGradients(g: any): void; dispose(): void };

export function optimizerFactories(): Record<string, () => Opt> {
  const r = rootfree as Record<string, any>;
  const f: Record<string, () => Opt> = {
    SGD: () => new rootfree.SGD({ lr: 0.01 }),
    'SGD momentum': () => new rootfree.SGD({ lr: 0.01, momentum: 0.9 }),
    AdamW: () => new rootfree.AdamW({ lr: 1e-3 }),
    RMSprop: () => new rootfree.RMSprop({ lr: 1e-3 }),
    'RF-RMSprop': () => new rootfree.RFRMSprop({ lr: 1e-3, momentum: 0.9, batchSize: 128 }),
    'RF-RMSprop bf16': () => new rootfree.RFRMSprop({ lr: 1e-3, momentum: 0.9, batchSize: 128, stateDtype: 'bf16' }),
    'RF-AdamW': () => new rootfree.RFAdamW({ lr: 1e-3, batchSize: 128 }),
    'AdamW (composite)': () => new rootfree.AdamW({ lr: 1e-3, fused: false }),
    'tf.train.adam': () => tf.train.adam(1e-3),
  };
  if (typeof r.IFShampoo === 'function') {
    f['IF-Shampoo dense T=2'] = () => new r.IFShampoo({ lr: 1e-3, T: 2, batchSize: 128 });
    f['IF-Shampoo diagonal T=2'] = () => new r.IFShampoo({ lr: 1e-3, T: 2, batchSize: 128, structures: 'diagonal' });
  }
  if (typeof r.Shampoo === 'function') f['Shampoo eigen T=10'] = () => new r.Shampoo({ lr: 1e-3, preconditionFrequency: 10 });
  return f;
}

const MODELS: Record<string, (rng: Rng) => Net> = {
  'mlp 784-256-128-10': (rng) => mlp({ height: 28, width: 28, channels: 1, classes: 10 }, [256, 128], rng),
  'vgg 16-32 (28x28x1)': (rng) => vgg({ height: 28, width: 28, channels: 1, classes: 10 }, [16, 32], 1, rng),
  // The study's conv nets (issue 16, part 4: the methods' overhead at the kernels' new speed).
  'fmnist-cnn (VGG 16-32-64, BatchNorm)': (rng) => vgg({ height: 28, width: 28, channels: 1, classes: 10 }, [16, 32, 64], 1, rng),
  'fmnist-resnet (16-32-64, BatchNorm)': (rng) => resnet({ height: 28, width: 28, channels: 1, classes: 10 }, [16, 32, 64], 1, rng),
};

/** The study models get the methods the issue asks about; the small models every optimizer. */
const ONLY: Record<string, string[]> = {
  'fmnist-cnn (VGG 16-32-64, BatchNorm)': ['SGD', 'RF-AdamW', 'IF-Shampoo dense T=2', 'Shampoo eigen T=10'],
  'fmnist-resnet (16-32-64, BatchNorm)': ['SGD', 'RF-AdamW', 'IF-Shampoo dense T=2', 'Shampoo eigen T=10'],
};

export function trainStepModels(): string[] {
  return Object.keys(MODELS);
}

/** The optimizers timed on a model (a subset of `names` for the study models). */
export function trainStepOptimizers(model: string, names: string[]): string[] {
  const only = ONLY[model];
  return only ? names.filter((n) => only.includes(n)) : names;
}

export function benchTrainSteps(model: string, batch: number, optimizers: string[], s: Sampling): TrainStepGroup {
  const factories = optimizerFactories();
  const x = tf.randomNormal([batch, 28, 28, 1]);
  const y = tf.oneHot(tf.randomUniform([batch], 0, 10, 'int32') as tf.Tensor1D, 10);
  const made: Array<{ net: Net; opt: Opt }> = [];
  const errors: Record<string, string> = {};
  const variants = [];
  let params = 0;
  for (const name of optimizers) {
    if (!factories[name]) continue;
    const net = MODELS[model](new Rng(1));
    params = net.trainable.reduce((a, v) => a + v.size, 0);
    const opt = factories[name]();
    made.push({ net, opt });
    const run = (): void => {
      const { value, grads } = tf.variableGrads(() => tf.losses.softmaxCrossEntropy(y, net.forward(x, true)) as tf.Scalar, net.trainable);
      opt.applyGradients(grads);
      value.dispose();
      Object.values(grads).forEach((g) => g.dispose());
    };
    try {
      run();
      variants.push({ name, run });
    } catch (e) {
      errors[name] = (e as Error).message.slice(0, 200);
    }
  }
  try {
    return { model, params, batch, samples: timeVariants(variants, s), errors };
  } finally {
    made.forEach(({ net, opt }) => {
      opt.dispose();
      net.dispose();
    });
    x.dispose();
    y.dispose();
  }
}
