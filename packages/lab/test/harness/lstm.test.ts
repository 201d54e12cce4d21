import * as tf from '@tensorflow/tfjs-core';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCompare } from '../../src/harness/compare/compare.js';
import { lstm } from '../../src/harness/models/lstm.js';
import { lstmRecurrence } from '../../src/harness/models/lstmRecurrence.js';
import { Rng } from '../../src/harness/rng.js';
import { harnessBackend, tmp } from './helpers.js';

const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));

/** Scalar float64 LSTM LM over the same weights (gate order i, f, g, o), logits [B·T, V] b-major. */
function referenceLogits(w: Record<string, number[][] | number[]>, ids: number[][], layers: number, hidden: number): number[][] {
  const mat = (name: string) => w[name] as number[][];
  const vec = (name: string) => w[name] as number[];
  const out: number[][] = [];
  for (const seq of ids) {
    let xs = seq.map((id) => mat('emb')[id]);
    for (let l = 0; l < layers; l++) {
      const wx = mat(`l${l}_wx`);
      const wh = mat(`l${l}_wh`);
      const b = vec(`l${l}_b`);
      let h = new Array<number>(hidden).fill(0);
      let c = new Array<number>(hidden).fill(0);
      const hs: number[][] = [];
      for (const x of xs) {
        const z = b.map((bj, j) => bj + x.reduce((a, xi, i) => a + xi * wx[i][j], 0) + h.reduce((a, hi, i) => a + hi * wh[i][j], 0));
        const gate = (k: number, j: number) => z[k * hidden + j];
        c = c.map((cj, j) => sigmoid(gate(1, j)) * cj + sigmoid(gate(0, j)) * Math.tanh(gate(2, j)));
        h = c.map((cj, j) => sigmoid(gate(3, j)) * Math.tanh(cj));
        hs.push(h);
      }
      xs = hs;
    }
    for (const x of xs) out.push(vec('head_b').map((bj, j) => bj + x.reduce((a, xi, i) => a + xi * mat('head_w')[i][j], 0)));
  }
  return out;
}

describe('LSTM language model', () => {
  beforeAll(() => harnessBackend('wasm'));

  it('forward matches a scalar float64 LSTM on the same weights; forget-gate bias starts at 1', async () => {
    const cfg = { vocab: 7, embed: 3, hidden: 4, layers: 2 };
    const net = lstm(cfg, new Rng(3));
    const w: Record<string, number[][] | number[]> = {};
    for (const v of net.trainable) w[v.name.split('/').pop()!] = (await v.array()) as number[][] | number[];
    expect(w.l0_b).toEqual([0, 0, 0, 0, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0]);
    // Non-zero biases so the gate blocks are told apart.
    for (const l of [0, 1]) {
      const b = net.trainable.find((v) => v.name.endsWith(`/l${l}_b`))!;
      const vals = Array.from({ length: 16 }, (_, j) => Math.sin(3 * j + l));
      b.assign(tf.tensor1d(vals));
      w[`l${l}_b`] = vals;
    }
    const ids = [[1, 6, 0, 3, 3], [5, 2, 4, 1, 0]];
    const logits = tf.tidy(() => net.forward(tf.tensor2d(ids, [2, 5], 'int32'), true));
    expect(logits.shape).toEqual([10, 7]);
    const got = (await logits.array()) as number[][];
    const want = referenceLogits(w, ids, 2, 4);
    let maxDiff = 0;
    got.forEach((row, i) => row.forEach((v, j) => (maxDiff = Math.max(maxDiff, Math.abs(v - want[i][j])))));
    expect(maxDiff).toBeLessThan(1e-5);
    // Causal: changing the last token changes only the last position's logits.
    const changed = tf.tidy(() => net.forward(tf.tensor2d([[1, 6, 0, 3, 4], [5, 2, 4, 1, 0]], [2, 5], 'int32'), true));
    const g2 = (await changed.array()) as number[][];
    expect(g2.slice(0, 4)).toEqual(got.slice(0, 4));
    expect(g2[4]).not.toEqual(got[4]);
    tf.dispose([logits, changed]);
    net.dispose();
  });

  it('lstmRecurrence: hand-written BPTT gradients equal autodiff through the same recurrence', async () => {
    const [T, B, H] = [5, 3, 4];
    const xw = tf.randomNormal([T, B, 4 * H], 0, 1, 'float32', 1) as tf.Tensor3D;
    const wh = tf.randomNormal([H, 4 * H], 0, 0.5, 'float32', 2) as tf.Tensor2D;
    const r = tf.randomNormal([B, T * H], 0, 1, 'float32', 3);
    // Reference: the recurrence written with taped ops.
    const taped = (x: tf.Tensor, w: tf.Tensor) => {
      let hPrev: tf.Tensor = tf.zeros([B, H]);
      let cPrev: tf.Tensor = tf.zeros([B, H]);
      const hs: tf.Tensor[] = [];
      for (const xt of tf.unstack(x)) {
        const [i, f, g, o] = tf.split(tf.add(xt, tf.matMul(hPrev, w)), 4, 1);
        cPrev = tf.add(tf.mul(tf.sigmoid(f), cPrev), tf.mul(tf.sigmoid(i), tf.tanh(g)));
        hPrev = tf.mul(tf.sigmoid(o), tf.tanh(cPrev));
        hs.push(hPrev);
      }
      return tf.concat(hs, 1);
    };
    const loss = (fn: (x: tf.Tensor, w: tf.Tensor) => tf.Tensor) => (x: tf.Tensor, w: tf.Tensor) => tf.sum(tf.mul(tf.square(fn(x, w)), r));
    const ours = tf.grads(loss((x, w) => lstmRecurrence(x as tf.Tensor3D, w as tf.Tensor2D)))([xw, wh]);
    const ref = tf.grads(loss(taped))([xw, wh]);
    const diff = async (a: tf.Tensor, b: tf.Tensor) => (await tf.max(tf.abs(tf.sub(a, b))).data())[0];
    expect(await diff(lstmRecurrence(xw, wh), taped(xw, wh))).toBeLessThan(1e-6);
    expect(ours[0].shape).toEqual([T, B, 4 * H]);
    expect(await diff(ours[0], ref[0]), 'd xw').toBeLessThan(1e-5);
    expect(await diff(ours[1], ref[1]), 'd Wh').toBeLessThan(1e-5);
    expect((await tf.max(tf.abs(ref[1])).data())[0]).toBeGreaterThan(1e-2);
    const before = tf.memory().numTensors;
    tf.dispose(tf.tidy(() => tf.grads(loss((x, w) => lstmRecurrence(x as tf.Tensor3D, w as tf.Tensor2D)))([xw, wh])));
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([xw, wh, r, ...ours, ...ref]);
  });

  it('trains on Moby Dick through compare (moby-lstm): loss falls, bpc below uniform', async () => {
    const out = tmp('lstm');
    const r = await runCompare({
      task: 'moby-lstm',
      optimizers: ['rfadamw'],
      seeds: 1,
      budget: 'quick',
      budgetOverride: { epochs: 2, batchSize: 8, stepsPerEpoch: 25, evalTokens: 1024 },
      precision: 'float32',
      out,
      backend: 'wasm',
      tunedFile: join(out, 'none.json'),
      jobs: 1,
      progress: false,
      log: () => {},
    });
    const o = r.summary.tasks[0].optimizers[0];
    const losses = o.curve.map((c) => c.trainLoss.mean);
    expect(losses[1]).toBeLessThan(losses[0]);
    expect(o.finalTest.mean).toBeLessThan(Math.log2(83) - 1); // bits per character; uniform is 6.38
  }, 120_000);
});
