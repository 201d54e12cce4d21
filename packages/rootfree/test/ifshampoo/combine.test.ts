import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../../src/backend/setup.js';
import type { CombineRule } from '../../src/optim/ifShampoo/index.js';
import { IFShampoo, type IFShampooConfig } from '../../src/tfjs/ifShampoo.js';
import { rng, f32, tolRatio } from '../core/helpers.js';
import { runReference, type Hyper } from './reference.js';

const h: Hyper = { lr: 0.05, beta2: 0.2, alpha1: 0.9, alpha2: 0.5, lam: 1e-3, kappa: 0.01, B: 8 };
const base: IFShampooConfig = { lr: h.lr, beta2: h.beta2, alpha1: h.alpha1, alpha2: h.alpha2, lam: h.lam, kappa: h.kappa, batchSize: h.B };

interface P { name: string; shape: number[] }
const size = (s: number[]) => s.reduce((a, b) => a * b, 1);
const uid = () => Math.random().toString(36).slice(2, 8);

/** Runs the optimizer on named parameters with seeded data; returns init, grads and the trajectory. */
function run(params: P[], config: IFShampooConfig, steps = 5, seed = 3) {
  const r = rng(seed);
  const init = params.map((p) => f32(r.normals(size(p.shape))));
  const grads = Array.from({ length: steps }, () => params.map((p) => f32(r.normals(size(p.shape), 0.5))));
  const tag = uid();
  const vars = params.map((p, i) => tf.variable(tf.tensor(init[i], p.shape), true, p.name.replace('/', `_${tag}/`)));
  const opt = new IFShampoo(config);
  const history: number[][][] = [];
  try {
    for (const gs of grads) {
      const list = gs.map((g, i) => ({ name: vars[i].name, tensor: tf.tensor(g, params[i].shape) }));
      opt.applyGradients(list);
      list.forEach((x) => x.tensor.dispose());
      history.push(vars.map((v) => Array.from(v.dataSync())));
    }
  } finally {
    opt.dispose();
    vars.forEach((v) => v.dispose());
  }
  return { init, grads, history };
}

describe.each(['wasm', 'cpu'] as const)('parameter-combination rules on %s', (backend) => {
  beforeAll(async () => {
    await useBackend(backend);
  });

  it('denseWeightBias: [W; b] (bias as extra row of the [in, out] kernel) equals IF-Shampoo on the concatenated matrix', () => {
    const [din, dout] = [3, 4];
    const res = run([{ name: 'dense/kernel', shape: [din, dout] }, { name: 'dense/bias', shape: [dout] }], { ...base, combineParams: ['denseWeightBias', 'perParameter'] });
    const cat = (w: number[], b: number[]) => [...w, ...b];
    const ref = runReference(cat(res.init[0], res.init[1]), [din + 1, dout], res.grads.map((g) => cat(g[0], g[1])), h);
    expect(tolRatio(res.history.map((s) => cat(s[0], s[1])), ref.params, 2e-5, 1e-5)).toBeLessThanOrEqual(1);
    // and it really differs from preconditioning the two parameters separately
    const separate = run([{ name: 'dense/kernel', shape: [din, dout] }, { name: 'dense/bias', shape: [dout] }], base);
    expect(tolRatio(separate.history, res.history, 2e-5, 1e-5)).toBeGreaterThan(1);
  });

  it('denseWeightBias with one output squeezes [W; b] to a vector', () => {
    const res = run([{ name: 'head/kernel', shape: [3, 1] }, { name: 'head/bias', shape: [1] }], { ...base, combineParams: ['denseWeightBias'] });
    const ref = runReference([...res.init[0], ...res.init[1]], [4, 1], res.grads.map((g) => [...g[0], ...g[1]]), h);
    expect(tolRatio(res.history.map((s) => [...s[0], ...s[1]]), ref.params, 2e-5, 1e-5)).toBeLessThanOrEqual(1);
  });

  it('flattenEmbedding preconditions the table as one vector', () => {
    const res = run([{ name: 'emb/embeddings', shape: [5, 3] }], { ...base, combineParams: ['flattenEmbedding', 'perParameter'] });
    const ref = runReference(res.init[0], [15], res.grads.map((g) => g[0]), h);
    expect(tolRatio(res.history.map((s) => s[0]), ref.params, 2e-5, 1e-5)).toBeLessThanOrEqual(1);
  });

  it('a user rule (norm gamma+beta as a d×2 matrix)', () => {
    const normPair: CombineRule = {
      name: 'normPair',
      identify: (ps) => {
        const g = ps.findIndex((p) => p.name.endsWith('/gamma'));
        const b = ps.findIndex((p) => p.name.endsWith('/beta'));
        return g >= 0 && b >= 0 ? [[g, b]] : [];
      },
      shape: ([g]) => [g.shape[0], 2],
      group: ([g, b]) => tf.stack([g, b], 1),
      ungroup: (t) => tf.unstack(t, 1),
    };
    const res = run([{ name: 'ln/gamma', shape: [6] }, { name: 'ln/beta', shape: [6] }, { name: 'w/kernel', shape: [6, 2] }], { ...base, combineParams: [normPair, 'perParameter'] });
    const inter = (a: number[], b: number[]) => a.flatMap((x, i) => [x, b[i]]);
    const ref = runReference(inter(res.init[0], res.init[1]), [6, 2], res.grads.map((g) => inter(g[0], g[1])), h);
    expect(tolRatio(res.history.map((s) => inter(s[0], s[1])), ref.params, 2e-5, 1e-5)).toBeLessThanOrEqual(1);
    const refW = runReference(res.init[2], [6, 2], res.grads.map((g) => g[2]), h);
    expect(tolRatio(res.history.map((s) => s[2]), refW.params, 2e-5, 1e-5)).toBeLessThanOrEqual(1);
  });

  it('names every parameter that no rule claims', () => {
    expect(() => run([{ name: 'dense/kernel', shape: [3, 4] }, { name: 'dense/bias', shape: [4] }, { name: 'conv/kernel', shape: [3, 3, 2, 4] }, { name: 'ln/gamma', shape: [4] }], { ...base, combineParams: ['denseWeightBias'] })).toThrow(
      /no parameter-combination rule claims: conv_\w+\/kernel, ln_\w+\/gamma/,
    );
  });
});
