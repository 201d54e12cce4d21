import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../../src/backend/setup.js';
import { mergeSmallDims, modeGrams, modeProduct, multiModeProduct } from '../../src/linalg/modeProduct.js';
import { rng } from '../core/helpers.js';

describe('mergeSmallDims (SPEC §8.4 shampoo_utils_test)', () => {
  it.each([
    [[1, 2, 5, 1], 10, [10]],
    [[1, 2, 5, 1], 1, [2, 5]],
    [[2], 10, [2]],
    [[6, 4], 1024, [24]],
    [[6, 4], 23, [6, 4]],
    [[3, 3, 3, 3], 10, [9, 9]],
    [[128, 1, 64], 1024, [128, 64]],
    [[], 10, []],
  ])('%j with threshold %i → %j', (shape, threshold, want) => {
    expect(mergeSmallDims(shape as number[], threshold as number)).toEqual(want);
  });
});

/** Element of a row-major tensor at a multi-index. */
const at = (data: ArrayLike<number>, shape: number[], idx: number[]) => data[idx.reduce((off, i, k) => off * shape[k] + i, 0)];
function* indices(shape: number[]): Generator<number[]> {
  const n = shape.reduce((a, b) => a * b, 1);
  for (let flat = 0; flat < n; flat++) {
    const idx: number[] = [];
    let r = flat;
    for (let k = shape.length - 1; k >= 0; k--) {
      idx.unshift(r % shape[k]);
      r = Math.floor(r / shape[k]);
    }
    yield idx;
  }
}

describe.each(['cpu', 'wasm'] as const)('mode products on %s', (backend) => {
  beforeAll(async () => {
    await useBackend(backend);
  });
  const shape = [4, 3, 2, 5];
  const r = rng(17);
  const data = Float32Array.from(r.normals(120));
  const mats = shape.map((d) => Float32Array.from(r.normals(d * d)));

  it('modeGrams = unf_k(G)·unf_k(G)ᵀ for every axis of a 4-D tensor', () => {
    const g = tf.tensor(data, shape);
    const grams = modeGrams(g, shape);
    shape.forEach((d, k) => {
      const got = grams[k].dataSync();
      for (let i = 0; i < d; i++) {
        for (let j = 0; j < d; j++) {
          let s = 0;
          for (const idx of indices(shape)) {
            if (idx[k] !== i) continue;
            const jdx = idx.slice();
            jdx[k] = j;
            s += at(data, shape, idx) * at(data, shape, jdx);
          }
          expect(Math.abs(got[i * d + j] - s)).toBeLessThan(1e-5);
        }
      }
    });
    tf.dispose([g, ...grams]);
  });

  it('modeProduct(T, M, a)[…i…] = Σ_k M[i,k]·T[…k…], and multiModeProduct applies Mᵀ on every axis', () => {
    const before = tf.memory().numTensors;
    tf.tidy(() => {
      const t = tf.tensor(data, shape);
      const ms = mats.map((m, k) => tf.tensor2d(m, [shape[k], shape[k]]));
      const axis = 2;
      const got = modeProduct(t, ms[axis], axis).dataSync();
      for (const idx of indices(shape)) {
        let s = 0;
        for (let k = 0; k < shape[axis]; k++) {
          const kdx = idx.slice();
          kdx[axis] = k;
          s += mats[axis][idx[axis] * shape[axis] + k] * at(data, shape, kdx);
        }
        expect(Math.abs(at(got, shape, idx) - s)).toBeLessThan(1e-5);
      }
      // multiModeProduct(G, [Mk]) = G ×_1 M1ᵀ ×_2 … ×_N MNᵀ (the reference's tensordot order).
      let ref: tf.Tensor = t;
      ms.forEach((m, k) => (ref = modeProduct(ref, tf.transpose(m), k)));
      const multi = multiModeProduct(t, shape, ms);
      expect(multi.shape).toEqual(shape);
      const a = multi.dataSync();
      const b = ref.dataSync();
      a.forEach((x, i) => expect(Math.abs(x - b[i])).toBeLessThan(1e-4));
    });
    expect(tf.memory().numTensors).toBe(before);
  });
});
