import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../../src/backend/setup.js';
import { compositeTail, fusedTail, type TailOptions } from '../../src/optim/fused/tail.js';
import { bitMismatches, normals, ownVar } from './helpers.js';

const cases: Array<[string, TailOptions, boolean]> = [
  ['plain', { lr: 0.1, kappa: 0, alpha1: 0 }, false],
  ['weight decay', { lr: 0.1, kappa: 0.01, alpha1: 0 }, false],
  ['momentum', { lr: 0.1, kappa: 0, alpha1: 0.9 }, true],
  ['momentum + decay bf16', { lr: 0.05, kappa: 0.01, alpha1: 0.9, precision: 'bfloat16' }, true],
  ['momentum fp16', { lr: 0.05, kappa: 1e-3, alpha1: 0.5, precision: 'float16' }, true],
  // IF-Shampoo: direction V + κ·p rounded to the last factor's dtype, float32 buffer.
  ['bf16 direction, momentum', { lr: 0.05, kappa: 0.01, alpha1: 0.9, directionPrecision: 'bfloat16' }, true],
  ['bf16 direction, no momentum', { lr: 0.05, kappa: 0.01, alpha1: 0, directionPrecision: 'bfloat16' }, false],
  ['fp16 direction, momentum', { lr: 0.05, kappa: 1e-3, alpha1: 0.5, directionPrecision: 'float16' }, true],
];

describe.each(['cpu', 'wasm'] as const)('IF-Shampoo fused tail on %s', (backend) => {
  beforeAll(async () => {
    await useBackend(backend);
  });

  it.each(cases)('%s: fused equals composite over 50 steps', (_n, o, withBuf) => {
    const rnd = normals(21);
    const shape = [12, 10];
    const p0 = rnd(120);
    const pf = ownVar(tf.tensor(p0.slice(), shape));
    const pc = ownVar(tf.tensor(p0.slice(), shape));
    const bf = withBuf ? ownVar(tf.zeros(shape)) : null;
    const bc = withBuf ? ownVar(tf.zeros(shape)) : null;
    const before = tf.memory().numTensors;
    for (let t = 0; t < 50; t++) {
      // V arrives flat (the preconditioned tensor before un-combining) to check the reshape.
      const V = tf.tensor(rnd(120, t % 5 === 0 ? 1e-3 : 1), [120]);
      expect(fusedTail(pf, V, bf, o)).toBe(true);
      tf.tidy(() => {
        const out = compositeTail(pc, V, bc, o);
        pc.assign(out.p);
        if (bc) bc.assign(out.buf!);
      });
      V.dispose();
    }
    expect(tf.memory().numTensors).toBe(before);
    expect(bitMismatches(pf.dataSync() as Float32Array, pc.dataSync() as Float32Array)).toBe(0);
    if (bf) expect(bitMismatches(bf.dataSync() as Float32Array, bc!.dataSync() as Float32Array)).toBe(0);
    [pf, pc, bf, bc].forEach((t) => t?.dispose());
  });

  it('refuses shared storage and changes nothing', () => {
    const init = tf.tensor([1, 2, 3]);
    const p = tf.variable(init);
    const V = tf.ones([3]);
    expect(fusedTail(p, V, null, { lr: 1, kappa: 0, alpha1: 0 })).toBe(false);
    expect(Array.from(p.dataSync())).toEqual([1, 2, 3]);
    [init, p, V].forEach((t) => t.dispose());
  });
});
