import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it } from 'vitest';
import { resnet, useInputConv, vgg } from '../../src/harness/models/convnets.js';
import type { Net } from '../../src/harness/models/types.js';
import { Rng } from '../../src/harness/rng.js';
import { crossEntropy } from '../../src/harness/train/loss.js';
import { harnessBackend } from './helpers.js';

/*
 * The first conv layer of vgg/resnet runs tf.conv2d instead of tfjs-layers' fused conv (whose
 * customGrad also computes the discarded input gradient). Same weights, same batch: the loss and
 * every gradient must be bitwise those of the stock layer, and one Conv2DBackpropInput fewer runs.
 */
const image = { height: 12, width: 12, channels: 1, classes: 5 };
const models: Record<string, () => Net> = {
  vgg: () => vgg(image, [4, 8], 1, new Rng(3)),
  resnet: () => resnet(image, [4, 8], 1, new Rng(3)),
};

async function step(build: () => Net, inputConv: boolean) {
  useInputConv.on = inputConv;
  const net = build();
  const x = tf.randomUniform([6, 12, 12, 1], 0, 1, 'float32', 7);
  const y = tf.tensor1d([0, 1, 2, 3, 4, 0], 'int32');
  const run = () => tf.variableGrads(() => crossEntropy(net.forward(x, true), y), net.trainable);
  const { value, grads } = run();
  const out = { loss: Array.from(await value.data()), grads: await Promise.all(net.trainable.map(async (v) => Array.from(await grads[v.name].data()))) };
  tf.dispose([value, ...Object.values(grads)]);
  const prof = await tf.profile(() => {
    const r = run();
    tf.dispose([r.value, ...Object.values(r.grads)]);
  });
  net.dispose();
  tf.dispose([x, y]);
  return { ...out, backpropInputs: prof.kernels.filter((k) => k.name === 'Conv2DBackpropInput').length };
}

const bits = (a: number[]) => Array.from(new Uint32Array(Float32Array.from(a).buffer));

describe('harness conv nets: the input conv layer skips the unused input gradient', () => {
  afterAll(() => {
    useInputConv.on = true;
  });
  for (const backend of ['wasm', 'cpu'] as const) {
    for (const [name, build] of Object.entries(models)) {
      it(`${name} on ${backend}: same loss and gradients bit for bit, one Conv2DBackpropInput fewer`, async () => {
        await harnessBackend(backend);
        const stock = await step(build, false);
        const ours = await step(build, true);
        expect(bits(ours.loss)).toEqual(bits(stock.loss));
        expect(ours.grads.length).toBe(stock.grads.length);
        ours.grads.forEach((g, i) => expect(bits(g), `gradient ${i}`).toEqual(bits(stock.grads[i])));
        expect(ours.backpropInputs).toBe(stock.backpropInputs - 1);
      }, 60_000);
    }
  }
});
