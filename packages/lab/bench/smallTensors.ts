/**
 * Where the "200 small tensors vs one tensor" gap of the fused path comes from
 * (`npx tsx bench/smallTensors.ts [wasm|cpu]`; also part of the diagonal section): AdamW fused
 * on 1 × 1M vs 200 × 5k parameters, the bare kernel over the same layouts (precomputed offsets,
 * no JS around it: what 800 short streams cost instead of 4 long ones), and 200 × 16 parameters
 * (the per-tensor JS cost of driver + applyInPlace, nearly no memory traffic). Variants alternate
 * round by round in one process.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as os from 'node:os';
import { fileURLToPath } from 'node:url';
import { useBackend, type BackendName } from 'rootfree';
import { storageAccess } from 'rootfree/internal';
import { adamwKernel } from 'rootfree/internal';
import { adamwProgram, simdKernel } from 'rootfree/internal';
import { DIAGONAL_METHODS } from './diagonal.js';
import { median, timeVariants, type Sampling, type Variant } from './lib.js';

export interface SmallTensorsResult {
  /** ms per step, every sample, per variant. */
  samples: Record<string, number[]>;
  /** Derived: µs of JS per tensor (fused 200 × 16 ÷ 200). */
  jsUsPerTensor: number;
}

const LAYOUTS = [['1x1M', 1, 1_000_000], ['200x5k', 200, 5_000], ['200x16', 200, 16]] as const;

export function benchSmallTensors(s: Sampling): SmallTensorsResult {
  const adam = DIAGONAL_METHODS.find((m) => m.id === 'adamw')!;
  const acc = storageAccess()!;
  const owned: tf.Tensor[] = [];
  const opts: Array<{ dispose(): void }> = [];
  const variants: Variant[] = [];
  const consts = { hasDecay: true, decay: Math.fround(0.99999), b1: Math.fround(0.9), ob1: Math.fround(0.1), b2: Math.fround(0.999), ob2: Math.fround(0.001), sc2: Math.fround(0.03), eps: Math.fround(1e-8), step: Math.fround(0.01) };
  const kernel = simdKernel(acc, 'adamw10', () => adamwProgram({ decay: true, amsgrad: false }));
  for (const [name, count, n] of LAYOUTS) {
    // Allocated as the optimizer sees them: all parameters, then all gradients, then m/v per tensor.
    const mk = (fill: () => tf.Tensor): tf.Tensor[] => Array.from({ length: count }, () => (owned.push(fill()), owned[owned.length - 1]));
    const vars = mk(() => tf.randomNormal([n], 0, 0.1, 'float32', 1)).map((t, i) => {
      const v = tf.variable(t, true, `small_${name}_${i}_${Math.random().toString(36).slice(2)}`);
      t.dispose();
      owned.push(v);
      return v;
    });
    const grads = vars.map((v) => ({ name: v.name, tensor: (owned.push(tf.randomNormal(v.shape, 0, 1e-2, 'float32', 2)), owned[owned.length - 1]) }));
    const opt = adam.make(true);
    opts.push(opt);
    variants.push({ name: `fused ${name}`, run: () => opt.applyGradients(grads) });
    if (name === '200x16') continue;
    const p = mk(() => tf.randomNormal([n], 0, 0.1, 'float32', 3));
    const g = mk(() => tf.randomNormal([n], 0, 1e-2, 'float32', 4));
    const mv = Array.from({ length: count }, () => [tf.zeros([n]), tf.zeros([n])]);
    mv.forEach((x) => owned.push(...x));
    const spans = p.map((t, i) => [t, g[i], mv[i][0], mv[i][1]].map((x) => acc.read(x)!));
    if (kernel) {
      const args = spans.map((sp) => [n, ...sp.map((x) => x.off * 4), consts.decay, consts.b1, consts.ob1, consts.b2, consts.ob2, consts.sc2, consts.eps, consts.step] as [number, ...number[]]);
      variants.push({ name: `bare kernel ${name}`, run: () => args.forEach((a) => kernel(...a)) });
    } else {
      variants.push({ name: `bare kernel ${name}`, run: () => spans.forEach(([P, G, M, V]) => adamwKernel(n, P.arr, P.off, G.arr, G.off, M.arr, M.off, V.arr, V.off, null, 0, consts)) });
    }
  }
  try {
    const samples = timeVariants(variants, s);
    return { samples, jsUsPerTensor: (median(samples['fused 200x16']) * 1000) / 200 };
  } finally {
    opts.forEach((o) => o.dispose());
    tf.dispose(owned);
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const backend = (process.argv[2] ?? 'wasm') as BackendName;
  await useBackend(backend, { threads: 1 });
  const r = benchSmallTensors({ warmup: 3, rounds: 15, stepsPerRound: 5 });
  const m = (k: string): number => median(r.samples[k]);
  for (const k of Object.keys(r.samples)) console.log(`${k.padEnd(22)} ${m(k).toFixed(3)} ms`);
  console.log(`200x5k ÷ 1x1M: fused ${(m('fused 200x5k') / m('fused 1x1M')).toFixed(2)}×, bare kernel ${(m('bare kernel 200x5k') / m('bare kernel 1x1M')).toFixed(2)}×; JS per tensor ${r.jsUsPerTensor.toFixed(2)} µs`);
  console.log(`load average ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}`);
  process.exit(0);
}
