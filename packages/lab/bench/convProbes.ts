/**
 * One-off measurements behind docs/PROFILE.md §3-4 (wasm, 1 thread, batch 128; variants alternated
 * in one process, medians). Not part of `npm run bench`. Usage:
 *   npx tsx bench/convProbes.ts grads [shape filter]  forward / dW / dX per layer and gradient form
 *   npx tsx bench/convProbes.ts forms                 pieces of the dW forms (transposes, conv, GEMMs)
 *   npx tsx bench/convProbes.ts transpose             the conv-gradient transposes, wasm loop vs JS/stock
 *   npx tsx bench/convProbes.ts dw                    dW CPU time with the wasm vs the old transposes
 *   npx tsx bench/convProbes.ts chunks                the dW convolution split into batch chunks
 *   npx tsx bench/convProbes.ts columns               column-form dW/dX (ResNet layers), wasm vs JS run loops
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-layers'; // its Node bundle registers tfjs-core's gradients
import { useBackend } from 'rootfree';
import { columnsSimdEnabled, convGradStrategy, transposeSimdEnabled } from 'rootfree/internal';

type S4 = [number, number, number, number];
const shapes: Array<[string, S4, S4, number]> = [
  ['28 1->16', [128, 28, 28, 1], [3, 3, 1, 16], 1],
  ['28 16->16', [128, 28, 28, 16], [3, 3, 16, 16], 1],
  ['28 16->32 s2', [128, 28, 28, 16], [3, 3, 16, 32], 2],
  ['28 16->32 1x1 s2', [128, 28, 28, 16], [1, 1, 16, 32], 2],
  ['14 16->32', [128, 14, 14, 16], [3, 3, 16, 32], 1],
  ['14 32->32', [128, 14, 14, 32], [3, 3, 32, 32], 1],
  ['14 32->64 s2', [128, 14, 14, 32], [3, 3, 32, 64], 2],
  ['14 32->64 1x1 s2', [128, 14, 14, 32], [1, 1, 32, 64], 2],
  ['7 32->64', [128, 7, 7, 32], [3, 3, 32, 64], 1],
  ['7 64->64', [128, 7, 7, 64], [3, 3, 64, 64], 1],
];

async function grads(only?: string) {
  for (const [name, xs, fs, s] of shapes) {
    if (only && !name.includes(only)) continue;
    const x = tf.randomUniform(xs, -1, 1, 'float32', 1);
    const w = tf.randomUniform(fs, -1, 1, 'float32', 2);
    const oh = Math.ceil(xs[1] / s), ow = Math.ceil(xs[2] / s);
    const dy = tf.randomUniform([xs[0], oh, ow, fs[3]], -1, 1, 'float32', 3);
    const flops = 2 * xs[0] * oh * ow * fs[0] * fs[1] * fs[2] * fs[3];
    const attrs = { strides: [s, s], pad: 'same', dataFormat: 'NHWC', dimRoundingMode: undefined, dilations: [1, 1] };
    const fns: Record<string, () => tf.Tensor> = {
      fwd: () => tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, s, 'same'),
    };
    for (const k of ['auto', 'patches', 'conv', 'columns'] as const) {
      fns[`dW-${k}`] = () => { convGradStrategy.kind = k; return tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, { ...attrs, filterShape: fs } as any) as tf.Tensor; };
    }
    for (const k of ['auto', 'conv', 'columns'] as const) {
      fns[`dX-${k}`] = () => { convGradStrategy.kind = k; return tf.engine().runKernel('Conv2DBackpropInput', { dy, filter: w }, { ...attrs, inputShape: xs } as any) as tf.Tensor; };
    }
    const res: Record<string, number[]> = {};
    for (const f of Object.values(fns)) f().dispose();
    for (let r = 0; r < 5; r++) {
      for (const [k, f] of Object.entries(fns)) {
        const t0 = performance.now(); const o = f(); const t = performance.now() - t0; o.dispose();
        (res[k] ??= []).push(t);
      }
    }
    convGradStrategy.kind = 'auto';
    const med = (a: number[]) => a.sort((p, q) => p - q)[a.length >> 1];
    console.log(name.padEnd(18), Object.entries(res).map(([k, v]) => `${k} ${med(v).toFixed(1)}ms/${(flops / med(v) / 1e6).toFixed(0)}`).join('  '));
    tf.dispose([x, w, dy]);
  }

}

async function forms() {
  for (const [H, Ci, Co] of [[28, 16, 16], [14, 32, 32], [7, 64, 64]]) {
    const x = tf.randomUniform([128, H, H, Ci], -1, 1, 'float32', 1) as tf.Tensor4D;
    const dy = tf.randomUniform([128, H, H, Co], -1, 1, 'float32', 3) as tf.Tensor4D;
    const xT = tf.transpose(x, [3, 1, 2, 0]) as tf.Tensor4D;
    const dyT = tf.transpose(dy, [1, 2, 0, 3]) as tf.Tensor4D;
    const n = 128 * H * H;
    const a2 = tf.randomUniform([Co, n], -1, 1, 'float32', 5) as tf.Tensor2D;
    const b2 = tf.randomUniform([n, Ci], -1, 1, 'float32', 6) as tf.Tensor2D;
    const b9 = tf.randomUniform([n, 9 * Co], -1, 1, 'float32', 6) as tf.Tensor2D;
    const a9 = tf.randomUniform([Ci, n], -1, 1, 'float32', 5) as tf.Tensor2D;
    const fl = 2 * n * 9 * Ci * Co;
    const fns: Record<string, () => tf.Tensor> = {
      trX: () => tf.transpose(x, [3, 1, 2, 0]),
      trDy: () => tf.transpose(dy, [1, 2, 0, 3]),
      conv: () => tf.conv2d(xT, dyT, 1, [[0, 0], [1, 1], [1, 1], [0, 0]] as any),
      gemm9x: () => { const o: tf.Tensor[] = []; for (let k = 0; k < 9; k++) { const b = tf.clone(b2); o.push(tf.matMul(a2, b)); b.dispose(); } const r = tf.stack(o); tf.dispose(o); return r; },
      gemm9xSameB: () => { const o: tf.Tensor[] = []; for (let k = 0; k < 9; k++) o.push(tf.matMul(a2, b2)); const r = tf.stack(o); tf.dispose(o); return r; },
      gemmWide: () => tf.matMul(a9, b9),
      clone: () => tf.add(b2, 0),
    };
    const res: Record<string, number[]> = {};
    for (const f of Object.values(fns)) f().dispose();
    for (let r = 0; r < 5; r++) for (const [k, f] of Object.entries(fns)) { const t0 = performance.now(); const o = f(); (res[k] ??= []).push(performance.now() - t0); o.dispose(); }
    const med = (a: number[]) => a.sort((p, q) => p - q)[a.length >> 1];
    console.log(H, Ci, Co, `flops ${(fl / 1e6).toFixed(0)}M`, Object.entries(res).map(([k, v]) => `${k} ${med(v).toFixed(1)}ms`).join('  '));
    tf.dispose([x, dy, xT, dyT, a2, b2, b9, a9]);
  }

}

async function transposes() {
  const x = tf.randomUniform([128, 28, 28, 16], -1, 1, 'float32', 1);
  const x2 = tf.reshape(x, [128 * 784, 16]);
  const fns: Record<string, () => tf.Tensor> = {
    rev: () => tf.transpose(x, [3, 1, 2, 0]),
    chunk: () => tf.transpose(x, [1, 2, 0, 3]),
    elem: () => tf.transpose(x2, [1, 0]),
    copy: () => tf.add(x, 0),
  };
  const res: Record<string, number[]> = {};
  for (let r = 0; r < 7; r++) for (const simd of [true, false]) for (const [k, f] of Object.entries(fns)) {
    transposeSimdEnabled.value = simd;
    const t0 = performance.now(); const o = f(); (res[`${k}${simd ? '' : '-js'}`] ??= []).push(performance.now() - t0); o.dispose();
  }
  const med = (a: number[]) => a.sort((p, q) => p - q)[a.length >> 1];
  console.log(Object.entries(res).map(([k, v]) => `${k} ${med(v).toFixed(2)}ms`).join('  '));

}

async function dwTransposes() {
  for (const [xs, fs, s] of [[[128, 28, 28, 16], [3, 3, 16, 16], 1], [[128, 14, 14, 16], [3, 3, 16, 32], 1], [[128, 28, 28, 16], [3, 3, 16, 32], 2]] as Array<[S4, S4, number]>) {
    const x = tf.randomUniform(xs, -1, 1, 'float32', 1);
    const oh = Math.ceil(xs[1] / s);
    const dy = tf.randomUniform([xs[0], oh, oh, fs[3]], -1, 1, 'float32', 3);
    const attrs = { strides: [s, s], pad: 'same', dataFormat: 'NHWC', dimRoundingMode: undefined, dilations: [1, 1], filterShape: fs };
    const f = () => tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, attrs as any) as tf.Tensor;
    const res: Record<string, number[]> = { simd: [], js: [] };
    for (let r = 0; r < 12; r++) for (const simd of r % 2 ? [true, false] : [false, true]) {
      transposeSimdEnabled.value = simd;
      const c0 = process.cpuUsage(); const o = f(); const c = process.cpuUsage(c0); o.dispose();
      if (r > 0) res[simd ? 'simd' : 'js'].push((c.user + c.system) / 1000);
    }
    const med = (a: number[]) => a.sort((p, q) => p - q)[a.length >> 1];
    console.log(xs.join('x'), '->', fs[3], 's', s, `dW CPU ms: old transposes ${med(res.js).toFixed(1)}, wasm transposes ${med(res.simd).toFixed(1)}`);
    tf.dispose([x, dy]);
  }

}

async function chunks() {
  for (const [H, Ci, Co] of [[28, 16, 16], [14, 32, 32], [7, 64, 64]]) {
    const res: Record<string, number[]> = {};
    const xs: Record<number, [tf.Tensor4D, tf.Tensor4D][]> = {};
    for (const bs of [128, 64, 32, 16, 8]) {
      xs[bs] = [];
      for (let b0 = 0; b0 < 128; b0 += bs) {
        xs[bs].push([tf.randomUniform([Ci, H, H, bs], -1, 1, 'float32', b0 + 1) as tf.Tensor4D, tf.randomUniform([H, H, bs, Co], -1, 1, 'float32', b0 + 2) as tf.Tensor4D]);
      }
    }
    const run = (bs: number) => { let acc: tf.Tensor | null = null; for (const [a, w] of xs[bs]) { const o = tf.conv2d(a, w, 1, [[0, 0], [1, 1], [1, 1], [0, 0]] as any); if (acc) { const s: tf.Tensor = tf.add(acc, o); acc.dispose(); o.dispose(); acc = s; } else acc = o; } return acc!; };
    for (const bs of Object.keys(xs)) run(Number(bs)).dispose();
    for (let r = 0; r < 5; r++) for (const bs of [128, 64, 32, 16, 8]) { const c0 = process.cpuUsage(); run(bs).dispose(); const c = process.cpuUsage(c0); (res[bs] ??= []).push((c.user + c.system) / 1000); }
    const med = (a: number[]) => a.sort((p, q) => p - q)[a.length >> 1];
    console.log(H, Ci, Co, Object.entries(res).map(([k, v]) => `chunk ${k}: ${med(v).toFixed(1)}ms`).join('  '));
    for (const l of Object.values(xs)) for (const p of l) tf.dispose(p);
  }

}

async function columns() {
  const layers: Array<[string, S4, S4, number]> = [
    ['28 16->32 s2 (dX)', [128, 28, 28, 16], [3, 3, 16, 32], 2],
    ['28 16->32 1x1 s2', [128, 28, 28, 16], [1, 1, 16, 32], 2],
    ['14 32->64 s2 (dX)', [128, 14, 14, 32], [3, 3, 32, 64], 2],
    ['14 32->64 1x1 s2', [128, 14, 14, 32], [1, 1, 32, 64], 2],
  ];
  for (const [name, xs, fs, s] of layers) {
    const oh = Math.ceil(xs[1] / s);
    const x = tf.randomUniform(xs, -1, 1, 'float32', 1);
    const w = tf.randomUniform(fs, -1, 1, 'float32', 2);
    const dy = tf.randomUniform([xs[0], oh, oh, fs[3]], -1, 1, 'float32', 3);
    const attrs = { strides: [s, s], pad: 'same', dataFormat: 'NHWC', dimRoundingMode: undefined, dilations: [1, 1] };
    const fns: Record<string, () => tf.Tensor> = {
      dX: () => tf.engine().runKernel('Conv2DBackpropInput', { dy, filter: w }, { ...attrs, inputShape: xs } as never) as tf.Tensor,
    };
    if (fs[0] === 1) fns.dW = () => tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, { ...attrs, filterShape: fs } as never) as tf.Tensor;
    const res: Record<string, number[]> = {};
    for (let r = 0; r < 12; r++) {
      for (const simd of r % 2 ? [true, false] : [false, true]) {
        columnsSimdEnabled.value = simd;
        for (const [k, f] of Object.entries(fns)) {
          const c0 = process.cpuUsage();
          f().dispose();
          const c = process.cpuUsage(c0);
          if (r > 0) (res[`${k}-${simd ? 'wasm' : 'js'}`] ??= []).push((c.user + c.system) / 1000);
        }
      }
    }
    columnsSimdEnabled.value = true;
    const med = (a: number[]) => a.sort((p, q) => p - q)[a.length >> 1];
    console.log(name.padEnd(20), Object.entries(res).map(([k, v]) => `${k} ${med(v).toFixed(1)}ms`).join('  '), '(CPU time)');
    tf.dispose([x, w, dy]);
  }
}

async function main() {
  await useBackend('wasm', { threads: 1 });
  const mode = process.argv[2] ?? 'grads';
  if (mode === 'grads') await grads(process.argv[3]);
  else if (mode === 'forms') await forms();
  else if (mode === 'transpose') await transposes();
  else if (mode === 'dw') await dwTransposes();
  else if (mode === 'chunks') await chunks();
  else if (mode === 'columns') await columns();
  else throw new Error(`convProbes: unknown mode ${JSON.stringify(mode)} (grads | forms | transpose | dw | chunks | columns)`);
}

void main();
