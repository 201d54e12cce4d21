/**
 * One benchmark configuration in its own process (a process can initialise only one wasm build,
 * and "stock" must never see rootfree's kernels). argv[2]: JSON ChildConfig. Prints one JSON line.
 */
import * as os from 'node:os';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-layers'; // its Node bundle registers tfjs-core's gradients
import { getThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import { useBackend } from 'rootfree';
import { registerWasmGradientKernels } from 'rootfree/internal';
import { type Workload, makeTrainer } from './trainingWorkloads.js';

export type KernelSet = 'stock' | 'stock+dW' | 'rootfree';

export interface ChildConfig {
  workload: Workload;
  kernels: KernelSet;
  threads: number;
  warmup: number;
  rounds: number;
  stepsPerRound: number;
}

async function main() {
  const cfg = JSON.parse(process.argv[2]) as ChildConfig;
  const warnings: string[] = [];
  await useBackend('wasm', { threads: cfg.threads, kernels: cfg.kernels === 'rootfree', onWarning: (m) => warnings.push(m) });
  // Stock tfjs-wasm cannot train a conv net at all (no Conv2DBackpropFilter); "stock+dW" adds
  // only that kernel, which is the baseline TFJS-FINDINGS reports as "stock".
  if (cfg.kernels === 'stock+dW') registerWasmGradientKernels(['Conv2DBackpropFilter']);
  const trainer = makeTrainer(cfg.workload);
  const losses: number[] = [];
  const msPerStep: number[] = [];
  let cpuMs = 0;
  let wallMs = 0;
  try {
    for (let i = 0; i < cfg.warmup; i++) losses.push(await trainer.step());
    for (let r = 0; r < cfg.rounds; r++) {
      for (let i = 0; i < cfg.stepsPerRound; i++) {
        const c0 = process.cpuUsage();
        const t0 = performance.now();
        losses.push(await trainer.step());
        const dt = performance.now() - t0;
        const c = process.cpuUsage(c0);
        msPerStep.push(dt);
        wallMs += dt;
        cpuMs += (c.user + c.system) / 1000;
      }
    }
  } catch (e) {
    trainer.dispose();
    console.log(JSON.stringify({ ...cfg, error: String((e as Error)?.message ?? e), warnings }));
    return;
  }
  // One more step under tf.profile (after the timed ones, so it does not disturb them): where the
  // time goes, per kernel.
  const kernelMs: Record<string, number> = {};
  const prof = await tf.profile(async () => void (await trainer.step()));
  for (const k of prof.kernels) kernelMs[k.name] = (kernelMs[k.name] ?? 0) + Number(k.kernelTimeMs);
  trainer.dispose();
  console.log(JSON.stringify({
    ...cfg, threadsActual: getThreadsCount(), msPerStep, cpuOverWall: cpuMs / wallMs,
    firstLoss: losses[0], lastLoss: losses[losses.length - 1], numTensors: tf.memory().numTensors, warnings, loadavg: os.loadavg(), kernelMs,
  }));
}

main().then(() => process.exit(0), (e) => {
  console.log(JSON.stringify({ error: String(e?.stack ?? e) }));
  process.exit(1);
});
