import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../../src/backend/setup.js';
import { IFShampoo, type IFShampooConfig } from '../../src/tfjs/ifShampoo.js';
import { bitMismatches, normals } from '../fused/helpers.js';

/**
 * IF-Shampoo's fused tail (`applyInPlace`: κ·p, momentum and the parameter update in one pass)
 * against the composite tail (`fused: false`): identical trajectories bit for bit, including the
 * state (factors, momenta, buffers), over steps that update the factors and steps that skip.
 */
const configs: Array<[string, IFShampooConfig]> = [
  ['plain (alpha1 = 0, kappa = 0)', { lr: 0.05, alpha1: 0, T: 2 }],
  ['momentum + weight decay', { lr: 0.05, alpha1: 0.9, alpha2: 0.5, kappa: 0.01, T: 2 }],
  ['weight decay, no momentum', { lr: 0.05, alpha1: 0, kappa: 0.02, T: 1 }],
  ['bf16 preconditioner, momentum + weight decay', { lr: 0.05, alpha1: 0.9, kappa: 0.01, T: 2, preconditionerDtypes: 'bfloat16' }],
  ['bf16 preconditioner, no momentum, weight decay', { lr: 0.05, alpha1: 0, kappa: 0.01, T: 3, preconditionerDtypes: 'bfloat16' }],
  ['fp16 preconditioner, momentum + weight decay', { lr: 0.05, alpha1: 0.5, kappa: 1e-3, T: 2, preconditionerDtypes: 'float16' }],
  ['diagonal + dense, combined weight and bias', { lr: 0.05, alpha1: 0.9, kappa: 0.01, T: 2, structures: { 2: ['dense', 'diagonal'] }, combineParams: ['denseWeightBias', 'perParameter'] }],
];

describe.each(['wasm', 'cpu'] as const)('IF-Shampoo fused vs composite tail on %s', (backend) => {
  beforeAll(async () => {
    await useBackend(backend);
  });

  it.each(configs)('%s: 20 steps bit-identical', async (_n, config) => {
    const rnd = normals(7);
    const shapes = [[6, 5], [5], [3, 4, 2], [7]];
    const init = shapes.map((s) => rnd(s.reduce((a, b) => a * b, 1)));
    const grads = Array.from({ length: 20 }, (_, t) => shapes.map((s) => rnd(s.reduce((a, b) => a * b, 1), t % 7 === 3 ? 1e-3 : 0.5)));
    const tag = Math.random().toString(36).slice(2);
    const names = ['dense/kernel', 'dense/bias', 'conv/kernel', 'norm/gamma'];
    const mk = (which: string) => shapes.map((s, i) => {
      const t = tf.tensor(init[i].slice(), s);
      const v = tf.variable(t, true, `${names[i]}_${which}_${tag}`);
      t.dispose();
      return v;
    });
    const fusedVars = mk('f');
    const compVars = mk('c');
    const fused = new IFShampoo({ ...config, batchSize: 4 });
    const comp = new IFShampoo({ ...config, batchSize: 4, fused: false });
    const step = (opt: IFShampoo, vars: tf.Variable[], t: number) => {
      const list = vars.map((v, i) => ({ name: v.name, tensor: tf.tensor(grads[t][i], shapes[i]) }));
      opt.applyGradients(list);
      list.forEach((g) => g.tensor.dispose());
    };
    step(fused, fusedVars, 0);
    step(comp, compVars, 0);
    const before = tf.memory().numTensors;
    for (let t = 1; t < 20; t++) {
      step(fused, fusedVars, t);
      step(comp, compVars, t);
    }
    expect(tf.memory().numTensors).toBe(before);
    fusedVars.forEach((v, i) => expect(bitMismatches(v.dataSync() as Float32Array, compVars[i].dataSync() as Float32Array), names[i]).toBe(0));
    const wf = await fused.getWeights();
    const wc = await comp.getWeights();
    expect(wf.map((w) => w.name.replace(/_f_/g, '_'))).toEqual(wc.map((w) => w.name.replace(/_c_/g, '_')));
    expect(wf.some((w) => /\/buf\d+$/.test(w.name))).toBe((config.alpha1 ?? 0.9) > 0);
    wf.forEach((w, k) => expect(bitMismatches(w.tensor.dataSync() as Float32Array, wc[k].tensor.dataSync() as Float32Array), w.name).toBe(0));
    // The parameters moved (a tail that did nothing would also be "identical").
    expect(bitMismatches(fusedVars[0].dataSync() as Float32Array, init[0])).toBeGreaterThan(0);
    fused.dispose();
    comp.dispose();
    [...fusedVars, ...compVars].forEach((v) => v.dispose());
  });
});
