import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../../src/backend/setup.js';
import { IFShampoo, type IFShampooConfig } from '../../src/tfjs/ifShampoo.js';
import { randomProblem, runTf, stateSlot, tolRatio } from '../core/helpers.js';
import { deltasExplicit, deltasGeneral, runReference, type Hyper } from './reference.js';

const close = (got: number[], want: number[], atol: number) => {
  expect(got.length).toBe(want.length);
  got.forEach((g, i) => expect(Math.abs(g - want[i]), `entry ${i}: ${g} vs ${want[i]}`).toBeLessThanOrEqual(atol));
};

// SPEC §9 G2 / G3.
const G2 = {
  h: { lr: 0.1, beta2: 0.2, alpha1: 0.9, alpha2: 0.5, lam: 0.01, kappa: 0, B: 4 } as Hyper,
  W0: [0.1, -0.2, 0.3, 0.4, 0.0, -0.5],
  grads: [[1, -0.5, 0.25, 0, 2, -1], [0.5, 0.5, 0, -1, 0, 1]],
  mRows: [0.19, -0.4166666666666667, -0.4166666666666667, 1.4191666666666667],
  KRows: [0.9754575842469481, 0.05382108717774558, 0.05382108717774558, 0.8166853770725986],
  KCols: [0.9795251670758958, 0.02027211180604377, -0.010136055903021884, 0.02027211180604377, 0.8477564403366113, 0.08615647517568602, -0.010136055903021884, 0.08615647517568602, 0.9769911531001403],
  W1: [0.00966319682517649, -0.18502904480123103, 0.2925145224006155, 0.38490127680567865, -0.08404177790599013, -0.45797911104700495],
  W2: [-0.10341141944610972, -0.20564970038672692, 0.25557957009676985, 0.4012294088387689, -0.17457922819775173, -0.4627977152663882],
};
const G3 = {
  h: { lr: 0.1, beta2: 0.2, alpha1: 0, alpha2: 0, lam: 0.01, kappa: 0, B: 4 } as Hyper,
  b0: [0.5, -0.5, 1],
  g: [0.3, -0.6, 0.9],
  K: [1.029403719805848, 0.033604251206683484, -0.05040637681002522, 0.033604251206683484, 0.9789973429958229, 0.10081275362005045, -0.05040637681002522, 0.10081275362005045, 0.8949867149791141],
  b1: [0.48026953359125435, -0.4605390671825087, 0.940808600773763],
};

describe('float64 reference (independent recomputation of SPEC §2.2/§2.3)', () => {
  it.each([['general N', deltasGeneral], ['explicit 2-D', deltasExplicit]] as const)('reproduces G2 (%s)', (_n, deltas) => {
    const one = runReference(G2.W0, [2, 3], G2.grads.slice(0, 1), G2.h, deltas);
    close(one.state.m[0].flat(), G2.mRows, 1e-12);
    close(one.state.K[0].flat(), G2.KRows, 1e-12);
    close(one.state.K[1].flat(), G2.KCols, 1e-12);
    close(one.params[0], G2.W1, 1e-12);
    close(runReference(G2.W0, [2, 3], G2.grads, G2.h, deltas).params[1], G2.W2, 1e-12);
  });

  it.each([['general N', deltasGeneral], ['explicit 1-D', deltasExplicit]] as const)('reproduces G3 (%s)', (_n, deltas) => {
    const r = runReference(G3.b0, [3], [G3.g], G3.h, deltas);
    close(r.state.K[0].flat(), G3.K, 1e-12);
    close(r.params[0], G3.b1, 1e-12);
  });

  it('general-N update equals the explicit 2-D and 1-D formulas on random tensors', () => {
    for (const shape of [[5, 3], [4, 6], [7]]) {
      const prob = randomProblem(11 + shape[0], 5, [shape]);
      const h: Hyper = { lr: 0.05, beta2: 0.3, alpha1: 0.5, alpha2: 0.4, lam: 0.02, kappa: 0.01, B: 8 };
      const a = runReference(prob.init[0], shape, prob.grads.map((g) => g[0]), h, deltasGeneral);
      const b = runReference(prob.init[0], shape, prob.grads.map((g) => g[0]), h, deltasExplicit);
      expect(tolRatio(a.params, b.params, 1e-13, 1e-12)).toBeLessThanOrEqual(1);
      expect(tolRatio(a.state.K.map((k) => k.flat()), b.state.K.map((k) => k.flat()), 1e-13, 1e-12)).toBeLessThanOrEqual(1);
    }
  });
});

describe.each(['wasm', 'cpu'] as const)('IFShampoo vs the float64 reference on %s', (backend) => {
  beforeAll(async () => {
    await useBackend(backend);
  });

  const toOptions = (h: Hyper, extra: IFShampooConfig = {}): IFShampooConfig => ({
    lr: h.lr, beta2: h.beta2, alpha1: h.alpha1, alpha2: h.alpha2, lam: h.lam, kappa: h.kappa, batchSize: h.B, ...extra,
  });

  it('G2 (2-D): factors, momentum and parameters after two steps', async () => {
    const opt = new IFShampoo(toOptions(G2.h));
    const { history, vars } = runTf(opt, { shapes: [[2, 3]], init: [G2.W0], grads: G2.grads.map((g) => [g]) });
    close(history[0][0], G2.W1, 2e-6);
    close(history[1][0], G2.W2, 2e-6);
    const K0 = await stateSlot(opt, 'K0_mat');
    expect(K0.length).toBe(1);
    opt.dispose();
    vars.forEach((v) => v.dispose());
  });

  it('G3 (1-D): factor and parameter after one step', async () => {
    const opt = new IFShampoo(toOptions(G3.h));
    const { history, vars } = runTf(opt, { shapes: [[3]], init: [G3.b0], grads: [[G3.g]] });
    close(history[0][0], G3.b1, 2e-6);
    close((await stateSlot(opt, 'K0_mat'))[0], G3.K, 2e-6);
    opt.dispose();
    vars.forEach((v) => v.dispose());
  });

  // General N in tfjs (rotating 2-D unfoldings) vs explicit mode products in float64, including
  // squeezed size-1 axes and a scalar (a length-1 vector with a 1×1 factor).
  // Matrices take the right-multiplication path (no rotations); [9, 4] also forms P_1 = K̃K̃ᵀ
  // (d_1² < n) and T = 2 exercises the cached P on skipped steps.
  it.each([[[6, 5, 4]], [[4, 3, 3, 2]], [[5, 1, 3]], [[1, 4]], [[]], [[3, 1, 1, 2]], [[9, 4]], [[4, 9]], [[7, 7]]])('shape %j over 6 steps with T = 2', (shape) => {
    const prob = randomProblem(7 + shape.length, 6, [shape]);
    const h: Hyper = { lr: 0.05, beta2: 0.2, alpha1: 0.9, alpha2: 0.5, lam: 1e-3, kappa: 0.01, B: 8, update: (t) => t % 2 === 0 };
    const ref = runReference(prob.init[0], shape, prob.grads.map((g) => g[0]), h);
    const opt = new IFShampoo(toOptions(h, { T: 2 }));
    const { history, vars } = runTf(opt, prob);
    expect(tolRatio(history.map((s) => s[0]), ref.params, 2e-5, 1e-5)).toBeLessThanOrEqual(1);
    opt.dispose();
    vars.forEach((v) => v.dispose());
  });

  it('scaling tricks on and off give the same trajectory', async () => {
    // Small gradients make Δ ≈ −½I, so the factors grow past 1 and the infinity-norm scaling acts.
    const prob = randomProblem(5, 6, [[6, 5, 4], [7]], 0.05);
    const run = async (scalingTricks: boolean) => {
      const opt = new IFShampoo({ lr: 0.05, beta2: 0.5, alpha1: 0.5, alpha2: 0.3, lam: 1e-2, batchSize: 32, scalingTricks });
      const { history, vars } = runTf(opt, prob);
      const kmax = Math.max(...(await stateSlot(opt, 'K0_mat')).flat().map(Math.abs));
      opt.dispose();
      vars.forEach((v) => v.dispose());
      return { history, kmax };
    };
    const on = await run(true);
    const off = await run(false);
    expect(on.kmax).toBeGreaterThan(1.5);
    expect(tolRatio(on.history, off.history, 2e-5, 1e-5)).toBeLessThanOrEqual(1);
  });

  // W with (diagonal, dense) factors takes the 2-D right-multiplication path; Wᵀ with (dense,
  // diagonal) takes the rotation path. The method is symmetric under transposition, so the two
  // trajectories must be each other's transposes.
  it('2-D right-multiplication path equals the rotation path (transposed problem, mixed structures)', () => {
    const [r, c] = [6, 4];
    const prob = randomProblem(21, 4, [[r, c]]);
    // Row-major rows×cols → its transpose.
    const transpose = (x: number[], rows: number, cols: number): number[] => Array.from({ length: rows * cols }, (_, k) => x[(k % rows) * cols + Math.floor(k / rows)]);
    const probT = { shapes: [[c, r]], init: [transpose(prob.init[0], r, c)], grads: prob.grads.map((g) => [transpose(g[0], r, c)]) };
    const run = (p: typeof prob, structures: string[]) => {
      const opt = new IFShampoo({ lr: 0.05, beta2: 0.3, alpha1: 0.5, alpha2: 0.4, lam: 1e-2, kappa: 0.01, batchSize: 8, structures: { 2: structures } } as IFShampooConfig);
      const out = runTf(opt, p);
      opt.dispose();
      out.vars.forEach((v) => v.dispose());
      return out.history.map((s) => s[0]);
    };
    const direct = run(prob, ['diagonal', 'dense']);
    const rotated = run(probT, ['dense', 'diagonal']).map((x) => transpose(x, c, r));
    expect(tolRatio(direct, rotated, 2e-6, 1e-5)).toBeLessThanOrEqual(1);
    const plain = run(prob, ['dense', 'dense']);
    expect(tolRatio(direct, plain, 2e-6, 1e-5)).toBeGreaterThan(1);
  });

  it('leaves the factors untouched on non-update steps', async () => {
    const prob = randomProblem(3, 2, [[4, 3]]);
    const opt = new IFShampoo({ lr: 0.05, beta2: 0.2, T: 2, batchSize: 4 });
    const vars = runTf(opt, { ...prob, grads: prob.grads.slice(0, 1) }).vars;
    const after1 = await stateSlot(opt, 'K1_mat');
    const grads = vars.map((v, i) => ({ name: v.name, tensor: tf.tensor(prob.grads[1][i], prob.shapes[i]) }));
    opt.applyGradients(grads);
    grads.forEach((g) => g.tensor.dispose());
    expect(await stateSlot(opt, 'K1_mat')).toEqual(after1);
    opt.dispose();
    vars.forEach((v) => v.dispose());
  });
});
