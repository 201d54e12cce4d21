import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Precision } from '../../src/precision/index.js';
import { structureClass, type Structured } from '../../src/structures/index.js';
import {
  T, addM, bf16, disposeS, expectClose, eye, isBf16, matmul, randMat, rng, scaleM, setBackend, toMat, toTensor, updatedK,
  zerosM, type Mat,
} from './helpers.js';
import { project } from './reference.js';

function seedOf(s: string): number {
  let h = 2166136261;
  for (const ch of s) h = Math.imul(h ^ ch.charCodeAt(0), 16777619);
  return h >>> 0;
}

const TOL: Record<Precision, { rtol: number; atol: number }> = {
  float32: { rtol: 2e-6, atol: 1e-6 },
  // A few bf16 ulps (2⁻⁸ relative) of the largest entry, after up to two roundings.
  bfloat16: { rtol: 2.5e-2, atol: 1e-3 },
  float16: { rtol: 4e-3, atol: 1e-4 },
};

/**
 * Every operation of structure `name` at dimension d against float64 dense algebra on the
 * represented matrices, with non-symmetric K, L (two updates K ← K(I − η Π(S))) and random X.
 */
export function checkStructure(name: string, d: number, p: Precision): void {
  const cls = structureClass(name);
  const next = rng(seedOf(`${name}/${d}/${p}`));
  const m = Math.max(2, Math.min(2 * d, 12));
  const { rtol, atol } = TOL[p];
  const half = p !== 'float32';
  const made: Structured[] = [];
  const keep = <S extends Structured>(s: S): S => {
    made.push(s);
    if (s.precision !== 'float32') for (const [k, t] of Object.entries(s.tensors())) if (!isBf16(t)) throw new Error(`${s.kind}: stored '${k}' not rounded to ${p}`);
    return s;
  };
  const dense = (t: tf.Tensor2D, what: string): Mat => {
    if (half && !isBf16(t)) throw new Error(`${what}: result not rounded to ${p}`);
    const a = toMat(t);
    t.dispose();
    return a;
  };
  const num = (t: tf.Scalar): number => {
    const v = t.dataSync()[0];
    t.dispose();
    return v;
  };
  const sd = (s: Structured): Mat => {
    const t = s.toDense();
    const a = toMat(t);
    t.dispose();
    return a;
  };
  const before = tf.memory().numTensors;
  try {
    let K = keep(updatedK(cls, d, next));
    let L = keep(updatedK(cls, d, next));
    if (half) {
      K = keep(K.withPrecision(p));
      L = keep(L.withPrecision(p));
    }
    expect(K.kind).toBe(cls.kind);
    expect(K.dim).toBe(d);
    expect(K.precision).toBe(p);
    const Kd = sd(K);
    const Ld = sd(L);
    if (d >= 3 && name !== 'diagonal') {
      // The inputs must exercise the transpose: K is not symmetric (except diagonal or tiny blocks).
      const asym = Kd.some((r, i) => r.some((v, j) => Math.abs(v - Kd[j][i]) > 1e-3));
      if (!/^block\d+diagonal/.test(name) || d > 1) expect(asym || /^block([12])diagonal/.test(name)).toBe(true);
    }
    const Xd = half ? bf16(randMat(d, m, next)) : randMat(d, m, next);
    const X = toTensor(Xd);
    try {
      expectClose(sd(keep(K.mul(L))), matmul(Kd, Ld), rtol, atol, `${name} toDense(K·L)`);
      expectClose(dense(K.matmul(X), 'matmul'), matmul(Kd, Xd), rtol, atol, `${name} K·X`);
      expectClose(dense(K.rmatmat(X), 'rmatmat'), matmul(T(Kd), Xd), rtol, atol, `${name} Kᵀ·X`);
      const S = matmul(T(Kd), Xd);
      expectClose(sd(keep(K.fromInner(X))), project(name, matmul(S, T(S))), rtol, atol, `${name} fromInner(X)`);
      expectClose(sd(keep(K.fromInner())), project(name, matmul(T(Kd), Kd)), rtol, atol, `${name} fromInner()`);
      expectClose(sd(keep(cls.fromMatInner(X, p))), project(name, matmul(Xd, T(Xd))), rtol, atol, `${name} fromMatInner`);
      const tr = Kd.reduce((s, r, i) => s + r[i], 0) / d;
      expectClose(num(K.averageTrace()), tr, rtol, atol, `${name} averageTrace`);
      expectClose(num(K.frobeniusNorm()), Math.sqrt(Kd.flat().reduce((s, v) => s + v * v, 0)), rtol, atol, `${name} frobeniusNorm`);
      expect(num(K.maxNorm())).toBe(Math.max(...Kd.flat().map(Math.abs)));
      expectClose(sd(keep(K.diagAdd(-1.23))), addM(Kd, eye(d), -1.23), rtol, atol, `${name} diagAdd(number)`);
      const c = tf.scalar(0.5);
      expectClose(sd(keep(K.diagAdd(c))), addM(Kd, eye(d), 0.5), rtol, atol, `${name} diagAdd(scalar)`);
      expectClose(sd(keep(K.scale(c))), scaleM(Kd, 0.5), rtol, atol, `${name} scale(scalar)`);
      c.dispose();
      expectClose(sd(keep(K.add(L))), addM(Kd, Ld), rtol, atol, `${name} K + L`);
      expectClose(sd(keep(K.add(L, -0.5))), addM(Kd, Ld, -0.5), rtol, atol, `${name} K − 0.5·L`);
      expectClose(sd(keep(K.scale(-1.23))), scaleM(Kd, -1.23), rtol, atol, `${name} scale(number)`);
      const Md = half ? bf16(randMat(d, d, next)) : randMat(d, d, next);
      const M = toTensor(Md);
      expectClose(sd(keep(cls.fromDense(M, p))), project(name, Md), rtol, atol, `${name} fromDense (non-symmetric M)`);
      M.dispose();
      expect(sd(keep(cls.eye(d, p)))).toEqual(eye(d));
      expect(sd(keep(cls.zeros(d, p)))).toEqual(zerosM(d, d));
      const restored = cls.fromTensors(d, K.tensors(), p);
      expect(sd(restored)).toEqual(Kd);
      expect(restored.kind).toBe(K.kind);
      const stored = Object.values(K.tensors()).reduce((s, t) => s + t.size, 0);
      expect(cls.storageBytes(d)).toBe(4 * stored);
    } finally {
      X.dispose();
    }
  } finally {
    disposeS(...made);
  }
  expect(tf.memory().numTensors).toBe(before);
}

/** Registers the float32 (cpu and wasm) and emulated-bf16 (cpu) checks for `names` × dims. */
export function structureSuite(names: readonly string[], dims: readonly number[]): void {
  for (const backend of ['cpu', 'wasm'] as const) {
    describe(`${backend} float32`, () => {
      beforeAll(() => setBackend(backend));
      for (const name of names) for (const d of dims) it(`${name} d=${d}`, () => checkStructure(name, d, 'float32'));
    });
  }
  describe('cpu bfloat16', () => {
    beforeAll(() => setBackend('cpu'));
    for (const name of names) for (const d of dims) it(`${name} d=${d}`, () => checkStructure(name, d, 'bfloat16'));
  });
}
