import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { useBackend } from '../../src/backend/setup.js';
import { IFShampoo, OptionError } from '../../src/index.js';
import { unitMemory } from '../../src/optim/ifShampoo/layout.js';
import { resolveIFShampoo } from '../../src/optim/ifShampoo/options.js';
import { makeVar, rng } from '../core/helpers.js';

function train(opt: IFShampoo, shape: number[], steps: number, name = 'w'): { params: number[]; state: Promise<Array<[string, number[]]>>; done: () => void } {
  const r = rng(5);
  const n = shape.reduce((a, b) => a * b, 1);
  const v = makeVar(r.normals(n), shape, name);
  for (let t = 0; t < steps; t++) {
    const g = tf.tensor(r.normals(n, 0.3), shape);
    opt.applyGradients([{ name: v.name, tensor: g }]);
    g.dispose();
  }
  return {
    params: Array.from(v.dataSync()),
    state: opt.getWeights().then((w) => w.map((x) => [x.name.replace(/^\d+\/[^/]+\//, ''), x.tensor.shape] as [string, number[]])),
    done: () => {
      v.dispose();
      opt.dispose();
    },
  };
}

describe.each(['cpu', 'wasm'] as const)('IF-Shampoo large-factor policy on %s', (backend) => {
  beforeAll(async () => {
    await useBackend(backend);
  });
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('a factor beyond maxFactorDim becomes largeFactorStructure (one warning naming the parameter); the result is that of the explicit structures', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const a = train(new IFShampoo({ lr: 0.05, maxFactorDim: 32 }), [40, 6], 4, 'big');
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0][0])).toMatch(/'big_\d+_\w+' \[40,6\] has factors larger than maxFactorDim = 32: axis 0 \(d = 40\): 'dense' -> 'diagonal'/);
    const b = train(new IFShampoo({ lr: 0.05, structures: { 2: ['diagonal', 'dense'] } }), [40, 6], 4);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(a.params).toEqual(b.params);
    expect(await a.state).toEqual(await b.state);
    expect((await a.state).find(([n]) => n.startsWith('K0_'))).toEqual(['K0_diag', [40]]);
    a.done();
    b.done();
  });

  it('the default maxFactorDim is 1024 and the default largeFactorStructure diagonal; other structures are honoured', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const a = train(new IFShampoo({ lr: 0.05 }), [1025, 2], 1);
    expect(warn).toHaveBeenCalledTimes(1);
    const ks = (await a.state).filter(([n]) => n.startsWith('K'));
    expect(ks[0]).toEqual(['K0_diag', [1025]]);
    expect(ks.slice(1).map(([, s]) => s)).toEqual([[2, 2]]);
    a.done();
    const b = train(new IFShampoo({ lr: 0.05, maxFactorDim: 16, largeFactorStructure: 'block8diagonal' }), [40, 6], 2);
    const b2 = train(new IFShampoo({ lr: 0.05, structures: { 2: ['block8diagonal', 'dense'] } }), [40, 6], 2);
    const dense = train(new IFShampoo({ lr: 0.05 }), [40, 6], 2);
    expect(b.params).toEqual(b2.params);
    expect(await b.state).toEqual(await b2.state);
    expect(await b.state).not.toEqual(await dense.state);
    [b, b2, dense].forEach((x) => x.done());
    // A structure already no larger than the fallback is kept, without a warning.
    warn.mockClear();
    const c = train(new IFShampoo({ lr: 0.05, maxFactorDim: 16, structures: 'diagonal' }), [40, 6], 1);
    expect(warn).not.toHaveBeenCalled();
    c.done();
  });

  it('a model whose state cannot fit is refused before anything is allocated, naming the parameter', () => {
    const opt = new IFShampoo({ lr: 0.01, maxFactorDim: 4096, ...(backend === 'cpu' ? { maxMemoryBytes: 2 ** 31 } : {}) });
    const v = tf.variable(tf.zeros([4096, 4096]), true, `huge${backend}`);
    const g = tf.zeros([4096, 4096]);
    const n = tf.memory().numTensors;
    const bytes = tf.memory().numBytes;
    expect(() => opt.applyGradients([{ name: v.name, tensor: g }])).toThrow(
      new RegExp(`needs an estimated .* GiB plus .* GiB of step temporaries, more than the .* available .*'huge${backend}' \\[4096,4096\\].*Nothing was allocated.*maxFactorDim`),
    );
    expect(tf.memory().numTensors).toBe(n);
    expect(tf.memory().numBytes).toBe(bytes);
    expect(opt.iterations).toBe(0);
    v.dispose();
    g.dispose();
    opt.dispose();
  });

  it('maxMemoryBytes bounds the estimate on any backend', () => {
    const opt = new IFShampoo({ lr: 0.01, maxMemoryBytes: 1e6 });
    const v = makeVar(new Array(256 * 256).fill(0), [256, 256]);
    const g = tf.zeros([256, 256]);
    expect(() => opt.applyGradients([{ name: v.name, tensor: g }])).toThrow(/\(maxMemoryBytes = 1000000\)/);
    const ok = new IFShampoo({ lr: 0.01, maxMemoryBytes: 1e8 });
    ok.applyGradients([{ name: v.name, tensor: g }]);
    expect(ok.iterations).toBe(1);
    [v, g].forEach((t) => t.dispose());
    [opt, ok].forEach((o) => o.dispose());
  });
});

describe('IF-Shampoo memory estimate', () => {
  it('counts factors, momenta, cached P and the momentum buffer', () => {
    const o = resolveIFShampoo({ T: 2 });
    // [8, 4] dense: K 64+16 floats, m the same, P cached (T > 1) the same, buf 32 floats.
    const e = unitMemory([{ name: 'x', shape: [8, 4] }], o);
    expect(e.state).toBe(4 * (80 + 80 + 80 + 32));
    expect(e.working).toBe(36 * 4 * (32 + 80 + 80));
    const lean = unitMemory([{ name: 'x', shape: [8, 4] }], resolveIFShampoo({ alpha1: 0, alpha2: 0 }));
    expect(lean.state).toBe(4 * 80);
  });

  it.each([
    [{ maxFactorDim: 0 }, /^maxFactorDim: expected an integer >= 1, got 0$/],
    [{ maxFactorDim: 2.5 }, /^maxFactorDim: expected an integer >= 1, got 2\.5$/],
    [{ largeFactorStructure: 'nope' }, /^largeFactorStructure: expected a registered structure/],
    [{ largeFactorStructure: 3 }, /^largeFactorStructure: expected a structure name, got 3$/],
  ])('rejects %j', (o, msg) => {
    expect(() => new IFShampoo(o as never)).toThrow(msg);
    expect(() => new IFShampoo(o as never)).toThrow(OptionError);
  });
});
