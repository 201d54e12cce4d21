import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../../src/backend/setup.js';
import { resolveLayer } from '../../src/optim/singd/layers.js';
import { gradMatrix, processInput } from '../../src/optim/singd/statistics.js';
import { SINGD } from '../../src/index.js';
import { Dense, DenseMatrix } from '../../src/structures/index.js';
import { curvature } from '../../src/optim/singd/update.js';
import { rng } from '../core/helpers.js';

const maxDiff = (a: tf.Tensor, b: tf.Tensor) => tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);

describe.each(['cpu', 'wasm'] as const)('SINGD layer statistics on %s', (backend) => {
  beforeAll(async () => {
    await useBackend(backend);
  });

  /**
   * The patch matrix is the im2col of the convolution: √rows·a (without the bias column) times
   * the filter as singd's [out, (c, i, j)] matrix must equal tf.conv2d's output, for TensorFlow's
   * asymmetric 'same' padding, explicit padding, strides and dilations alike.
   */
  it.each([
    ['same, stride 2', { strides: 2, padding: 'same' as const }, [3, 3]],
    ['same, stride 1, dilation 2', { padding: 'same' as const, dilation: 2 }, [3, 2]],
    ['valid, stride [2, 1]', { strides: [2, 1] as [number, number] }, [2, 3]],
    ['explicit [[1, 0], [2, 1]], dilation [1, 2]', { padding: [[1, 0], [2, 1]] as [[number, number], [number, number]], dilation: [1, 2] as [number, number] }, [2, 2]],
  ])('expand patches reproduce tf.conv2d (%s)', (_name, geo, k) => {
    const r = rng(5);
    const [kh, kw] = k as [number, number];
    const x = tf.tensor4d(r.normals(2 * 7 * 6 * 3), [2, 7, 6, 3]);
    const w = tf.tensor4d(r.normals(kh * kw * 3 * 4), [kh, kw, 3, 4]);
    const layer = resolveLayer({ name: 'c', kind: 'conv2d', weight: 'w', ...geo });
    const pad = layer.padding;
    const explicit = Array.isArray(pad) ? ([[0, 0], pad[0], pad[1], [0, 0]] as [[number, number], [number, number], [number, number], [number, number]]) : null;
    const conv = tf.conv2d(x, w, layer.strides, explicit ?? (pad as 'same' | 'valid'), 'NHWC', layer.dilation);
    const a = processInput(x, layer, 'expand', false, [kh, kw]);
    const viaPatches = tf.matMul(tf.mul(a, Math.sqrt(a.shape[0])), gradMatrix(layer, w, null), false, true);
    expect(viaPatches.shape).toEqual([conv.shape[0] * conv.shape[1] * conv.shape[2], 4]);
    expect(maxDiff(viaPatches, tf.reshape(conv, [-1, 4]))).toBeLessThan(1e-4);
    tf.dispose([x, w, conv, a, viaPatches]);
  });

  it('getWeights/setWeights carry K, C, m and the momentum buffers: a restored optimizer continues identically', async () => {
    const r = rng(9);
    const mk = (tag: string) => [tf.variable(tf.tensor2d(r.normals(12), [4, 3]), true, `${tag}_w`), tf.variable(tf.zeros([3]), true, `${tag}_b`)];
    const stats = [0, 1, 2].map(() => ({ a: tf.tensor2d(r.normals(5 * 5), [5, 5]), g: tf.tensor2d(r.normals(15), [5, 3]) }));
    const grads = [0, 1, 2].map(() => [tf.tensor2d(r.normals(12), [4, 3]), tf.tensor1d(r.normals(3))]);
    const o = { lr: 0.1, lrCov: 0.1, T: 1, structures: ['triuToeplitz', 'dense'] as [string, string] };
    const run = (opt: SINGD, vars: tf.Variable[], s: number) => {
      opt.setLayerStatistics('l', stats[s]);
      opt.applyGradients(vars.map((v, i) => ({ name: v.name, tensor: grads[s][i] })));
    };
    const [w1, b1] = mk(`sa_${backend}`);
    const first = new SINGD(o);
    first.registerLayer({ name: 'l', kind: 'dense', weight: w1.name, bias: b1.name });
    run(first, [w1, b1], 0);
    run(first, [w1, b1], 1);
    const saved = await first.getWeights();
    expect(saved.map((s) => s.name.split('/').pop())).toEqual(expect.arrayContaining(['K_coeffs', 'C_mat', 'mK_coeffs', 'mC_mat', 'buf0', 'buf1']));
    const [w2, b2] = [tf.variable(w1.clone(), true, `sb_${backend}_w`), tf.variable(b1.clone(), true, `sb_${backend}_b`)];
    const second = new SINGD(o);
    second.registerLayer({ name: 'l', kind: 'dense', weight: w2.name, bias: b2.name });
    await second.setWeights(saved);
    run(first, [w1, b1], 2);
    run(second, [w2, b2], 2);
    expect(maxDiff(w1, w2)).toBe(0);
    expect(maxDiff(b1, b2)).toBe(0);
    first.dispose();
    second.dispose();
    tf.dispose([w1, b1, w2, b2, ...stats.flatMap((s) => [s.a, s.g]), ...grads.flat()]);
  });
});

describe.each(['cpu', 'wasm'] as const)('SINGD curvature on %s', (backend) => {
  beforeAll(async () => {
    await useBackend(backend);
  });

  it('the Gram-matrix form for dense factors equals Π(Kᵀ xᵀx K) summed over passes', () => {
    const r = rng(21);
    const K = Dense.fromDense(tf.tensor2d(r.normals(36), [6, 6]));
    const xs = [tf.tensor2d(r.normals(40 * 6), [40, 6]), tf.tensor2d(r.normals(20 * 6), [20, 6])];
    const viaGram = curvature(K, xs);
    expect(viaGram).toBeInstanceOf(DenseMatrix);
    const direct = K.fromInner(tf.transpose(xs[0])).add(K.fromInner(tf.transpose(xs[1])));
    expect(maxDiff(viaGram.toDense(), direct.toDense())).toBeLessThan(1e-3 * tf.max(tf.abs(direct.toDense())).dataSync()[0]);
    // Few rows: the structured path itself.
    const few = curvature(K, [tf.slice(xs[1], [0, 0], [3, 6]) as tf.Tensor2D]);
    expect(maxDiff(few.toDense(), K.fromInner(tf.transpose(tf.slice(xs[1], [0, 0], [3, 6]) as tf.Tensor2D)).toDense())).toBe(0);
    tf.dispose([...xs, ...Object.values(K.tensors()), ...Object.values(viaGram.tensors()), ...Object.values(direct.tensors()), ...Object.values(few.tensors())]);
  });
});
