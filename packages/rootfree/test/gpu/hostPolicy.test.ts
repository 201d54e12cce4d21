import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../../src/backend/setup.js';
import { gpuFusedActive } from '../../src/backend/gpu/register.js';
import { deviceChecked } from '../../src/tfjs/devicePolicy.js';
import { NonFiniteError, RFAdamW } from '../../src/index.js';

/**
 * The non-finite policy's host side on cpu and wasm (the device side runs in the browser tests,
 * test/browser): `lastStepFinite()` reports skipped steps, 'throw' keeps its synchronous meaning,
 * and nothing GPU-only is active here.
 */
describe.each(['cpu', 'wasm'] as const)('lastStepFinite and the GPU path on %s', (backend) => {
  beforeAll(async () => {
    await useBackend(backend);
  });

  it('has no device check or GPU programs', () => {
    expect(deviceChecked()).toBe(false);
    expect(gpuFusedActive()).toBe(false);
  });

  it("reports a skipped step ('skip') and a good one", async () => {
    const p = tf.variable(tf.tensor1d([1, 2, 3]), true, `hp_${backend}_a`);
    const opt = new RFAdamW({ lr: 0.1, nonFinite: 'skip' });
    const bad = tf.tensor1d([1, NaN, 3]);
    opt.applyGradients([{ name: p.name, tensor: bad }]);
    expect(await opt.lastStepFinite()).toBe(false);
    expect(Array.from(p.dataSync())).toEqual([1, 2, 3]);
    expect(opt.iterations).toBe(0);
    const good = tf.tensor1d([1, 1, 1]);
    opt.applyGradients([{ name: p.name, tensor: good }]);
    expect(await opt.lastStepFinite()).toBe(true);
    expect(opt.iterations).toBe(1);
    [p, bad, good].forEach((t) => t.dispose());
    opt.dispose();
  });

  it("'throw' throws synchronously in the step itself, naming the gradient", () => {
    const p = tf.variable(tf.tensor1d([1, 2]), true, `hp_${backend}_b`);
    const opt = new RFAdamW({ lr: 0.1 });
    const bad = tf.tensor1d([Infinity, 0]);
    expect(() => opt.applyGradients([{ name: p.name, tensor: bad }])).toThrow(NonFiniteError);
    expect(() => opt.applyGradients([{ name: p.name, tensor: bad }])).toThrow(new RegExp(`'${p.name}'`));
    expect(Array.from(p.dataSync())).toEqual([1, 2]);
    [p, bad].forEach((t) => t.dispose());
    opt.dispose();
  });
});
