import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../../src/backend/setup.js';
import { matrixInverseRoot } from '../../src/linalg/inverseRoot.js';
import { newtonInverseRootTf } from '../../src/linalg/newton.js';
import { newtonInverseRootDevice } from '../../src/linalg/newtonDevice.js';
import { deviceInverseRoot } from '../../src/optim/shampoo/deviceRoot.js';
import { resolveShampooOptions } from '../../src/optim/shampoo/options.js';
import { rng } from '../core/helpers.js';
import { mm } from './helpers.js';

/** G·Gᵀ of an n×cols standard normal G, in float64 (rank min(n, cols)). */
function gram(n: number, cols: number, seed: number): Float64Array {
  const r = rng(seed);
  const g = Array.from({ length: n * cols }, () => r.normal());
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let k = 0; k < cols; k++) s += g[i * cols + k] * g[j * cols + k];
      a[i * n + j] = s;
    }
  }
  return a;
}

const relMax = (x: ArrayLike<number>, want: ArrayLike<number>): number => {
  let e = 0;
  let m = 0;
  for (let i = 0; i < want.length; i++) {
    e = Math.max(e, Math.abs(x[i] - want[i]));
    m = Math.max(m, Math.abs(want[i]));
  }
  return Number.isNaN(e) ? Infinity : e / m;
};

function countReads<T>(fn: () => T): { value: T; reads: number } {
  const be = tf.backend() as unknown as { readSync: (...a: unknown[]) => unknown };
  const orig = be.readSync;
  let reads = 0;
  be.readSync = function (this: unknown, ...a: unknown[]) {
    reads++;
    return orig.apply(this, a);
  };
  try {
    return { value: fn(), reads };
  } finally {
    be.readSync = orig;
  }
}

describe('device-side Newton inverse root (webgl/webgpu path, run here on cpu)', () => {
  beforeAll(async () => {
    await useBackend('cpu');
  });

  it.each([
    ['float32', 16, 64, 4, 100],
    ['float32', 8, 8, 2, 100],
    ['float32', 16, 16, 4, 3], // stops at the cap, not converged
    ['bfloat16', 8, 40, 4, 50],
    ['float16', 6, 30, 2, 50],
  ] as const)('%s: n %i, %i columns, root %i, cap %i: bit-identical to the host-checked loop', (prec, n, cols, p, cap) => {
    const before = tf.memory().numTensors;
    const a = tf.tensor2d(Float32Array.from(gram(n, cols, n + cols + p)), [n, n]);
    const host = newtonInverseRootTf(a, p, 1e-3, prec, { maxIterations: cap, tolerance: 1e-6 });
    const dev = newtonInverseRootDevice(a, p, 1e-3, prec, { maxIterations: cap, tolerance: 1e-6 });
    expect(cap > 3 ? host.iterations : cap).toBeLessThanOrEqual(cap);
    expect(Array.from(dev.dataSync())).toEqual(Array.from(host.x.dataSync()));
    host.x.dispose();
    dev.dispose();
    a.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('a factor whose iteration turns non-finite gives a non-finite root (left to the device check)', () => {
    const a = tf.tensor2d([1, 0, 0, NaN], [2, 2]);
    const x = newtonInverseRootDevice(a, 4, 1e-12, 'float32', { maxIterations: 20 });
    expect(Array.from(x.dataSync()).some((v) => !Number.isFinite(v))).toBe(true);
    x.dispose();
    a.dispose();
  });

  // Stated tolerance: full-rank factors (κ ≤ ~1e3) agree with the float64 eigen root to 1e-5 of max|X|.
  it.each([
    [16, 64, 2],
    [16, 64, 4],
    [8, 100, 2],
    [8, 100, 4],
    [12, 200, 8],
  ])("Shampoo 'eigen' on GPU: n %i, %i columns, root %i: within 1e-5 of the float64 eigen root, no read-back", (n, cols, p) => {
    const a32 = Float32Array.from(gram(n, cols, 7 * n + cols + p));
    const want = matrixInverseRoot(Float64Array.from(a32), n, { root: p, epsilon: 1e-12 });
    const a = tf.tensor2d(a32, [n, n]);
    const { value: x, reads } = countReads(() => deviceInverseRoot(a, 1, p, resolveShampooOptions({}), 'test'));
    expect(relMax(x.dataSync(), want)).toBeLessThan(1e-5);
    // tfjs-cpu's own kernels read a scalar condition per `where`; webgl/webgpu do not (asserted in the browser test).
    expect(reads).toBeLessThanOrEqual(2 * 100 + 4);
    x.dispose();
    a.dispose();
  });

  it('bias correction and bf16 rounding as the eigen path: X rounded to bf16 of root((L/c2))', () => {
    const n = 8;
    const a32 = Float32Array.from(gram(n, 50, 3));
    const c2 = 0.19;
    const want = matrixInverseRoot(Float64Array.from(a32, (v) => v / c2), n, { root: 4, epsilon: 1e-12 });
    const a = tf.tensor2d(a32, [n, n]);
    const x = deviceInverseRoot(a, c2, 4, resolveShampooOptions({ preconditionerPrecision: 'bfloat16' }), 'test');
    const got = x.dataSync();
    expect(relMax(got, want)).toBeLessThan(2 ** -8);
    got.forEach((v) => expect(new Uint32Array(Float32Array.of(v).buffer)[0] & 0xffff).toBe(0));
    x.dispose();
    a.dispose();
  });

  it('rank-deficient factor (16×16 of rank 3): finite, and on the range of A within 1e-3 of the eigen root', () => {
    const n = 16;
    const a64 = Float64Array.from(Float32Array.from(gram(n, 3, 11)));
    const want = matrixInverseRoot(a64, n, { root: 4, epsilon: 1e-12 });
    const a = tf.tensor2d(Float32Array.from(a64), [n, n]);
    const x = deviceInverseRoot(a, 1, 4, resolveShampooOptions({}), 'test');
    const got = Float64Array.from(x.dataSync());
    expect(got.every(Number.isFinite)).toBe(true);
    // The null space is float32 noise (the eigen root puts ε^(−1/p) = 1e3 there); on A's range both agree.
    expect(relMax(mm(got, a64, n), mm(want, a64, n))).toBeLessThan(1e-3);
    x.dispose();
    a.dispose();
  });

  it.each([0.75, 0.5, 2])('exponentMultiplier η = %s: (A^(−1/(p·m)))^k with η = k/m, within 1e-5 of the eigen root A^(−η/p)', (eta) => {
    const n = 6;
    const a32 = Float32Array.from(gram(n, 40, 9));
    const want = matrixInverseRoot(Float64Array.from(a32), n, { root: 4, epsilon: 1e-12, exponentMultiplier: eta });
    const a = tf.tensor2d(a32, [n, n]);
    const x = deviceInverseRoot(a, 1, 4, resolveShampooOptions({ exponentMultiplier: eta }), 'test');
    expect(relMax(x.dataSync(), want)).toBeLessThan(1e-5);
    [x, a].forEach((t) => t.dispose());
  });

  it("rejects an exponentMultiplier that is no small fraction naming gpuRoot: 'host'", () => {
    const a = tf.tensor2d(Float32Array.from(gram(4, 20, 1)), [4, 4]);
    expect(() => deviceInverseRoot(a, 1, 4, resolveShampooOptions({ exponentMultiplier: Math.PI / 4 }), "Shampoo 'w'")).toThrow(/Shampoo 'w'.*exponentMultiplier 0.785.*gpuRoot: 'host'/);
    a.dispose();
  });
});

describe('device root options', () => {
  beforeAll(async () => {
    await useBackend('cpu');
  });

  it("rootMethod 'newton' with relativeEpsilon: the host iteration with ε·‖A‖_F, and onInverseRoot reports a device root", () => {
    const n = 8;
    const a32 = Float32Array.from(gram(n, 6, 5));
    const a = tf.tensor2d(a32, [n, n]);
    const norm = Math.sqrt(Array.from(a32).reduce((s, v) => s + v * v, 0));
    const seen: unknown[] = [];
    const o = resolveShampooOptions({ rootMethod: 'newton', relativeEpsilon: true, epsilon: 1e-3, onInverseRoot: (i: unknown) => seen.push(i) });
    const host = newtonInverseRootTf(a, 4, 1e-3 * norm, 'float32', { maxIterations: 100, tolerance: 1e-6 });
    const x = deviceInverseRoot(a, 1, 4, o, "Shampoo 'w' factor 0");
    expect(relMax(x.dataSync(), host.x.dataSync())).toBeLessThan(1e-5);
    expect(seen).toEqual([{ where: "Shampoo 'w' factor 0", method: 'newton', precision: 'float32', dim: n, epsilon: 1e-3, device: true }]);
    [x, host.x, a].forEach((t) => t.dispose());
  });
});
