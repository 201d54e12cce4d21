import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { Rng } from '../rng.js';
import { FastBatchNorm } from './batchNorm.js';
import { layersNet } from './layersNet.js';
import type { Net } from './types.js';

export interface ImageShape {
  height: number;
  width: number;
  channels: number;
  classes: number;
}

export function mlp(s: ImageShape, hidden: number[], rng: Rng): Net {
  const m = tfl.sequential();
  m.add(tfl.layers.flatten({ inputShape: [s.height, s.width, s.channels] }));
  for (const units of hidden) m.add(tfl.layers.dense({ units, activation: 'relu' }));
  m.add(tfl.layers.dense({ units: s.classes }));
  return layersNet(`mlp-${hidden.join('x')}`, m, rng);
}

type Conv2DArgs = Parameters<typeof tfl.layers.conv2d>[0];

/** Switch for tests and benchmarks: `false` builds the first conv as a stock tfjs-layers conv2d. */
export const useInputConv = { on: true };

/**
 * A conv layer that reads the network input: tfjs-layers runs convolutions through
 * `tf.fused.conv2d`, whose customGrad computes the input gradient as well as the filter's, and for
 * the first layer that gradient is thrown away (a Conv2DBackpropInput per step: ~5-8% of a
 * fmnist-cnn step on wasm). This layer's `call` uses `tf.conv2d` instead, whose gradient is only
 * evaluated for inputs that lead to a variable. Forward values and filter gradients are the same
 * kernels, bit for bit (checked on cpu and wasm in test/harness/convnets.test.ts). Only for the
 * configuration the harness uses: no bias, linear activation, channels-last, no dilation.
 */
function inputConv2d(args: Conv2DArgs): tfl.layers.Layer {
  if (!useInputConv.on) return tfl.layers.conv2d(args);
  if (args.useBias !== false || (args.activation ?? 'linear') !== 'linear' || (args.dataFormat ?? 'channelsLast') !== 'channelsLast' || (args.dilationRate ?? 1) !== 1) {
    throw new Error('inputConv2d: only useBias false, linear activation, channelsLast and dilationRate 1 are supported');
  }
  const layer = tfl.layers.conv2d(args);
  const conv = layer as unknown as { kernel: { read(): tf.Tensor }; strides: number[]; padding: 'same' | 'valid' };
  layer.call = (inputs) => tf.tidy(() => {
    const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor4D;
    return tf.conv2d(x, conv.kernel.read() as tf.Tensor4D, conv.strides as [number, number], conv.padding);
  });
  return layer;
}

/** VGG-style: [conv-BN-ReLU] × convsPerStage then max-pool, per stage; global average pool; linear. */
export function vgg(s: ImageShape, widths: number[], convsPerStage: number, rng: Rng): Net {
  const m = tfl.sequential();
  m.add(tfl.layers.inputLayer({ inputShape: [s.height, s.width, s.channels] }));
  let first = true;
  for (const w of widths) {
    for (let i = 0; i < convsPerStage; i++) {
      const args: Conv2DArgs = { filters: w, kernelSize: 3, padding: 'same', useBias: false };
      m.add(first ? inputConv2d(args) : tfl.layers.conv2d(args));
      first = false;
      m.add(new FastBatchNorm({ momentum: 0.9 }));
      m.add(tfl.layers.activation({ activation: 'relu' }));
    }
    m.add(tfl.layers.maxPooling2d({ poolSize: 2 }));
  }
  m.add(tfl.layers.globalAveragePooling2d({}));
  m.add(tfl.layers.dense({ units: s.classes }));
  return layersNet(`vgg-${widths.join('-')}`, m, rng);
}

/** CIFAR-style ResNet: 3×3 stem, one BasicBlock per stage (stride 2 from stage 2), GAP, linear. */
export function resnet(s: ImageShape, widths: number[], blocksPerStage: number, rng: Rng): Net {
  const input = tfl.input({ shape: [s.height, s.width, s.channels] });
  const convBn = (x: tfl.SymbolicTensor, filters: number, stride: number, relu: boolean, k = 3): tfl.SymbolicTensor => {
    const args: Conv2DArgs = { filters, kernelSize: k, strides: stride, padding: 'same', useBias: false };
    let y = (x === input ? inputConv2d(args) : tfl.layers.conv2d(args)).apply(x) as tfl.SymbolicTensor;
    y = new FastBatchNorm({ momentum: 0.9 }).apply(y) as tfl.SymbolicTensor;
    return relu ? (tfl.layers.activation({ activation: 'relu' }).apply(y) as tfl.SymbolicTensor) : y;
  };
  let x = convBn(input, widths[0], 1, true);
  widths.forEach((w, stage) => {
    for (let b = 0; b < blocksPerStage; b++) {
      const stride = stage > 0 && b === 0 ? 2 : 1;
      const inC = x.shape[x.shape.length - 1];
      const shortcut = stride !== 1 || inC !== w ? convBn(x, w, stride, false, 1) : x;
      const y = convBn(convBn(x, w, stride, true), w, 1, false);
      x = tfl.layers.activation({ activation: 'relu' }).apply(tfl.layers.add().apply([y, shortcut])) as tfl.SymbolicTensor;
    }
  });
  x = tfl.layers.globalAveragePooling2d({}).apply(x) as tfl.SymbolicTensor;
  const out = tfl.layers.dense({ units: s.classes }).apply(x) as tfl.SymbolicTensor;
  return layersNet(`resnet-${widths.join('-')}`, tfl.model({ inputs: input, outputs: out }), rng);
}
