/**
 * Which kernels one training step of the study's conv nets runs, with their input shapes: counts,
 * not timings (those need an idle machine; `npm run bench` has them). Usage:
 *   npx tsx bench/kernelProfile.ts [fmnist-cnn|fmnist-resnet] [batch=128]
 * Prints one line per (kernel, input shapes) with its count per step, most frequent first.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-layers'; // its Node bundle registers tfjs-core's gradients
import { useBackend } from 'rootfree';
import { resnet, vgg } from '../src/harness/models/convnets.js';
import type { Net } from '../src/harness/models/types.js';
import { Rng } from '../src/harness/rng.js';
import { crossEntropy } from '../src/harness/train/loss.js';

export interface KernelUse { kernel: string; shapes: string; count: number }

export async function profileStep(net: Net, batch: number): Promise<KernelUse[]> {
  const x = tf.randomUniform([batch, 28, 28, 1], 0, 1, 'float32', 1);
  const y = tf.randomUniform([batch], 0, 10, 'int32', 2) as tf.Tensor1D;
  const step = () => {
    const { value, grads } = tf.variableGrads(() => crossEntropy(net.forward(x, true), y), net.trainable);
    tf.dispose([value, ...Object.values(grads)]);
  };
  step(); // warm-up: first-call caches do not belong to the steady state
  const info = await tf.profile(step);
  tf.dispose([x, y]);
  const counts = new Map<string, KernelUse>();
  for (const k of info.kernels) {
    const shapes = k.inputShapes.map((s) => `[${(s ?? []).join(',')}]`).join(' ');
    const key = `${k.name} ${shapes}`;
    const e = counts.get(key) ?? { kernel: k.name, shapes, count: 0 };
    e.count++;
    counts.set(key, e);
  }
  return [...counts.values()].sort((a, b) => b.count - a.count || a.kernel.localeCompare(b.kernel));
}

async function main() {
  const model = process.argv[2] ?? 'fmnist-cnn';
  const batch = Number(process.argv[3] ?? 128);
  await useBackend('wasm', { threads: 1 });
  const image = { height: 28, width: 28, channels: 1, classes: 10 };
  const net = model === 'fmnist-resnet' ? resnet(image, [16, 32, 64], 1, new Rng(1)) : vgg(image, [16, 32, 64], 1, new Rng(1));
  const uses = await profileStep(net, batch);
  const byKernel = new Map<string, number>();
  for (const u of uses) byKernel.set(u.kernel, (byKernel.get(u.kernel) ?? 0) + u.count);
  console.log(`${model}, batch ${batch}: ${uses.reduce((a, u) => a + u.count, 0)} kernel calls per step`);
  console.log([...byKernel].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k}×${n}`).join(', '));
  for (const u of uses) console.log(`${String(u.count).padStart(3)}  ${u.kernel.padEnd(24)} ${u.shapes}`);
  net.dispose();
}

if (process.argv[1]?.endsWith('kernelProfile.ts')) void main();
