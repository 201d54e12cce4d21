import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { structureClass, type Structured } from '../../src/structures/index.js';
import { disposeS, randMat, rng, setBackend, toTensor, updatedK } from './helpers.js';

const NAMES = ['diagonal', 'block3diagonal', 'block3diagonalRef', 'hierarchical3x2', 'trilToeplitz', 'triuToeplitz',
  'trilTopLeftDiagonal', 'trilBottomRightDiagonal', 'triuTopLeftDiagonal', 'triuBottomRightDiagonal'];

/** Every operation once; returns its results (structures and tensors). */
function allOps(name: string, K: Structured, L: Structured, X: tf.Tensor2D, M: tf.Tensor2D): (Structured | tf.Tensor)[] {
  const cls = structureClass(name);
  const c = tf.scalar(0.25);
  const out = [
    K.toDense(), K.matmul(X), K.rmatmat(X), K.mul(L), K.add(L), K.add(L, -0.5), K.scale(2), K.scale(c),
    K.fromInner(), K.fromInner(X), K.diagAdd(1), K.diagAdd(c), K.averageTrace(), K.frobeniusNorm(), K.maxNorm(),
    K.withPrecision('bfloat16'), cls.eye(K.dim), cls.zeros(K.dim), cls.fromDense(M), cls.fromMatInner(X),
  ];
  c.dispose();
  return out;
}

const countOf = (r: Structured | tf.Tensor) => (r instanceof tf.Tensor ? 1 : Object.keys(r.tensors()).length);
const disposeAll = (rs: (Structured | tf.Tensor)[]) => rs.forEach((r) => (r instanceof tf.Tensor ? r.dispose() : disposeS(r)));

describe('structures: no tensor leaks', () => {
  for (const backend of ['cpu', 'wasm'] as const) {
    describe(backend, () => {
      beforeAll(() => setBackend(backend));
      for (const name of NAMES) for (const d of [1, 4, 7]) {
        it(`${name} d=${d}`, () => {
          const next = rng(d);
          const cls = structureClass(name);
          const K = updatedK(cls, d, next);
          const L = updatedK(cls, d, next);
          const X = toTensor(randMat(d, 3, next));
          const M = toTensor(randMat(d, d, next));
          const base = tf.memory().numTensors;
          // Under tf.tidy nothing survives but what is returned.
          tf.tidy(() => { allOps(name, K, L, X, M); });
          expect(tf.memory().numTensors).toBe(base);
          // Outside tidy each operation creates exactly its results (internal temporaries freed) …
          const results = allOps(name, K, L, X, M);
          expect(tf.memory().numTensors - base).toBe(results.reduce((s, r) => s + countOf(r), 0));
          // … which never alias the inputs: disposing them leaves K, L, X, M usable.
          disposeAll(results);
          expect(tf.memory().numTensors).toBe(base);
          const again = allOps(name, K, L, X, M);
          disposeAll(again);
          expect(tf.memory().numTensors).toBe(base);
          disposeS(K, L);
          X.dispose();
          M.dispose();
        });
      }
    });
  }
});
