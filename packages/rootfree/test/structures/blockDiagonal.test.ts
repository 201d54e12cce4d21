import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { structureClass } from '../../src/structures/index.js';
import { T, expectClose, matmul, randMat, rng, setBackend, toMat, toTensor, updatedK } from './helpers.js';
import { project } from './reference.js';
import { structureSuite } from './suite.js';

// d < b, d = b, d a multiple of b, d with a remainder (b = 3); b = 30 as used by the optimizers.
structureSuite(['block3diagonal'], [1, 2, 3, 6, 10]);
structureSuite(['block30diagonal'], [7, 30, 40]);

describe('block-diagonal reference-transpose compatibility (SPEC §3.2 caveat)', () => {
  beforeAll(() => setBackend('cpu'));
  for (const [name, opts] of [['block3diagonalRef', {}], ['block3diagonal', { referenceCompat: true }], ['block30diagonal', { referenceCompat: true }]] as const) {
    it(`${name} ${JSON.stringify(opts)} reproduces the reference: rmatmat = K·X, fromInner() = Π(K Kᵀ)`, () => {
      const cls = structureClass(name, opts);
      expect(cls.kind).toMatch(/^block\d+diagonalRef$/);
      const d = 40;
      const next = rng(7);
      const K = updatedK(cls, d, next);
      const Kd = toMat(K.toDense());
      const Xd = randMat(d, 5, next);
      const X = toTensor(Xd);
      expect(Kd.some((r, i) => r.some((v, j) => Math.abs(v - Kd[j][i]) > 1e-3))).toBe(true);
      expectClose(toMat(K.rmatmat(X)), matmul(Kd, Xd), 2e-6, 1e-6, 'rmatmat');
      expectClose(toMat(K.fromInner().toDense()), project(cls.kind, matmul(Kd, T(Kd))), 2e-6, 1e-6, 'fromInner()');
      const S = matmul(Kd, Xd);
      expectClose(toMat(K.fromInner(X).toDense()), project(cls.kind, matmul(S, T(S))), 2e-6, 1e-6, 'fromInner(X)');
      // The default class computes the true transpose, which differs for non-symmetric blocks.
      const exact = structureClass(cls.kind.replace(/Ref$/, '')).fromTensors(d, K.tensors());
      expect(exact.kind).not.toMatch(/Ref$/);
      const diff = tf.max(tf.abs(tf.sub(exact.rmatmat(X), K.rmatmat(X)))).dataSync()[0];
      expect(diff).toBeGreaterThan(1e-3);
    });
  }
});
