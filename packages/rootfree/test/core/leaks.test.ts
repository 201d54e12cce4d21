import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { AdamW, RFAdamW, RFRMSprop, RMSprop, RootfreeOptimizer, SGD } from '../../src/index.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../../src/backend/setup.js';
import { allowLayersOnWasm, makeVar, rng } from './helpers.js';

const STEPS = 1000;

const makers: Array<[string, () => RootfreeOptimizer<any>]> = [
  ['SGD nesterov + clip + schedule', () => new SGD({ lr: { type: 'cosine', value: 0.01, totalSteps: STEPS, warmupSteps: 10 }, momentum: 0.9, nesterov: true, weightDecay: 1e-4, clipGradNorm: 1 })],
  ['AdamW amsgrad + paramGroups', () => new AdamW({ lr: 1e-3, amsgrad: true, paramGroups: [{ match: '^b', options: { weightDecay: 0 } }] })],
  ['RMSprop centered + momentum', () => new RMSprop({ lr: 1e-3, centered: true, momentum: 0.9, weightDecay: 1e-4 })],
  ['RFRMSprop bf16 + momentum', () => new RFRMSprop({ lr: 1e-3, momentum: 0.9, weightDecay: 1e-4, stateDtype: 'bfloat16', batchSize: 8, nonFinite: 'skip' })],
  ['RFAdamW biasCorrection + fp16', () => new RFAdamW({ lr: 1e-3, biasCorrection: true, stateDtype: 'float16', weightDecay: 1e-2, batchSize: 8 })],
  ['RFAdamW float32', () => new RFAdamW({ lr: 1e-3, batchSize: 8 })],
];

describe.each(['cpu', 'wasm'] as const)('no tensor leaks on %s', (backend) => {
  beforeAll(async () => {
    await useBackend(backend);
  });

  it.each(makers)('%s: numTensors unchanged over 1,000 steps with getWeights calls', async (_n, make) => {
    const start = tf.memory().numTensors;
    const r = rng(3);
    const a = makeVar(r.normals(12), [4, 3], 'a');
    const b = makeVar(r.normals(4), [4], 'b');
    const ga = tf.tensor(r.normals(12, 0.1), [4, 3]);
    const gb = tf.tensor(r.normals(4, 0.1), [4]);
    const opt = make();
    const step = () => opt.applyGradients([{ name: a.name, tensor: ga }, { name: b.name, tensor: gb }], { batchSize: 8 });
    step();
    await opt.getWeights();
    const afterFirst = tf.memory().numTensors;
    for (let t = 1; t < STEPS; t++) {
      step();
      if (t % 100 === 0) {
        const w = await opt.getWeights();
        expect(w.length).toBeGreaterThan(1);
        expect(tf.memory().numTensors).toBe(afterFirst);
      }
    }
    expect(opt.iterations).toBe(STEPS);
    expect(tf.memory().numTensors).toBe(afterFirst);
    // setWeights (clones, binds, disposes the pending copies) does not accumulate either.
    for (let k = 0; k < 3; k++) await opt.setWeights(await opt.getWeights());
    expect(tf.memory().numTensors).toBe(afterFirst);
    // Parameters stayed finite (the loop did real work).
    expect(Array.from(a.dataSync()).every(Number.isFinite)).toBe(true);
    [a, b, ga, gb].forEach((t) => t.dispose());
    opt.dispose();
    expect(tf.memory().numTensors).toBe(start);
  });

  it('skipped and rejected steps do not leak', () => {
    const opt = new RFRMSprop({ lr: 1e-3, nonFinite: 'skip', momentum: 0.5 });
    const p = makeVar([1, 2], [2]);
    const good = tf.tensor([0.1, 0.1], [2]);
    const bad = tf.tensor([NaN, 0.1], [2]);
    opt.applyGradients([{ name: p.name, tensor: good }]);
    const n = tf.memory().numTensors;
    for (let t = 0; t < 50; t++) opt.applyGradients([{ name: p.name, tensor: bad }]);
    expect(tf.memory().numTensors).toBe(n);
    const strict = new SGD({ lr: 0.1, momentum: 0.9 });
    strict.applyGradients([{ name: p.name, tensor: good }]);
    const m = tf.memory().numTensors;
    for (let t = 0; t < 50; t++) expect(() => strict.applyGradients([{ name: p.name, tensor: bad }])).toThrow(/NaN/);
    expect(tf.memory().numTensors).toBe(m);
    [p, good, bad].forEach((t) => t.dispose());
    opt.dispose();
    strict.dispose();
  });

  it('model.save with includeOptimizer does not leak per save (tfjs#8238 avoided)', async () => {
    allowLayersOnWasm();
    const model = tfl.sequential({ layers: [tfl.layers.dense({ units: 2, inputShape: [3] })] });
    const opt = new RFAdamW({ lr: 1e-3 });
    model.compile({ optimizer: opt, loss: 'meanSquaredError' });
    const x = tf.ones([4, 3]);
    const y = tf.zeros([4, 2]);
    await model.fit(x, y, { epochs: 1, batchSize: 4, verbose: 0 });
    const save = () => model.save(tf.io.withSaveHandler(async () => ({ modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } })), { includeOptimizer: true });
    await save();
    const n = tf.memory().numTensors;
    for (let k = 0; k < 5; k++) await save();
    expect(tf.memory().numTensors).toBe(n);
    model.dispose();
    opt.dispose();
    x.dispose();
    y.dispose();
  });
});
