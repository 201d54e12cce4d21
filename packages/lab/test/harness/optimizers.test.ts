import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { SEARCH_SPACE, hparamsFor } from '../../src/harness/hparams.js';
import { OPTIMIZERS, buildOptimizer, type Hp } from '../../src/harness/optimizers.js';
import { harnessBackend } from './helpers.js';

/** A few steps on a fixed least-squares problem with a 6×4 matrix weight; returns the weights. */
function train(name: string, hp: Hp): Float32Array {
  const opt = buildOptimizer(name, hp, { lr: hp.lr, batchSize: 8, precision: 'float32' });
  const w = tf.variable(tf.reshape(tf.linspace(-1, 1, 24), [6, 4]), true, 'w');
  const x = tf.reshape(tf.sin(tf.linspace(0, 20, 48)), [8, 6]);
  const y = tf.reshape(tf.cos(tf.linspace(0, 9, 32)), [8, 4]);
  for (let s = 0; s < 6; s++) {
    const { grads, value } = tf.variableGrads(() => tf.mean(tf.square(tf.sub(tf.matMul(x, w), y))), [w]);
    opt.applyGradients(grads, { batchSize: 8 });
    tf.dispose([value, ...Object.values(grads)]);
  }
  const out = Float32Array.from(w.dataSync());
  tf.dispose([w, x, y]);
  opt.dispose();
  return out;
}

describe('harness optimizer table', () => {
  beforeAll(() => harnessBackend('wasm'));

  it('every optimizer has defaults and a search space over exactly the hyper-parameters it uses', () => {
    for (const [name, e] of Object.entries(OPTIMIZERS)) {
      const hp = hparamsFor('fmnist-cnn', name).hp;
      for (const k of e.uses) expect(hp[k], `${name}.${k}`).toBeTypeOf('number');
      expect(Object.keys(SEARCH_SPACE[name] ?? {}).sort(), name).toEqual([...e.uses].sort());
    }
  });

  it('shampoo-newton is Shampoo with the Newton root: same hyper-parameters, nearly the same weights as the eigen root in fp32', () => {
    const hp = { ...hparamsFor('fmnist-cnn', 'shampoo').hp, lr: 0.05 };
    expect(hparamsFor('fmnist-cnn', 'shampoo-newton').hp).toEqual(hparamsFor('fmnist-cnn', 'shampoo').hp);
    const opt = buildOptimizer('shampoo-newton', hp, { lr: 0.05, batchSize: 8, precision: 'float32' });
    expect(opt.getConfig().rootMethod).toBe('newton');
    opt.dispose();
    const start = tf.tidy(() => Float32Array.from(tf.linspace(-1, 1, 24).dataSync()));
    const eigen = train('shampoo', hp);
    const newton = train('shampoo-newton', hp);
    const moved = Math.max(...eigen.map((v, i) => Math.abs(v - start[i])));
    const apart = Math.max(...eigen.map((v, i) => Math.abs(v - newton[i])));
    expect(moved).toBeGreaterThan(0.05); // the optimizer did something
    expect(apart).toBeLessThan(1e-3 * moved); // Newton ≈ eigen root in float32
    expect(apart).toBeGreaterThan(0); // ... but it is a different algorithm, not an alias
  });
});
