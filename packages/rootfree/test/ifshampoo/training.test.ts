import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../../src/backend/setup.js';
import '../../src/index.js';
import { IFShampoo, type IFShampooConfig } from '../../src/tfjs/ifShampoo.js';
import { allowLayersOnWasm, f32, rng } from '../core/helpers.js';
import { data, trainMlp } from './problems.js';

describe.each(['wasm', 'cpu'] as const)('IFShampoo training on %s', (backend) => {
  beforeAll(async () => {
    await useBackend(backend);
  });

  it.each([[['perParameter']], [['denseWeightBias', 'perParameter']]] as const)('model.compile/model.fit trains a Dense model (combineParams %j)', async (combineParams) => {
    const { x, y } = data(1, 96, 4, 2);
    const model = tfl.sequential({
      layers: [tfl.layers.dense({ inputShape: [4], units: 8, activation: 'tanh' }), tfl.layers.dense({ units: 2 })],
    });
    model.compile({ optimizer: new IFShampoo({ lr: 0.05, beta2: 0.05, alpha1: 0.5, T: 2, combineParams: [...combineParams] }), loss: 'meanSquaredError' });
    const first = (model.evaluate(x, y) as tf.Scalar).dataSync()[0];
    const hist = await model.fit(x, y, { epochs: 15, batchSize: 32, shuffle: false, verbose: 0 });
    const last = (model.evaluate(x, y) as tf.Scalar).dataSync()[0];
    expect(hist.history.loss.every((l) => Number.isFinite(l as number))).toBe(true);
    expect(last).toBeLessThan(0.5 * first);
    const units = (await model.optimizer.getWeights()).map((w) => w.name);
    expect(units.some((n) => /\/kernel\+[^/]*\/bias\//.test(n))).toBe(combineParams[0] === 'denseWeightBias');
    model.optimizer.dispose();
    model.dispose();
    x.dispose();
    y.dispose();
  });

  it('getWeights/setWeights round trip continues the uninterrupted trajectory (T = 2, momenta, cached P)', async () => {
    const config: IFShampooConfig = { lr: 0.05, beta2: 0.2, alpha1: 0.9, alpha2: 0.5, kappa: 0.01, T: 2, batchSize: 8, structures: { 1: 'diagonal' } };
    const r = rng(4);
    const shapes = [[4, 3], [3], [2, 3, 2]];
    const init = shapes.map((s) => f32(r.normals(s.reduce((a, b) => a * b, 1))));
    const grads = Array.from({ length: 8 }, () => shapes.map((s) => f32(r.normals(s.reduce((a, b) => a * b, 1), 0.5))));
    const mk = (tag: string) => shapes.map((s, i) => tf.variable(tf.tensor(init[i], s), true, `rt_${tag}_${i}_${Math.random().toString(36).slice(2)}`));
    const step = (opt: IFShampoo, vars: tf.Variable[], t: number) => {
      const list = vars.map((v, i) => ({ name: v.name, tensor: tf.tensor(grads[t][i], shapes[i]) }));
      opt.applyGradients(list);
      list.forEach((g) => g.tensor.dispose());
    };
    const a = mk('a');
    const optA = new IFShampoo(config);
    for (let t = 0; t < 8; t++) step(optA, a, t);

    const b = mk('b');
    const opt1 = new IFShampoo(config);
    for (let t = 0; t < 3; t++) step(opt1, b, t);
    const saved = (await opt1.getWeights()).map((w) => ({ name: w.name, tensor: w.tensor.clone() }));
    expect(saved.some((w) => w.name.endsWith('/P0'))).toBe(true);
    const cfg = opt1.getConfig();
    opt1.dispose();
    const opt2 = new IFShampoo(cfg as IFShampooConfig);
    await opt2.setWeights(saved);
    for (let t = 3; t < 8; t++) step(opt2, b, t);

    a.forEach((v, i) => expect(Array.from(b[i].dataSync())).toEqual(Array.from(v.dataSync())));
    saved.forEach((w) => w.tensor.dispose());
    [optA, opt2].forEach((o) => o.dispose());
    [...a, ...b].forEach((v) => v.dispose());
  });

  it('model.save(includeOptimizer) + tf.loadLayersModel continues the uninterrupted trajectory', async () => {
    allowLayersOnWasm();
    const { x, y } = data(2, 20, 3, 2);
    const model = tfl.sequential({
      layers: [
        tfl.layers.dense({ inputShape: [3], units: 4, activation: 'tanh', kernelInitializer: tfl.initializers.glorotUniform({ seed: 1 }) }),
        tfl.layers.dense({ units: 2, kernelInitializer: tfl.initializers.glorotUniform({ seed: 2 }) }),
      ],
    });
    const opt = new IFShampoo({
      lr: 0.02, beta2: 0.1, alpha1: 0.9, alpha2: 0.5, T: 2, combineParams: ['denseWeightBias', 'perParameter'],
      structures: { 2: ['dense', 'diagonal'] }, preconditionerDtypes: { 1: 'bfloat16' },
    });
    model.compile({ optimizer: opt, loss: 'meanSquaredError' });
    await model.fit(x, y, { epochs: 1, batchSize: 8, shuffle: false, verbose: 0 }); // 3 steps: next one skips the update
    let artifacts: tf.io.ModelArtifacts | undefined;
    await model.save(
      tf.io.withSaveHandler(async (a) => {
        artifacts = JSON.parse(JSON.stringify({ ...a, weightData: undefined }));
        artifacts!.weightData = a.weightData;
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      }),
      { includeOptimizer: true },
    );
    const loaded = await tfl.loadLayersModel(tf.io.fromMemory(artifacts!));
    expect(loaded.optimizer).toBeInstanceOf(IFShampoo);
    await model.fit(x, y, { epochs: 2, batchSize: 8, shuffle: false, verbose: 0 });
    await loaded.fit(x, y, { epochs: 2, batchSize: 8, shuffle: false, verbose: 0 });
    const wb = loaded.getWeights();
    model.getWeights().forEach((w, i) => expect(Array.from(wb[i].dataSync())).toEqual(Array.from(w.dataSync())));
    [model.optimizer, loaded.optimizer].forEach((o) => o.dispose());
    [model, loaded].forEach((m) => m.dispose());
    [x, y].forEach((t) => t.dispose());
  });

  it('leaks no tensors over 200 steps (mixed ranks, structures, bf16 factors, combined units)', () => {
    const shapes = [[6, 4], [4], [3, 2, 2, 3], [1]];
    const names = ['leak/kernel', 'leak/bias', 'leakconv/kernel', 'leakscalar/w'].map((n) => n.replace('/', `_${Math.random().toString(36).slice(2)}/`));
    const vars = shapes.map((s, i) => tf.variable(tf.randomNormal(s, 0, 1, 'float32', 7), true, names[i]));
    const opt = new IFShampoo({
      lr: 0.01, alpha1: 0.9, alpha2: 0.5, kappa: 0.01, T: 3, batchSize: 4,
      combineParams: ['denseWeightBias', 'perParameter'],
      structures: { 4: ['diagonal', 'dense', 'dense', 'diagonal'] },
      preconditionerDtypes: { 2: ['bfloat16', 'float32'] },
    });
    const step = () => {
      const list = vars.map((v) => ({ name: v.name, tensor: tf.tidy(() => tf.mul(tf.randomNormal(v.shape, 0, 1, 'float32', 3), 0.1)) }));
      opt.applyGradients(list);
      list.forEach((g) => g.tensor.dispose());
    };
    step();
    step();
    const before = tf.memory().numTensors;
    for (let t = 2; t < 200; t++) step();
    expect(tf.memory().numTensors).toBe(before);
    expect(vars.every((v) => v.dataSync().every(Number.isFinite))).toBe(true);
    opt.dispose();
    vars.forEach((v) => v.dispose());
  });

  it('bf16 factors stay finite and reach a loss within 5% of float32 (seeded MLP)', () => {
    const config: IFShampooConfig = { lr: 0.03, beta2: 0.01, alpha1: 0.5, alpha2: 0.5, lam: 1e-3, T: 2 };
    const fp32 = trainMlp(config, 80).losses;
    const bf16 = trainMlp({ ...config, preconditionerDtypes: 'bfloat16' }, 80).losses;
    expect(bf16.every(Number.isFinite)).toBe(true);
    const [l32, l16] = [fp32[fp32.length - 1], bf16[bf16.length - 1]];
    expect(l32).toBeLessThan(0.1 * fp32[0]);
    expect(Math.abs(l16 - l32)).toBeLessThanOrEqual(0.05 * l32);
    // bf16 really ran: the trajectories are not bit-identical
    expect(l16).not.toBe(l32);
  });
});
