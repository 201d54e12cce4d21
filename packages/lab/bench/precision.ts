import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from 'rootfree';
import { roundWithKernel } from 'rootfree/internal';
import { roundArray, roundComposite } from 'rootfree/internal';
import type { Precision } from 'rootfree/internal';
import { median } from './stats.js';

/**
 * ns/element of bf16/fp16 rounding: `roundArray` (plain Float32Array), the `RootfreeRound`
 * kernel on cpu and wasm, and the tfjs-op composite on cpu and wasm. Data: normally
 * distributed weights-like values (σ = 0.05) plus 1% random bit patterns (subnormals, Inf, NaN).
 */
const N = 10_000_000;
/** The composite on `cpu` runs ~15 pure-JS ops at ~50 ns each: a smaller array keeps it short. */
const N_CPU_COMPOSITE = 1_000_000;
const HALF: Precision[] = ['bfloat16', 'float16'];

function data(n: number): Float32Array {
  const out = new Float32Array(n);
  const bits = new Uint32Array(out.buffer);
  let s = 12345;
  const rand = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s + 0.5) / 4294967296;
  };
  for (let i = 0; i < n; i++) {
    if (i % 100 === 0) bits[i] = (rand() * 4294967296) >>> 0;
    else out[i] = 0.05 * Math.sqrt(-2 * Math.log(rand())) * Math.cos(2 * Math.PI * rand());
  }
  return out;
}


/** Median ns/element over `reps` timed runs after one warm-up. */
function time(n: number, reps: number, fn: () => void): number {
  fn();
  const ts: number[] = [];
  for (let r = 0; r < reps; r++) {
    const t0 = process.hrtime.bigint();
    fn();
    ts.push(Number(process.hrtime.bigint() - t0) / n);
  }
  return Number(median(ts).toFixed(3));
}

function timeTensor(src: Float32Array, reps: number, round: (x: tf.Tensor) => tf.Tensor): number {
  const x = tf.tensor1d(src);
  // cpu and wasm kernels run synchronously, so the call time is the compute time.
  const ns = time(src.length, reps, () => round(x).dispose());
  x.dispose();
  return ns;
}

export async function benchPrecision(): Promise<object> {
  const src = data(N);
  const out = new Float32Array(N);
  const result: Record<string, unknown> = { elements: N, cpuCompositeElements: N_CPU_COMPOSITE, unit: 'ns/element' };
  for (const p of HALF) {
    result[`roundArray.${p}`] = time(N, 7, () => roundArray(src, p, out));
  }
  const prev = tf.getBackend();
  for (const backend of ['wasm', 'cpu'] as const) {
    await useBackend(backend);
    for (const p of HALF) {
      result[`kernel.${backend}.${p}`] = timeTensor(src, 5, (x) => roundWithKernel(x, p));
      const small = backend === 'cpu' ? src.subarray(0, N_CPU_COMPOSITE) : src;
      result[`composite.${backend}.${p}`] = timeTensor(small, 3, (x) => roundComposite(x, p));
    }
  }
  if (prev && prev !== tf.getBackend()) await tf.setBackend(prev);
  return result;
}

const isMain = typeof process !== 'undefined' && process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].replace(/\\/g, '/'));
if (isMain) {
  benchPrecision().then((r) => console.log(JSON.stringify(r, null, 2)));
}
