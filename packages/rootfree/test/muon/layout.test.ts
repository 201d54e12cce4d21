import * as tf from '@tensorflow/tfjs-core';
import { Muon, MuonWithAuxAdam } from '../../src/index.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../../src/backend/setup.js';
import { rng } from '../core/helpers.js';

let uid = 0;
const named = (t: tf.Tensor) => tf.variable(t, true, `muon_t${++uid}`);

/** Runs `steps` steps of `opt` on one variable with the given gradients; returns the final value. */
function run(opt: Muon, init: tf.Tensor, grads: tf.Tensor[]): tf.Tensor {
  const v = named(init.clone());
  for (const g of grads) opt.applyGradients([{ name: v.name, tensor: g }]);
  const out = v.clone();
  v.dispose();
  opt.dispose();
  return out;
}

const diff = (a: tf.Tensor, b: tf.Tensor) => tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);

describe.each(['cpu', 'wasm'] as const)('Muon weight layouts on %s', (backend) => {
  beforeAll(async () => {
    await useBackend(backend);
  });

  it.each(['float32', 'bfloat16'] as const)('a tfjs Dense kernel [in, out] follows the PyTorch weight [out, in] (%s Newton–Schulz, tall: aspect √(out/in))', (nsPrecision) => {
    const r = rng(11);
    const w = tf.tensor2d(r.normals(4 * 9), [9, 4]); // PyTorch [out 9, in 4]: scale √(9/4)
    const gs = [0, 1, 2].map(() => tf.tensor2d(r.normals(36), [9, 4]));
    const o = { lr: 0.02, weightDecay: 0.1, nsPrecision };
    const torch = run(new Muon({ ...o, weightLayout: 'torch' }), w, gs);
    const tfjs = run(new Muon(o), tf.transpose(w), gs.map((g) => tf.transpose(g)));
    expect(diff(tf.transpose(tfjs), torch)).toBeLessThan(nsPrecision === 'float32' ? 2e-6 : 1e-2);
    // The aspect scale matters: with [in, out] read as [out, in] the result differs.
    const wrong = run(new Muon({ ...o, weightLayout: 'torch' }), tf.transpose(w), gs.map((g) => tf.transpose(g)));
    expect(diff(tf.transpose(wrong), torch)).toBeGreaterThan(1e-3);
  });

  it('a tfjs Conv2D filter [kh, kw, in, out] follows the PyTorch filter [out, in, kh, kw] (aspect from kh/kw)', () => {
    const r = rng(12);
    const shape = [5, 2, 3, 2]; // [out, in, kh, kw]: kh/kw = 1.5
    const w = tf.tensor4d(r.normals(60), shape as [number, number, number, number]);
    const gs = [0, 1, 2].map(() => tf.tensor4d(r.normals(60), shape as [number, number, number, number]));
    const o = { lr: 0.02, nsPrecision: 'float32' };
    const torch = run(new Muon({ ...o, weightLayout: 'torch' }), w, gs);
    const tfjs = run(new Muon(o), tf.transpose(w, [2, 3, 1, 0]), gs.map((g) => tf.transpose(g, [2, 3, 1, 0])));
    expect(diff(tf.transpose(tfjs, [3, 2, 0, 1]), torch)).toBeLessThan(2e-6);
  });

  it('Muon rejects a bias; MuonWithAuxAdam sends it to AdamW (auto) and leaks nothing', () => {
    const b = named(tf.ones([3]));
    const g = tf.ones([3]);
    const m = new Muon();
    expect(() => m.applyGradients([{ name: b.name, tensor: g }])).toThrow(/'muon_t\d+' has shape \[3\].*MuonWithAuxAdam/);
    m.dispose();
    const w = named(tf.ones([3, 3]));
    const aux = new MuonWithAuxAdam({ adam: { lr: 0.1 } });
    aux.applyGradients([{ name: b.name, tensor: g }, { name: w.name, tensor: tf.eye(3) }]);
    const before = tf.memory().numTensors;
    const eye = tf.eye(3);
    aux.applyGradients([{ name: b.name, tensor: g }, { name: w.name, tensor: eye }]);
    eye.dispose();
    expect(tf.memory().numTensors).toBe(before);
    // AdamW's first step moves every entry by lr (bias-corrected m/√v = 1).
    expect(diff(b, tf.fill([3], 1 - 0.1 - 0.1 * (1 / (1 + 1e-10))))).toBeLessThan(1e-5);
    expect(() => new MuonWithAuxAdam({ adam: { lr: 0.1, betas: [0.9, 0.9] } as never })).toThrow(/adam.betas/);
    expect(() => new Muon({ nsPrecision: 'int8' })).toThrow(/nsPrecision/);
    aux.dispose();
    tf.dispose([b, w, g]);
  });
});
