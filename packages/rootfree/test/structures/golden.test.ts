import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { structureClass } from '../../src/structures/index.js';
import { setBackend, toMat, toTensor, type Mat } from './helpers.js';

// SPEC §9 G6: projections of a symmetric 6×6 matrix (all with average trace 6.5).
const M: Mat = [[4, 1, 2, 0, 1, 3], [1, 5, 3, 1, 0, 2], [2, 3, 6, 2, 1, 0], [0, 1, 2, 7, 3, 1], [1, 0, 1, 3, 8, 2], [3, 2, 0, 1, 2, 9]];
const X: Mat = [[1, 0, 2], [0, 1, 1], [1, 1, 0], [2, 0, 1], [0, 2, 0], [1, 0, 1]];
const D = [4, 5, 6, 7, 8, 9];
const diagPlus = (f: (m: Mat) => void): Mat => {
  const m = D.map((v, i) => D.map((_, j) => (i === j ? v : 0)));
  f(m);
  return m;
};
const toeplitz = (c: number[], lower: boolean): Mat => D.map((_, i) => D.map((_, j) => {
  const k = lower ? i - j : j - i;
  return k >= 0 ? c[k] : 0;
}));
const G6_C = [6.5, 4.4, 2.5, 0, 3, 6];

const cases: [string, Mat, number?][] = [
  ['diagonal', diagPlus(() => undefined), 16.462078],
  ['block3diagonal', [[4, 1, 2, 0, 0, 0], [1, 5, 3, 0, 0, 0], [2, 3, 6, 0, 0, 0], [0, 0, 0, 7, 3, 1], [0, 0, 0, 3, 8, 2], [0, 0, 0, 1, 2, 9]], 18.083141],
  ['hierarchical3x2', [[4, 1, 2, 0, 2, 6], [1, 5, 3, 2, 0, 4], [2, 3, 6, 4, 2, 0], [0, 0, 0, 7, 0, 0], [0, 0, 0, 6, 8, 2], [0, 0, 0, 2, 2, 9]], 20.663979],
  ['trilToeplitz', toeplitz(G6_C, true), 20.719557],
  ['triuToeplitz', toeplitz(G6_C, false), 20.719557],
  ['trilTopLeftDiagonal', diagPlus((m) => [6, 4, 0, 2, 4].forEach((v, j) => { m[5][j] = v; }))],
  ['trilBottomRightDiagonal', diagPlus((m) => [2, 4, 0, 2, 6].forEach((v, i) => { m[i + 1][0] = v; }))],
  ['triuTopLeftDiagonal', diagPlus((m) => [6, 4, 0, 2, 4].forEach((v, i) => { m[i][5] = v; }))],
  ['triuBottomRightDiagonal', diagPlus((m) => [2, 4, 0, 2, 6].forEach((v, j) => { m[0][j + 1] = v; }))],
];

/** Float32 rendition of exact values (the projection divides by d − k in float32). */
const f32 = (m: Mat): Mat => m.map((r) => r.map(Math.fround));

describe('SPEC §9 G6 golden projections', () => {
  beforeAll(() => setBackend('cpu'));
  for (const [name, expected, frob] of cases) {
    it(`${name}: fromDense(M)`, () => tf.tidy(() => {
      const s = structureClass(name).fromDense(toTensor(M));
      expect(toMat(s.toDense())).toEqual(f32(expected));
      expect(s.averageTrace().dataSync()[0]).toBeCloseTo(6.5, 6);
      if (frob !== undefined) expect(s.frobeniusNorm().dataSync()[0]).toBeCloseTo(frob, 5);
      if (name.endsWith('Toeplitz')) expect(s.maxNorm().dataSync()[0]).toBe(6.5);
    }));
  }
  it('trilToeplitz: fromMatInner(X) c = (10/3, 2, 3.5, 14/3, 1, 6)', () => tf.tidy(() => {
    const s = structureClass('trilToeplitz').fromMatInner(toTensor(X));
    const c = Array.from(s.tensors().coeffs.dataSync());
    [10 / 3, 2, 3.5, 14 / 3, 1, 6].forEach((v, k) => expect(c[k]).toBeCloseTo(v, 6));
  }));
  it('hierarchical3x2: fromMatInner(X)', () => tf.tidy(() => {
    const s = structureClass('hierarchical3x2').fromMatInner(toTensor(X));
    expect(toMat(s.toDense())).toEqual([[5, 2, 1, 8, 0, 6], [2, 2, 1, 2, 4, 2], [1, 1, 2, 4, 4, 2], [0, 0, 0, 5, 0, 0], [0, 0, 0, 0, 4, 0], [0, 0, 0, 6, 0, 2]]);
  }));
});
