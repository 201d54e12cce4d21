import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../../src/backend/setup.js';
import { AdamW, RFAdamW, RFRMSprop, RMSprop, RootfreeOptimizer, SGD } from '../../src/index.js';
import { escapeUnderscores } from '../../src/tfjs/serialization.js';
import { allowLayersOnWasm, makeVar, randomProblem, type Problem } from './helpers.js';

type Ctor = new (o: Record<string, unknown>) => RootfreeOptimizer<any>;
const configs: Array<[string, Ctor, Record<string, unknown>]> = [
  ['SGD', SGD as unknown as Ctor, { lr: 0.05, momentum: 0.9, dampening: 0.1, weightDecay: 1e-3 }],
  ['AdamW', AdamW as unknown as Ctor, { lr: 0.01, beta1: 0.8, beta2: 0.9, amsgrad: true }],
  ['RMSprop', RMSprop as unknown as Ctor, { lr: 0.01, alpha: 0.9, momentum: 0.5, centered: true }],
  ['RFRMSprop', RFRMSprop as unknown as Ctor, { lr: 0.01, alpha: 0.9, momentum: 0.9, weightDecay: 0.01, batchSize: 16, stateDtype: 'bfloat16' }],
  ['RFAdamW', RFAdamW as unknown as Ctor, { lr: { type: 'cosine', value: 0.01, totalSteps: 12, warmupSteps: 3 }, beta1: 0.9, beta2: 0.99, biasCorrection: true, batchSize: 8 }],
];

/** Raw bits of a float32 array, so "equal" means bit for bit. */
const bits = (xs: Float32Array | number[]): number[] => Array.from(new Uint32Array(Float32Array.from(xs).buffer));

function stepAll(opt: RootfreeOptimizer<any>, vars: tf.Variable[], prob: Problem, from: number, to: number): void {
  for (let t = from; t < to; t++) {
    const grads = vars.map((v, i) => ({ name: v.name, tensor: tf.tensor(prob.grads[t][i], prob.shapes[i]) }));
    opt.applyGradients(grads);
    grads.forEach((g) => g.tensor.dispose());
  }
}

describe.each(['cpu', 'wasm'] as const)('optimizer state on %s', (backend) => {
  beforeAll(async () => {
    await useBackend(backend);
  });

  it.each(configs)('%s: save after k steps, restore into a fresh object, continue == uninterrupted (bit for bit)', async (_n, Cls, o) => {
    const prob = randomProblem(5, 12);
    const k = 5;
    // Uninterrupted trajectory.
    const a = new Cls(o);
    const va = prob.shapes.map((s, i) => makeVar(prob.init[i], s));
    stepAll(a, va, prob, 0, prob.grads.length);

    // Interrupted: k steps, export, fresh optimizer (and fresh, differently named variables).
    const b = new Cls(o);
    const vb = prob.shapes.map((s, i) => makeVar(prob.init[i], s));
    stepAll(b, vb, prob, 0, k);
    const saved = await b.getWeights();
    expect(saved[0].name).toBe('iter');
    expect(saved[0].tensor.dtype).toBe('int32');
    expect(saved[0].tensor.dataSync()[0]).toBe(k);
    const c = new Cls(b.getConfig());
    await c.setWeights(saved);
    expect(c.iterations).toBe(k);
    const vc = vb.map((v, i) => makeVar(Array.from(v.dataSync()), prob.shapes[i], 'renamed'));
    b.dispose();
    stepAll(c, vc, prob, k, prob.grads.length);

    try {
      expect(c.iterations).toBe(a.iterations);
      vc.forEach((v, i) => expect(bits(v.dataSync() as Float32Array)).toEqual(bits(va[i].dataSync() as Float32Array)));
      const wa = await a.getWeights();
      const wc = await c.getWeights();
      expect(wc.map((w) => w.name.replace(/\/[^/]*\//, '/'))).toEqual(wa.map((w) => w.name.replace(/\/[^/]*\//, '/')));
      wc.forEach((w, i) => expect(bits(w.tensor.dataSync() as Float32Array)).toEqual(bits(wa[i].tensor.dataSync() as Float32Array)));
    } finally {
      [...va, ...vb, ...vc].forEach((v) => v.dispose());
      a.dispose();
      c.dispose();
    }
  });

  it('getWeights/setWeights round trip on a bound optimizer restores values and iterations', async () => {
    const prob = randomProblem(9, 6);
    const opt = new RFAdamW({ lr: 0.01, batchSize: 4 });
    const vars = prob.shapes.map((s, i) => makeVar(prob.init[i], s));
    stepAll(opt, vars, prob, 0, 3);
    const snapshot = (await opt.getWeights()).map((w) => ({ name: w.name, tensor: w.tensor.clone() }));
    const before = snapshot.map((w) => Array.from(w.tensor.dataSync()));
    stepAll(opt, vars, prob, 3, 6);
    expect(opt.iterations).toBe(6);
    await opt.setWeights(snapshot);
    expect(opt.iterations).toBe(3);
    const after = (await opt.getWeights()).map((w) => Array.from(w.tensor.dataSync()));
    expect(after).toEqual(before);
    expect(snapshot.map((w) => w.name)).toEqual(['iter', `0/${vars[0].name}/m`, `0/${vars[0].name}/v`, `0/${vars[0].name}/count`, `1/${vars[1].name}/m`, `1/${vars[1].name}/v`, `1/${vars[1].name}/count`]);
    snapshot.forEach((w) => w.tensor.dispose());
    vars.forEach((v) => v.dispose());
    opt.dispose();
  });

  it('setWeights rejects a list from a different model with a clear message', async () => {
    const prob = randomProblem(10, 2);
    const opt = new SGD({ lr: 0.1, momentum: 0.9 });
    const vars = prob.shapes.map((s, i) => makeVar(prob.init[i], s));
    stepAll(opt, vars, prob, 0, 1);
    const w = await opt.getWeights();
    const other = new SGD({ lr: 0.1, momentum: 0.9 });
    const wrong = [makeVar(new Array(6).fill(0), [2, 3]), makeVar([0, 0], [2])];
    await other.setWeights(w.map((x) => ({ name: x.name, tensor: x.tensor })));
    expect(() => stepAll(other, wrong, { ...prob, shapes: [[2, 3], [2]], grads: [[new Array(6).fill(0.1), [0.1, 0.1]]] }, 0, 1)).toThrow(/has shape \[4,3\] but the state slot .* has shape \[2,3\]/);
    await expect(other.setWeights([])).rejects.toThrow(/starting with 'iter'/);
    [...vars, ...wrong].forEach((v) => v.dispose());
    opt.dispose();
    other.dispose();
  });

  it.each(configs)('%s: fromConfig(getConfig()) rebuilds the same class and config, including after camelCasing + customObjects', (_n, Cls, o) => {
    const a = new Cls({ ...o, paramGroups: [{ match: 'dense_\\d+/bias|_norm\\_x', options: { lr: 0.5 } }], clipGradNorm: 1, nonFinite: 'skip' });
    const cfg = a.getConfig();
    // tfjs-layers: JSON, then every key and string value camelCased, then customObjects added.
    const mangled = JSON.parse(JSON.stringify(cfg).replace(/"([^"]*_[^"]*)"/g, (_m, s: string) => JSON.stringify(s.replace(/[_]+(\w|$)/g, (_x, c: string) => c.toUpperCase()))));
    const entry = tf.serialization.SerializationMap.getMap().classNameMap[(Cls as unknown as { className: string }).className];
    expect(entry[0]).toBe(Cls);
    const b = entry[1](entry[0], { ...mangled, customObjects: {} }) as RootfreeOptimizer<any>;
    expect(b).toBeInstanceOf(Cls);
    expect(b.getConfig()).toEqual(cfg);
    expect(b.optionsFor('dense_1/bias').lr).toBe(0.5);
    expect(b.optionsFor('layer_norm_x').lr).toBe(0.5);
    expect(b.optionsFor('dense_1/kernel').lr).toEqual(o.lr);
    expect(b.optionsFor('dense1/bias').lr).toEqual(o.lr);
    a.dispose();
    b.dispose();
  });

  it('escapeUnderscores keeps the pattern and removes every underscore', () => {
    for (const src of ['a_b', 'x\\_y', '[_a-z]+', '^dense_Dense\\d+/kernel$', '\\\\_']) {
      const esc = escapeUnderscores(src);
      expect(esc).not.toContain('_');
      for (const s of ['a_b', 'ab', 'x_y', '_', 'dense_Dense12/kernel', '\\_', 'aB']) {
        expect(new RegExp(esc).test(s)).toBe(new RegExp(src).test(s));
      }
    }
  });
});

describe.each(['cpu', 'wasm'] as const)('model.save / tf.loadLayersModel with includeOptimizer on %s', (backend) => {
  beforeAll(async () => {
    await useBackend(backend);
    allowLayersOnWasm();
  });

  const data = () => {
    const x = tf.tensor2d(Array.from({ length: 30 }, (_, i) => Math.sin(i * 1.3)), [10, 3]);
    const y = tf.tensor2d(Array.from({ length: 20 }, (_, i) => Math.cos(i * 0.7)), [10, 2]);
    return { x, y };
  };

  it.each([
    ['RFAdamW', () => new RFAdamW({ lr: 0.02, beta1: 0.9, beta2: 0.99, weightDecay: 0.1, biasCorrection: true, batchSize: 4, paramGroups: [{ match: '^dense_Dense\\d+/bias', options: { weightDecay: 0 } }] })],
    ['RFRMSprop', () => new RFRMSprop({ lr: 0.02, alpha: 0.95, momentum: 0.9, stateDtype: 'bfloat16', batchSize: 4 })],
    ['SGD', () => new SGD({ lr: { type: 'multistep', value: 0.1, milestones: [4], gamma: 0.5 }, momentum: 0.9, nesterov: true })],
    ['AdamW', () => new AdamW({ lr: 0.01, amsgrad: true })],
    ['RMSprop', () => new RMSprop({ lr: 0.01, centered: true, momentum: 0.5 })],
  ])('%s: save, load (fromConfig + setWeights), continue == uninterrupted', async (_n, make) => {
    const { x, y } = data();
    const build = () => {
      const m = tfl.sequential();
      m.add(tfl.layers.dense({ units: 4, inputShape: [3], activation: 'tanh', kernelInitializer: tfl.initializers.glorotUniform({ seed: 1 }) }));
      m.add(tfl.layers.dense({ units: 2, kernelInitializer: tfl.initializers.glorotUniform({ seed: 2 }) }));
      return m;
    };
    const model = build();
    const opt = make();
    model.compile({ optimizer: opt, loss: 'meanSquaredError' });
    await model.fit(x, y, { epochs: 2, batchSize: 4, shuffle: false, verbose: 0 });
    expect(opt.iterations).toBe(6);

    let artifacts: tf.io.ModelArtifacts | undefined;
    await model.save(
      tf.io.withSaveHandler(async (a) => {
        artifacts = a;
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      }),
      { includeOptimizer: true },
    );
    const tc = artifacts!.trainingConfig as unknown as { optimizer_config: { class_name: string } };
    expect(tc.optimizer_config.class_name).toBe((opt.constructor as unknown as { className: string }).className);
    expect(artifacts!.weightSpecs!.filter((s) => s.group === 'optimizer').map((s) => s.name)[0]).toBe('iter');
    // Through JSON, as a file would be.
    const onDisk: tf.io.ModelArtifacts = { ...artifacts!, modelTopology: JSON.parse(JSON.stringify(artifacts!.modelTopology)), trainingConfig: JSON.parse(JSON.stringify(tc)) };
    const loaded = await tfl.loadLayersModel(tf.io.fromMemory(onDisk));
    const lopt = loaded.optimizer as unknown as RootfreeOptimizer<any>;
    expect(lopt).toBeInstanceOf(opt.constructor);
    expect(lopt).not.toBe(opt);
    expect(lopt.getConfig()).toEqual(opt.getConfig());
    expect(lopt.iterations).toBe(6);
    // Param groups resolve the same way for the (renamed) loaded variables.
    const names = (m: tfl.LayersModel) => m.trainableWeights.map((w) => (w.read() as tf.Variable).name);
    expect(names(loaded)).not.toEqual(names(model));
    names(loaded).forEach((n, i) => expect(lopt.optionsFor(n)).toEqual(opt.optionsFor(names(model)[i])));

    // Saving the loaded model again before any step must carry the (still pending) state along.
    let again: tf.io.ModelArtifacts | undefined;
    await loaded.save(
      tf.io.withSaveHandler(async (a) => {
        again = a;
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      }),
      { includeOptimizer: true },
    );
    expect(again!.weightSpecs!.filter((s) => s.group === 'optimizer').map((s) => s.name)).toEqual(artifacts!.weightSpecs!.filter((s) => s.group === 'optimizer').map((s) => s.name));
    const reloaded = await tfl.loadLayersModel(tf.io.fromMemory(again!));
    const ropt = reloaded.optimizer as unknown as RootfreeOptimizer<any>;

    await model.fit(x, y, { epochs: 2, batchSize: 4, shuffle: false, verbose: 0 });
    await loaded.fit(x, y, { epochs: 2, batchSize: 4, shuffle: false, verbose: 0 });
    await reloaded.fit(x, y, { epochs: 2, batchSize: 4, shuffle: false, verbose: 0 });
    expect(lopt.iterations).toBe(12);
    expect(ropt.iterations).toBe(12);
    const wr = reloaded.getWeights();
    model.getWeights().forEach((w, i) => expect(bits(wr[i].dataSync() as Float32Array)).toEqual(bits(w.dataSync() as Float32Array)));
    reloaded.dispose();
    ropt.dispose();
    const wa = model.getWeights();
    const wb = loaded.getWeights();
    expect(wb.length).toBe(wa.length);
    wa.forEach((w, i) => expect(bits(wb[i].dataSync() as Float32Array)).toEqual(bits(w.dataSync() as Float32Array)));
    // The loaded model's variables were renamed, yet the state re-attached by position.
    const sa = await opt.getWeights();
    const sb = await lopt.getWeights();
    sb.forEach((w, i) => expect(bits(w.tensor.dataSync() as Float32Array)).toEqual(bits(sa[i].tensor.dataSync() as Float32Array)));

    model.dispose();
    loaded.dispose();
    opt.dispose();
    lopt.dispose();
    x.dispose();
    y.dispose();
  });
});
