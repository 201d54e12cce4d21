import { basename, dirname } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from 'rootfree';
import { goldenFiles, loadGolden, type GoldenCase } from '../../src/conformance/golden.js';
import { runCase } from '../../src/conformance/runner.js';
import '../../src/tfjsSetup.js';
import { vectorsDir } from './vectors.js';

/** The diagonal goldens this area owns: the paper's RF methods and the PyTorch baselines. */
const DIAGONAL = /^(rfrmsprop_|rfadamw_|torch_)/;
/** Top level only (allGoldens.test.ts replays v2/ too). */
const files = goldenFiles(vectorsDir()).filter((f) => dirname(f) === vectorsDir() && DIAGONAL.test(basename(f)));

describe('golden vectors present', () => {
  it('finds all 10 diagonal and torch_* cases', () => {
    expect(files.map((f) => basename(f, '.json')).sort()).toEqual([
      'rfadamw_bias_correction',
      'rfadamw_no_bias_correction',
      'rfrmsprop_ablation_dummy_init_scaling',
      'rfrmsprop_momentum',
      'rfrmsprop_momentum_weight_decay',
      'rfrmsprop_plain',
      'rfrmsprop_weight_decay_not_batch_averaged',
      'torch_adamw',
      'torch_rmsprop',
      'torch_sgd_momentum',
    ]);
  });
});

describe.each(['wasm', 'cpu'] as const)('conformance on %s', (backend) => {
  beforeAll(async () => {
    await useBackend(backend);
  });

  it.each(files.map((f) => [basename(f, '.json'), f]))('%s PASSes', (_id, file) => {
    const r = runCase(loadGolden(file));
    expect(r.line).toMatch(/^PASS /);
    expect(r.status).toBe('PASS');
    // float32 against float64 goldens: README §5 measured <= 6.3e-7.
    expect(r.maxAbsErr).toBeLessThan(2e-6);
    expect(r.maxAbsErr).toBeGreaterThan(0);
  });

  /** Perturbing one hyper-parameter must turn a PASS into a FAIL: the runner detects errors. */
  const perturbations: Array<[string, (h: Record<string, any>) => void]> = [
    ['rfrmsprop_momentum', (h) => (h.momentum = 0.89)],
    ['rfrmsprop_plain', (h) => (h.alpha = 0.85)],
    ['rfrmsprop_ablation_dummy_init_scaling', (h) => (h.dummy_init = false)],
    ['rfadamw_bias_correction', (h) => (h.bias_correction = false)],
    ['rfadamw_no_bias_correction', (h) => (h.weight_decay = 0)],
    ['torch_sgd_momentum', (h) => (h.dampening = 0.1)],
    ['torch_rmsprop', (h) => (h.centered = true)],
    ['torch_adamw', (h) => (h.betas = [0.9, 0.99])],
  ];
  it.each(perturbations)('%s with a perturbed hyper-parameter FAILs', (id, perturb) => {
    const file = files.find((f) => basename(f, '.json') === id);
    expect(file).toBeDefined();
    const c: GoldenCase = loadGolden(file!);
    perturb(c.hyperparameters as Record<string, any>);
    const r = runCase(c);
    expect(r.status).toBe('FAIL');
    expect(r.line).toMatch(new RegExp(`^FAIL ${id} step=\\d+ param=\\w+\\[\\d+\\]`));
  });

  it('a wrong batch size FAILs (B enters the RF methods)', () => {
    const c = loadGolden(files.find((f) => basename(f) === 'rfrmsprop_plain.json')!);
    c.batch_size = 8;
    (c.hyperparameters as Record<string, any>).batch_size = 8;
    expect(runCase(c).status).toBe('FAIL');
  });
});
