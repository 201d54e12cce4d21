import { basename, join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from 'rootfree';
import { goldenFiles, loadGolden, type GoldenCase } from '../../src/conformance/golden.js';
import { runCase } from '../../src/conformance/runner.js';
import '../../src/tfjsSetup.js';
import { vectorsDir } from './vectors.js';

/** Every v3 golden (SINGD with the layer_io extension, Muon) replayed through the CLI's runCase. */
const dir = join(vectorsDir(), 'v3');
const files = goldenFiles(dir);

describe('v3 golden vectors present', () => {
  it('finds the 10 SINGD and 6 Muon cases', () => {
    const ids = files.map((f) => basename(f, '.json'));
    expect(ids.filter((i) => i.startsWith('singd_')).length).toBe(10);
    expect(ids.filter((i) => i.startsWith('muon_')).length).toBe(6);
  });
});

describe.each(['wasm', 'cpu'] as const)('v3 conformance on %s', (backend) => {
  beforeAll(async () => {
    await useBackend(backend);
  });

  it.each(files.map((f) => [basename(f, '.json'), f]))('%s PASSes', (_id, file) => {
    const c = loadGolden(file);
    const before = tf.memory().numTensors;
    const r = runCase(c);
    expect(r.line).toMatch(/^PASS /);
    expect(r.status).toBe('PASS');
    console.log(`[${backend}] ${r.line}`);
    expect(tf.memory().numTensors - before).toBe(0);
    // float32 replays of float64 goldens: the reference itself in float32 lands at <= 1.2e-6 (README §6.2).
    if (c.dtype === 'float64') expect(r.maxAbsErr).toBeLessThan(5e-6);
    expect(r.maxAbsErr).toBeGreaterThan(0);
  }, 120_000);

  /** A plausible mistake must turn a PASS into a FAIL (README §6.2's list). */
  const perturbations: Array<[string, (c: GoldenCase) => void]> = [
    ['singd_mlp_dense', (c) => ((c.hyperparameters as any).alpha1 = 0.45)],
    ['singd_mlp_kfac_like_diag_dense', (c) => ((c.hyperparameters as any).kfac_like = false)],
    ['singd_mlp_toeplitz_normalize_lr_cov_wd', (c) => ((c.hyperparameters as any).normalize_lr_cov = false)],
    ['singd_conv_reduce_groups_sum_loss', (c) => ((c.hyperparameters as any).loss_average = 'batch')],
    ['singd_conv_reduce_groups_sum_loss', (c) => ((c.hyperparameters as any).kfac_approx = 'expand')],
    ['singd_conv_expand_dense_T2', (c) => ((c.hyperparameters as any).T = 4)],
    ['singd_seq_linear_expand_batch_sequence', (c) => ((c.hyperparameters as any).loss_average = 'batch')],
    ['muon_no_nesterov', (c) => ((c.hyperparameters as any).nesterov = true)],
    ['muon_nesterov_square', (c) => ((c.hyperparameters as any).ns_steps = 6)],
    ['muon_conv4d_kernel_aspect', (c) => c.params.forEach((p) => p.shape.length === 4 && (p.shape = [p.shape[0], p.shape[1] * p.shape[2] * p.shape[3]]))],
    ['muon_with_aux_adam', (c) => ((c.hyperparameters as any).param_groups[1].betas = [0.9, 0.999])],
  ];
  it.each(perturbations)('%s with a perturbation FAILs', (id, perturb) => {
    const c = loadGolden(join(dir, `${id}.json`));
    perturb(c);
    const r = runCase(c);
    expect(r.status).toBe('FAIL');
  }, 120_000);
});
