/**
 * rootfree side of the PyTorch comparison (bench/peer.ts): one process per thread count (one
 * wasm build per process). argv[2]: JSON PeerConfig. Prints one JSON line: ms per timed training
 * step of the harness model (forward, backward, SGD update, loss read back) and the GEMM rate of
 * XNNPACK's 2-D matMul in this process.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-layers'; // its Node bundle registers tfjs-core's gradients
import { getThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import { useBackend } from 'rootfree';
import { resnet, vgg } from '../src/harness/models/convnets.js';
import { buildOptimizer } from '../src/harness/optimizers.js';
import { Rng } from '../src/harness/rng.js';
import { crossEntropy } from '../src/harness/train/loss.js';
import { gemmGflops } from './kernelRates.js';

export type PeerModel = 'fmnist-cnn' | 'fmnist-resnet';

export interface PeerConfig {
  model: PeerModel;
  threads: number;
  batch: number;
  warmup: number;
  steps: number;
  gemm: { n: number; reps: number };
}

async function main() {
  const cfg = JSON.parse(process.argv[2]) as PeerConfig;
  const warnings: string[] = [];
  await useBackend('wasm', { threads: cfg.threads, onWarning: (m) => warnings.push(m) });
  const image = { height: 28, width: 28, channels: 1, classes: 10 };
  const net = cfg.model === 'fmnist-resnet' ? resnet(image, [16, 32, 64], 1, new Rng(1)) : vgg(image, [16, 32, 64], 1, new Rng(1));
  const opt = buildOptimizer('sgd', { lr: 0.01, momentum: 0, weightDecay: 0 }, { lr: 0.01, batchSize: cfg.batch, precision: 'float32' });
  const x = tf.randomUniform([cfg.batch, 28, 28, 1], 0, 1, 'float32', 3);
  const y = tf.randomUniform([cfg.batch], 0, 10, 'int32', 4) as tf.Tensor1D;
  const step = async (): Promise<number> => {
    const { value, grads } = tf.tidy(() => tf.variableGrads(() => crossEntropy(net.forward(x, true), y), net.trainable));
    opt.applyGradients(net.trainable.map((v) => ({ name: v.name, tensor: grads[v.name] })), { batchSize: cfg.batch });
    const loss = (await value.data())[0];
    tf.dispose([value, ...Object.values(grads)]);
    return loss;
  };
  for (let i = 0; i < cfg.warmup; i++) await step();
  const msPerStep: number[] = [];
  for (let i = 0; i < cfg.steps; i++) {
    const t0 = performance.now();
    await step();
    msPerStep.push(performance.now() - t0);
  }
  const gemm = gemmGflops(cfg.gemm.n, cfg.gemm.reps);
  opt.dispose();
  net.dispose();
  tf.dispose([x, y]);
  console.log(JSON.stringify({ msPerStep, gemmGflops: gemm, threadsActual: getThreadsCount(), warnings }));
}

main().catch((e) => {
  console.log(JSON.stringify({ error: String(e?.stack ?? e) }));
  process.exitCode = 1;
});
