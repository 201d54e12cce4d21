/**
 * Per-kernel time of one training step of fmnist-cnn and fmnist-resnet on wasm (batch 128), from
 * tf.profile (wasm's kernelMs = wall time of the synchronous kernel call, nested kernels inside
 * it included). For docs/PROFILE.md; not part of `npm run bench`. The models and the variants
 * alternate round by round in one process, so a shared machine shifts all of them alike: read
 * shares and ratios, not absolute milliseconds. Usage:
 *   npx tsx bench/kernelTimes.ts [rounds=5] [threads=1]          per-kernel tables, every variant
 *   npx tsx bench/kernelTimes.ts steps [rounds=15] [threads=1]   whole steps only, before vs all:
 *     wall and process CPU time per step (CPU time is less sensitive to other processes).
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-layers'; // its Node bundle registers tfjs-core's gradients
import { useBackend } from 'rootfree';
import { channelSimdEnabled, columnsSimdEnabled, poolSimdEnabled, transposeSimdEnabled } from 'rootfree/internal';
import { resnet, useInputConv, vgg } from '../src/harness/models/convnets.js';
import type { Net } from '../src/harness/models/types.js';
import { Rng } from '../src/harness/rng.js';
import { crossEntropy } from '../src/harness/train/loss.js';
import { convGflops, gemmGflops } from './kernelRates.js';

/**
 * A switchable kernel configuration compared against the others in the same process. `apply`
 * runs before building the variant's own copy of each model and before each of its steps.
 */
export interface Variant { name: string; apply(): void }

interface KernelRow { ms: number[]; flops: number; calls: number }

/** Multiply-adds ×2 of the conv kernels (same count forward, dX and dW), else 0. */
function kernelFlops(name: string, inShapes: number[][], outShapes: number[][]): number {
  const prod = (s: number[]) => s.reduce((a, b) => a * b, 1);
  if (name === 'Conv2D' || name === 'FusedConv2D') {
    const [, , , ci] = inShapes[0];
    const [kh, kw] = inShapes[1];
    return 2 * prod(outShapes[0]) * kh * kw * ci;
  }
  if (name === 'Conv2DBackpropInput') {
    const [kh, kw, ci] = inShapes[1];
    return 2 * prod(inShapes[0]) * kh * kw * ci;
  }
  if (name === 'Conv2DBackpropFilter') {
    const [kh, kw, ci] = outShapes[0];
    return 2 * prod(inShapes[1]) * kh * kw * ci;
  }
  if (name === 'BatchMatMul' || name === '_FusedMatMul') {
    const [m, n] = outShapes[0].slice(-2);
    const a = inShapes[0];
    return 2 * m * n * Math.max(a[a.length - 1], a[a.length - 2]) * (prod(outShapes[0]) / (m * n));
  }
  return 0;
}

function makeStep(net: Net, batch: number) {
  const x = tf.randomUniform([batch, 28, 28, 1], 0, 1, 'float32', 3);
  const y = tf.randomUniform([batch], 0, 10, 'int32', 4) as tf.Tensor1D;
  return () => {
    const { value, grads } = tf.variableGrads(() => crossEntropy(net.forward(x, true), y), net.trainable);
    tf.dispose([value, ...Object.values(grads)]);
  };
}

export async function kernelTimes(variants: Variant[], rounds: number, batch = 128) {
  const image = { height: 28, width: 28, channels: 1, classes: 10 };
  const builders: Record<string, () => Net> = {
    'fmnist-cnn': () => vgg(image, [16, 32, 64], 1, new Rng(1)),
    'fmnist-resnet': () => resnet(image, [16, 32, 64], 1, new Rng(1)),
  };
  const steps: Record<string, Record<string, () => void>> = {};
  for (const v of variants) {
    v.apply();
    for (const [m, build] of Object.entries(builders)) (steps[m] ??= {})[v.name] = makeStep(build(), batch);
  }
  // rows[model][variant][kernel]
  const rows: Record<string, Record<string, Map<string, KernelRow>>> = {};
  const stepMs: Record<string, Record<string, number[]>> = {};
  for (const v of variants) for (const m of Object.keys(builders)) { v.apply(); steps[m][v.name](); steps[m][v.name](); }
  for (let r = 0; r < rounds; r++) {
    for (const m of Object.keys(builders)) {
      const order = r % 2 === 0 ? variants : [...variants].reverse();
      for (const v of order) {
        v.apply();
        const t0 = performance.now();
        steps[m][v.name]();
        ((stepMs[m] ??= {})[v.name] ??= []).push(performance.now() - t0);
        const info = await tf.profile(steps[m][v.name]);
        const per = new Map<string, number>();
        const table = ((rows[m] ??= {})[v.name] ??= new Map());
        for (const k of info.kernels) {
          // tf.profile also lists op scopes (customGrad, `fusedConv2d__op`) that wrap kernels listed too.
          if (tf.getKernel(k.name, tf.getBackend()) === undefined) continue;
          per.set(k.name, (per.get(k.name) ?? 0) + (k.kernelTimeMs as number));
          const row = table.get(k.name) ?? { ms: [], flops: 0, calls: 0 };
          if (r === 0) { row.flops += kernelFlops(k.name, k.inputShapes as number[][], k.outputShapes as number[][]); row.calls++; }
          table.set(k.name, row);
        }
        for (const [k, ms] of per) table.get(k)!.ms.push(ms);
      }
    }
  }
  return { rows, stepMs };
}

const median = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); const h = s.length >> 1; return s.length % 2 ? s[h] : (s[h - 1] + s[h]) / 2; };

export function printTables(res: Awaited<ReturnType<typeof kernelTimes>>): void {
  for (const [m, byVariant] of Object.entries(res.rows)) {
    for (const [v, table] of Object.entries(byVariant)) {
      const total = [...table.values()].reduce((a, r) => a + median(r.ms), 0);
      console.log(`\n${m} [${v}]: step ${median(res.stepMs[m][v]).toFixed(1)} ms wall (unprofiled, median), kernels sum ${total.toFixed(1)} ms (profiled)`);
      console.log('| kernel | calls | ms | share | GFLOP/s |\n|---|---|---|---|---|');
      for (const [k, row] of [...table].sort((a, b) => median(b[1].ms) - median(a[1].ms))) {
        const ms = median(row.ms);
        if (ms / total < 0.005) continue;
        console.log(`| ${k} | ${row.calls} | ${ms.toFixed(2)} | ${(100 * ms / total).toFixed(1)}% | ${row.flops ? (row.flops / ms / 1e6).toFixed(1) : ''} |`);
      }
    }
  }
}

/** This branch's kernel changes, each switchable (off = the previous JS / stock kernel, stock first conv). */
function switches(channels: boolean, transpose: boolean, pool: boolean, inputConv: boolean): void {
  useInputConv.on = inputConv;
  channelSimdEnabled.value = channels;
  transposeSimdEnabled.value = transpose;
  columnsSimdEnabled.value = transpose;
  poolSimdEnabled.value = pool;
}

/** Whole unprofiled steps, variants alternated: medians of wall and CPU ms per step. */
export async function stepTimes(variants: Variant[], rounds: number, batch = 128) {
  const image = { height: 28, width: 28, channels: 1, classes: 10 };
  const builders: Record<string, () => Net> = {
    'fmnist-cnn': () => vgg(image, [16, 32, 64], 1, new Rng(1)),
    'fmnist-resnet': () => resnet(image, [16, 32, 64], 1, new Rng(1)),
  };
  const out: Record<string, Record<string, { wall: number; cpu: number }>> = {};
  for (const [m, build] of Object.entries(builders)) {
    const steps = variants.map((v) => { v.apply(); return makeStep(build(), batch); });
    variants.forEach((v, i) => { v.apply(); steps[i](); steps[i](); });
    const wall: number[][] = variants.map(() => []);
    const cpu: number[][] = variants.map(() => []);
    for (let r = 0; r < rounds; r++) {
      const order = r % 2 === 0 ? [...variants.keys()] : [...variants.keys()].reverse();
      for (const i of order) {
        variants[i].apply();
        const c0 = process.cpuUsage();
        const t0 = performance.now();
        steps[i]();
        wall[i].push(performance.now() - t0);
        const c = process.cpuUsage(c0);
        cpu[i].push((c.user + c.system) / 1000);
      }
    }
    out[m] = Object.fromEntries(variants.map((v, i) => [v.name, { wall: median(wall[i]), cpu: median(cpu[i]) }]));
  }
  return out;
}

async function main() {
  if (process.argv[2] === 'steps') {
    await useBackend('wasm', { threads: Number(process.argv[4] ?? 1) });
    const res = await stepTimes([
      { name: 'before', apply: () => switches(false, false, false, false) },
      { name: 'after', apply: () => switches(true, true, true, true) },
    ], Number(process.argv[3] ?? 15));
    for (const [m, r] of Object.entries(res)) {
      console.log(`${m}: before ${r.before.wall.toFixed(1)} ms wall / ${r.before.cpu.toFixed(1)} ms CPU; after ${r.after.wall.toFixed(1)} / ${r.after.cpu.toFixed(1)}; speed-up ${(r.before.wall / r.after.wall).toFixed(2)}× wall, ${(r.before.cpu / r.after.cpu).toFixed(2)}× CPU`);
    }
    return;
  }
  const rounds = Number(process.argv[2] ?? 5);
  await useBackend('wasm', { threads: Number(process.argv[3] ?? 1) });
  console.log(`GEMM 512: ${gemmGflops(512, 20).toFixed(1)} GFLOP/s`);
  const convs: Array<[string, [number, number, number, number], [number, number, number, number], number]> = [
    ['28x28 1->16', [128, 28, 28, 1], [3, 3, 1, 16], 1],
    ['28x28 16->16', [128, 28, 28, 16], [3, 3, 16, 16], 1],
    ['28x28 16->32 s2', [128, 28, 28, 16], [3, 3, 16, 32], 2],
    ['28x28 16->32 1x1 s2', [128, 28, 28, 16], [1, 1, 16, 32], 2],
    ['14x14 16->32', [128, 14, 14, 16], [3, 3, 16, 32], 1],
    ['14x14 32->32', [128, 14, 14, 32], [3, 3, 32, 32], 1],
    ['14x14 32->64 s2', [128, 14, 14, 32], [3, 3, 32, 64], 2],
    ['7x7 32->64', [128, 7, 7, 32], [3, 3, 32, 64], 1],
    ['7x7 64->64', [128, 7, 7, 64], [3, 3, 64, 64], 1],
  ];
  for (const [name, x, f, s] of convs) console.log(`Conv2D ${name}: ${convGflops(x, f, s, 5).toFixed(1)} GFLOP/s`);
  printTables(await kernelTimes([
    { name: 'before', apply: () => switches(false, false, false, false) },
    { name: '+bn/relu', apply: () => switches(true, false, false, false) },
    { name: '+transpose/columns', apply: () => switches(true, true, false, false) },
    { name: '+pool', apply: () => switches(true, true, true, false) },
    { name: '+input conv (all)', apply: () => switches(true, true, true, true) },
  ], rounds));
}

if (process.argv[1]?.endsWith('kernelTimes.ts')) void main();
