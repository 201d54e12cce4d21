import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../../src/backend/setup.js';
import { OptionError, Shampoo } from '../../src/index.js';
import type { ShampooOptions } from '../../src/optim/shampoo.js';
import { resolveShampooOptions } from '../../src/optim/shampoo/options.js';
import { refreshInverseRoot } from '../../src/optim/shampoo/roots.js';
import { bf16, makeVar, maxAbsDiff, randomProblem, runTf, type Problem } from '../core/helpers.js';
import { REF_DEFAULTS, ShampooRef64, type Ref64Options } from './reference64.js';

type Opts = Partial<ShampooOptions> & { lr: number; startPreconditioningStep: number };

/** The float64 re-implementation's trajectory: history[step][param][entry]. */
function runRef(o: Opts, prob: Problem): number[][][] {
  const ro: Ref64Options = { ...REF_DEFAULTS, ...(o as Partial<Ref64Options>) } as Ref64Options;
  const refs = prob.shapes.map((s) => new ShampooRef64(s, ro));
  let ps = prob.init.map((p) => p.slice());
  return prob.grads.map((gs) => (ps = ps.map((p, i) => refs[i].step(p, gs[i], o.lr))));
}

function runShampoo(o: Opts, prob: Problem): number[][][] {
  const opt = new Shampoo({ ...o, nonFinite: 'none' });
  const { history, vars } = runTf(opt, prob);
  vars.forEach((v) => v.dispose());
  opt.dispose();
  return history;
}

/** Displacement-relative error: max|a − b| / max|p_t − p_0| (README §5's second measure). */
function relToDisplacement(got: number[][][], want: number[][][], prob: Problem): number {
  let disp = 0;
  want.forEach((step) => step.forEach((p, i) => p.forEach((x, k) => (disp = Math.max(disp, Math.abs(x - prob.init[i][k]))))));
  return maxAbsDiff(got, want) / disp;
}

const SHAPES = [[5, 3], [5], [4, 3, 2, 2], []];

const CONFIGS: Array<[string, Opts]> = [
  ['defaults (β1 0.9, AdaGrad grafting), no merging, 1-D/2-D/4-D/scalar', { lr: 0.05, epsilon: 1e-3, mergeDims: false, startPreconditioningStep: 1 }],
  [
    'β2 0.95 + bias correction, Nesterov momentum, decoupled decay through momentum, Adam grafting, T = 2, merged dims',
    { lr: 0.05, beta2: 0.95, epsilon: 1e-3, momentum: 0.5, nesterov: true, weightDecay: 0.01, grafting: 'adam', graftingBeta2: 0.99, preconditionFrequency: 2, startPreconditioningStep: 2, mergeDims: true },
  ],
  [
    'L2 weight decay, no filtering, heavy-ball, RMSProp grafting, T = 3 with start 4 (stale roots), η = 0.5',
    { lr: 0.02, beta1: 0, epsilon: 1e-2, momentum: 0.9, weightDecay: 0.05, decoupledWeightDecay: false, grafting: 'rmsprop', graftingBeta2: 0.9, preconditionFrequency: 3, startPreconditioningStep: 4, exponentMultiplier: 0.5, mergeDims: false },
  ],
  [
    "largeDimMethod 'adagrad': diagonal AdaGrad for dims > maxPreconditionerDim, decoupled decay without momentum, SGD grafting, exponentOverride 2",
    { lr: 0.05, epsilon: 1e-3, weightDecay: 0.1, grafting: 'sgd', maxPreconditionerDim: 4, exponentOverride: 2, startPreconditioningStep: 1, largeDimMethod: 'adagrad' },
  ],
  [
    "largeDimMethod 'blocking' with merged dims, blocks of 2 (ragged), AdaGrad grafting per block, β2 0.9 + bias correction, T = 2",
    { lr: 0.05, beta2: 0.9, epsilon: 1e-3, maxPreconditionerDim: 2, mergeDims: true, preconditionFrequency: 2, startPreconditioningStep: 2 },
  ],
  [
    "largeDimMethod 'blocking' without merging, blocks of 3, normalized RMSProp grafting, heavy-ball, start 3 (grafted steps per block)",
    { lr: 0.05, epsilon: 1e-3, maxPreconditionerDim: 3, grafting: 'rmspropNormalized', graftingBeta2: 0.8, momentum: 0.5, startPreconditioningStep: 3 },
  ],
  [
    "largeDimMethod 'diagonal': diagonal factors for axes > 3, full ones for the rest, normalized AdaGrad grafting, exponentOverride [2, 3]",
    { lr: 0.05, beta2: 0.95, epsilon: 1e-3, maxPreconditionerDim: 3, largeDimMethod: 'diagonal', grafting: 'adagradNormalized', exponentOverride: [2, 3], startPreconditioningStep: 1 },
  ],
  [
    'normalized Adam grafting (bias-corrected EMA), blocks of 4, Nesterov',
    { lr: 0.05, epsilon: 1e-3, maxPreconditionerDim: 4, grafting: 'adamNormalized', graftingBeta2: 0.9, momentum: 0.4, nesterov: true, startPreconditioningStep: 1 },
  ],
  [
    'LARS grafting: SGD norm, decoupled decay added to the direction (no momentum), trust ratio ‖p‖/‖P‖',
    { lr: 0.05, epsilon: 1e-3, grafting: 'lars', weightDecay: 0.05, startPreconditioningStep: 2, preconditionFrequency: 2 },
  ],
  [
    'LAMB grafting: Adam norm, decay + trust ratio, then heavy-ball momentum, blocks of 3',
    { lr: 0.05, epsilon: 1e-3, grafting: 'lamb', graftingBeta2: 0.95, weightDecay: 0.05, momentum: 0.5, maxPreconditionerDim: 3, startPreconditioningStep: 1 },
  ],
  ['no grafting, no bias correction, β2 0.9', { lr: 0.01, beta2: 0.9, biasCorrection: false, epsilon: 1e-3, grafting: 'none', mergeDims: false, startPreconditioningStep: 1 }],
];

describe.each(['cpu', 'wasm'] as const)('Shampoo on %s', (backend) => {
  beforeAll(async () => {
    await useBackend(backend);
  });

  it.each(CONFIGS)('matches the float64 re-implementation over 8 steps: %s', (_name, o) => {
    const prob = randomProblem(7, 8, SHAPES);
    const got = runShampoo(o, prob);
    const want = runRef(o, prob);
    expect(relToDisplacement(got, want, prob)).toBeLessThan(1e-4);
    expect(maxAbsDiff(got, want)).toBeLessThan(2e-5);
  });

  it("rootMethod 'newton' (float64 and float32 tfjs) agrees with 'eigen'", () => {
    const prob = randomProblem(3, 5, [[6, 4], [6]]);
    const base: Opts = { lr: 0.05, epsilon: 1e-2, mergeDims: false, startPreconditioningStep: 1, newtonTolerance: 1e-7 };
    const eig = runShampoo(base, prob);
    const n64 = runShampoo({ ...base, rootMethod: 'newton', preconditionerPrecision: 'float64' }, prob);
    const n32 = runShampoo({ ...base, rootMethod: 'newton', preconditionerPrecision: 'float32' }, prob);
    expect(maxAbsDiff(n64, eig)).toBeLessThan(1e-5);
    expect(maxAbsDiff(n32, eig)).toBeLessThan(1e-4);
  });

  it('bfloat16 factors and roots: state holds bf16 numbers, and half-precision Newton is visibly worse than float32', async () => {
    const prob = randomProblem(5, 6, [[6, 4]]);
    const base: Opts = { lr: 0.05, epsilon: 1e-2, mergeDims: false, startPreconditioningStep: 1, grafting: 'none' };
    const want = runRef(base, prob);
    const err = (o: Partial<ShampooOptions>) => maxAbsDiff(runShampoo({ ...base, ...o } as Opts, prob), want);
    const f32 = err({});
    const bfEigen = err({ preconditionerPrecision: 'bfloat16' });
    const bfNewton = err({ preconditionerPrecision: 'bfloat16', rootMethod: 'newton', newtonMaxIterations: 30 });
    expect(f32).toBeLessThan(1e-5);
    expect(bfEigen).toBeGreaterThan(10 * f32);
    expect(bfNewton).toBeGreaterThan(10 * f32);

    // The short reference spelling is accepted too.
    const opt = new Shampoo({ ...base, preconditionerPrecision: 'bf16' as 'bfloat16' });
    const { vars } = runTf(opt, prob);
    const w = await opt.getWeights();
    const slots = w.filter((x) => /\/(L|X)\d$/.test(x.name));
    expect(slots.length).toBe(4);
    for (const s of slots) s.tensor.dataSync().forEach((v) => expect(bf16(v)).toBe(v));
    vars.forEach((v) => v.dispose());
    opt.dispose();
  });

  it('SPEC §5.7 demonstration (ε = 1e-6, rank-deficient factors): float32 eigen tracks float64, bf16 Newton diverges, fp16 Newton overflows', () => {
    const prob = randomProblem(5, 6, [[6, 4]]);
    const base: Opts = { lr: 0.05, epsilon: 1e-6, mergeDims: false, startPreconditioningStep: 1, grafting: 'none' };
    const want = runRef(base, prob);
    expect(maxAbsDiff(runShampoo(base, prob), want)).toBeLessThan(1e-6);
    expect(maxAbsDiff(runShampoo({ ...base, preconditionerPrecision: 'bfloat16', rootMethod: 'newton', newtonMaxIterations: 30 }, prob), want)).toBeGreaterThan(1);
    expect(() => runShampoo({ ...base, preconditionerPrecision: 'float16', rootMethod: 'newton', newtonMaxIterations: 30 }, prob)).toThrow(/inverse root \(Newton, float16\) contains NaN or Inf/);
  });

  it('leaks no tensors over 100 steps (eigen and tfjs-Newton roots, every slot kind)', () => {
    for (const extra of [{}, { rootMethod: 'newton', preconditionerPrecision: 'float16' }, { maxPreconditionerDim: 3 }, { maxPreconditionerDim: 3, largeDimMethod: 'adagrad' }, { maxPreconditionerDim: 3, largeDimMethod: 'diagonal', grafting: 'lamb' }, { maxPreconditionerDim: 2, mergeDims: true, grafting: 'adagradNormalized' }] as Array<Partial<ShampooOptions>>) {
      const prob = randomProblem(11, 100, [[4, 3], [4], []], 0.1);
      const opt = new Shampoo({ lr: 0.01, epsilon: 1e-2, momentum: 0.5, weightDecay: 0.01, grafting: 'adam', graftingBeta2: 0.99, preconditionFrequency: 3, startPreconditioningStep: 3, nonFinite: 'none', ...extra });
      const vars = prob.shapes.map((s, i) => makeVar(prob.init[i], s));
      let after1 = -1;
      prob.grads.forEach((gs, t) => {
        const grads = gs.map((g, i) => ({ name: vars[i].name, tensor: tf.tensor(g, prob.shapes[i]) }));
        opt.applyGradients(grads);
        tf.dispose(grads.map((g) => g.tensor));
        if (t === 0) after1 = tf.memory().numTensors;
      });
      expect(tf.memory().numTensors).toBe(after1);
      vars.forEach((v) => expect(v.dataSync().every(Number.isFinite)).toBe(true));
      vars.forEach((v) => v.dispose());
      opt.dispose();
    }
  });

  it('getWeights/setWeights restore the run exactly (factors, roots, counters)', async () => {
    const prob = randomProblem(2, 6, [[4, 3], [3]]);
    const o = { lr: 0.05, epsilon: 1e-3, momentum: 0.3, preconditionFrequency: 2, nonFinite: 'none' as const };
    const a = new Shampoo(o);
    const va = prob.shapes.map((s, i) => makeVar(prob.init[i], s));
    const step = (opt: Shampoo, vars: tf.Variable[], t: number) => {
      const grads = prob.grads[t].map((g, i) => ({ name: vars[i].name, tensor: tf.tensor(g, prob.shapes[i]) }));
      opt.applyGradients(grads);
      tf.dispose(grads.map((g) => g.tensor));
    };
    for (let t = 0; t < 3; t++) step(a, va, t);
    const saved = (await a.getWeights()).map((w) => ({ name: w.name, tensor: w.tensor.clone() }));
    const b = new Shampoo(o);
    const vb = va.map((v, i) => makeVar(Array.from(v.dataSync()), prob.shapes[i]));
    await b.setWeights(saved);
    for (let t = 3; t < 6; t++) {
      step(a, va, t);
      step(b, vb, t);
    }
    va.forEach((v, i) => expect(Array.from(vb[i].dataSync())).toEqual(Array.from(v.dataSync())));
    tf.dispose([...va, ...vb, ...saved.map((s) => s.tensor)]);
    a.dispose();
    b.dispose();
  });
});

describe('inverse-root refresh', () => {
  beforeAll(async () => {
    await useBackend('cpu');
  });
  // epsilon 0 (rejected as an option, as by the reference) isolates the symmetrisation.
  const o = { ...resolveShampooOptions({}), epsilon: 0 };
  it('uses the averaged triangles of a float32-asymmetric factor (torch eigh reads one triangle; no silent fallback)', () => {
    const prev = tf.zeros([2, 2]) as tf.Tensor2D;
    const f = tf.tensor2d([2, 1.001, 0.999, 2], [2, 2]);
    const x = refreshInverseRoot(f, 2, 2, o, prev, 'test');
    // (F/2)^(−1/2) with F symmetrised to [[2,1],[1,2]] → A = [[1, .5], [.5, 1]], eigenvalues 0.5 and 1.5.
    const want = [0.5 * (0.5 ** -0.5 + 1.5 ** -0.5), 0.5 * (1.5 ** -0.5 - 0.5 ** -0.5)];
    const got = x.dataSync();
    expect(Math.abs(got[0] - want[0])).toBeLessThan(1e-6);
    expect(Math.abs(got[1] - want[1])).toBeLessThan(1e-6);
    tf.dispose([prev, f, x]);
  });
  it('throws, naming the factor, on NaN/Inf factors and on singular roots', () => {
    const prev = tf.zeros([2, 2]) as tf.Tensor2D;
    const bad = tf.tensor2d([NaN, 0, 0, 1], [2, 2]);
    expect(() => refreshInverseRoot(bad, 1, 2, o, prev, "factor 'w' 0")).toThrow(/factor 'w' 0: bias-corrected factor contains NaN or Inf/);
    const zero = tf.zeros([2, 2]) as tf.Tensor2D;
    expect(() => refreshInverseRoot(zero, 1, 2, o, prev, 'z')).toThrow(/z: .*non-finite/);
    tf.dispose([prev, bad, zero]);
  });
  it('relativeEpsilon adds ε·‖L/c2‖_F (eigen and Newton), and onInverseRoot reports each refresh', () => {
    const prev = tf.zeros([2, 2]) as tf.Tensor2D;
    const f = tf.tensor2d([8, 2, 2, 4], [2, 2]);
    // A = F/2 = [[4, 1], [1, 2]], ‖A‖_F = √22; with ε = 0.1 relative, A + 0.1√22·I has eigenvalues 3 ± √2 + 0.1√22.
    const eps = 0.1 * Math.sqrt(22);
    const lam = [3 - Math.SQRT2 + eps, 3 + Math.SQRT2 + eps];
    // X = Σ λ^(−1/2) v vᵀ over the eigenpairs of A + εI (eigenvector (1, μ − 4) for A's eigenvalue μ).
    const vec = (l: number) => { const v = [1, l - eps - 4]; const n = Math.hypot(v[0], v[1]); return [v[0] / n, v[1] / n]; };
    const want = [0, 0, 0, 0];
    for (const l of lam) { const v = vec(l); for (let i = 0; i < 2; i++) for (let j = 0; j < 2; j++) want[i * 2 + j] += l ** -0.5 * v[i] * v[j]; }
    const infos: unknown[] = [];
    for (const rootMethod of ['eigen', 'newton'] as const) {
      const o = { ...resolveShampooOptions({ epsilon: 0.1, relativeEpsilon: true, rootMethod, newtonTolerance: 1e-5, onInverseRoot: (i: unknown) => infos.push(i) }) };
      const x = refreshInverseRoot(f, 2, 2, o, prev, `f-${rootMethod}`);
      const got = x.dataSync();
      for (let k = 0; k < 4; k++) expect(Math.abs(got[k] - want[k])).toBeLessThan(1e-5);
      x.dispose();
      // Absolute ε gives a different root: the option is what moved it.
      const xa = refreshInverseRoot(f, 2, 2, { ...o, relativeEpsilon: false }, prev, 'abs');
      expect(Math.abs(xa.dataSync()[0] - want[0])).toBeGreaterThan(1e-2);
      xa.dispose();
    }
    expect(infos).toHaveLength(4);
    expect(infos[0]).toEqual({ where: 'f-eigen', method: 'eigen', precision: 'float32', dim: 2, epsilon: eps });
    expect(infos[2]).toMatchObject({ where: 'f-newton', method: 'newton', precision: 'float32', dim: 2, epsilon: expect.closeTo(eps, 5), converged: true });
    const n = infos[2] as { iterations: number; residual: number };
    expect(n.iterations).toBeGreaterThan(1);
    expect(n.residual).toBeLessThanOrEqual(1e-5);
    prev.dispose();
    f.dispose();
  });
  it('onInverseRoot stays out of getConfig; a non-function is rejected', () => {
    const opt = new Shampoo({ onInverseRoot: () => undefined, relativeEpsilon: true });
    expect(opt.getConfig()).toEqual({ relativeEpsilon: true });
    opt.dispose();
    expect(() => new Shampoo({ onInverseRoot: 3 } as never)).toThrow(/onInverseRoot: expected a function/);
  });
});

describe('Shampoo options', () => {
  it('resolves the Distributed Shampoo defaults', () => {
    const o = new Shampoo().options;
    expect(o).toMatchObject({
      lr: 1e-2, beta1: 0.9, beta2: 1, epsilon: 1e-12, momentum: 0, weightDecay: 0, decoupledWeightDecay: true, biasCorrection: true,
      preconditionFrequency: 1, startPreconditioningStep: 1, exponentOverride: 0, exponentMultiplier: 1, grafting: 'adagrad',
      graftingEpsilon: 1e-3, graftingBeta2: 1, mergeDims: false, maxPreconditionerDim: 1024, largeDimMethod: 'blocking', rootMethod: 'eigen', preconditionerPrecision: 'float32',
    });
    expect(new Shampoo({ preconditionFrequency: 5 }).options.startPreconditioningStep).toBe(5);
    expect(new Shampoo({ preconditionerPrecision: 'torch.float64' as 'float64' }).options.preconditionerPrecision).toBe('float64');
  });

  it.each([
    [{ beta1: 1 }, /beta1: expected a finite number in \[0, 1\), got 1/],
    [{ beta2: 0 }, /beta2/],
    [{ epsilon: -1 }, /epsilon/],
    [{ momentum: 1 }, /momentum/],
    [{ preconditionFrequency: 0 }, /preconditionFrequency/],
    [{ preconditionFrequency: 4, startPreconditioningStep: 2 }, /startPreconditioningStep.*>= preconditionFrequency \(4\)/],
    [{ grafting: 'LAMB' }, /grafting: expected one of 'none' \| 'sgd' \| 'adagrad' \| 'rmsprop' \| 'adam' \| 'adagradNormalized' \| 'rmspropNormalized' \| 'adamNormalized' \| 'lars' \| 'lamb'/],
    [{ largeDimMethod: 'block' }, /largeDimMethod: expected one of 'blocking' \| 'adagrad' \| 'diagonal', got "block"/],
    [{ largeDimMethod: 'adagrad', mergeDims: true }, /mergeDims: expected false when largeDimMethod is 'adagrad'/],
    [{ largeDimMethod: 'diagonal', mergeDims: true }, /mergeDims: expected false when largeDimMethod is 'diagonal'/],
    [{ maxPreconditionerDim: 2.5 }, /maxPreconditionerDim: expected an integer/],
    [{ rootMethod: 'newton', exponentMultiplier: 0.5 }, /exponentMultiplier.*'newton'/],
    [{ rootMethod: 'newton', exponentOverride: 2.5 }, /exponentOverride.*integer/],
    [{ preconditionerPrecision: 'int8' }, /preconditionerPrecision: expected one of 'float64'/],
    [{ exponentOverride: [] }, /exponentOverride/],
    [{ weight_decay: 0.1 }, /Shampoo\.weight_decay: expected a known option/],
  ])('rejects %j', (o, msg) => {
    expect(() => new Shampoo(o as never)).toThrow(OptionError);
    expect(() => new Shampoo(o as never)).toThrow(msg);
  });
});
