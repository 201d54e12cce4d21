import { basename, dirname, join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from 'rootfree';
import { fileTolerance, goldenFiles, loadGolden, type GoldenCase } from '../../src/conformance/golden.js';
import { runCase } from '../../src/conformance/runner.js';
import '../../src/tfjsSetup.js';
import { vectorsDir } from './vectors.js';

/** Every golden of the top level and of v2/ (v3/ belongs to the SINGD/Muon mappings). */
const all = goldenFiles(vectorsDir());
const files = all.filter((f) => dirname(f) === vectorsDir() || dirname(f) === join(vectorsDir(), 'v2'));
const id = (f: string) => `${basename(dirname(f)) === 'v2' ? 'v2/' : ''}${basename(f, '.json')}`;

describe('golden files found', () => {
  it('20 top-level and 28 v2 files, folders expanded recursively in sorted order', () => {
    expect(files.filter((f) => dirname(f) === vectorsDir()).length).toBe(20);
    expect(files.filter((f) => dirname(f) !== vectorsDir()).length).toBe(28);
    // Top-level files come first, then each subfolder's.
    const firstSub = all.findIndex((f) => dirname(f) !== vectorsDir());
    expect(all.slice(firstSub).every((f) => dirname(f) !== vectorsDir())).toBe(true);
  });

  it('only the ill-conditioned merged Distributed Shampoo case says float32 cannot meet a tolerance', () => {
    const reportOnly = files.filter((f) => fileTolerance(loadGolden(f))?.tol === null).map(id);
    expect(reportOnly).toEqual(['distributed_shampoo_2d_merged_sgdgraft']);
  });
});

describe.each(['wasm', 'cpu'] as const)('every top-level and v2 golden on %s', (backend) => {
  beforeAll(async () => {
    await useBackend(backend);
  });

  it.each(files.map((f) => [id(f), f]))('%s PASSes (REPORT only where the file says float32 cannot)', (_id, file) => {
    const c = loadGolden(file);
    const r = runCase(c);
    const tol = fileTolerance(c);
    expect(tol).toBeDefined();
    if (tol!.tol === null) {
      expect(r.line).toMatch(/^REPORT .*check\.suggested_tolerance\.float32 is null/);
      expect(Number.isFinite(r.maxAbsErr)).toBe(true);
    } else {
      expect(r.line).toMatch(/^PASS /);
      // float32 against float64 goldens lands <= 8e-7 (v2/README §4); bf16 cases are judged against the float64 run.
      if (c.dtype === 'float64') expect(r.maxAbsErr).toBeLessThan(2e-6);
    }
  }, 60_000);
});

/** Each v2 feature moves the parameters: undoing its mapping through the file must FAIL at the file's tolerance. */
describe('the v2 mappings are what makes the cases pass (cpu)', () => {
  beforeAll(async () => {
    await useBackend('cpu');
  });
  const v2 = (name: string): GoldenCase => loadGolden(join(vectorsDir(), 'v2', `${name}.json`));
  const hp = (c: GoldenCase) => c.hyperparameters as Record<string, any>;
  const cases: Array<[string, string, (c: GoldenCase) => void]> = [
    ['without max_grad_norm', 'distributed_shampoo_max_grad_norm', (c) => (hp(c).max_grad_norm = null)],
    ['with BLOCKING instead of ADAGRAD (merges the conv)', 'distributed_shampoo_paper_config_adagrad_largedim', (c) => (hp(c).large_dim_method = 'LargeDimMethod.BLOCKING')],
    ['with blocks of 8 instead of 4', 'distributed_shampoo_blocking_maxdim4', (c) => (hp(c).max_preconditioner_dim = 8)],
    ['without combine_params', 'sirfshampoo_linear_weight_bias_combined', (c) => delete hp(c).combine_params],
    ['without FlattenEmbedding', 'sirfshampoo_flatten_embedding', (c) => (hp(c).combine_params = '(PerParameter(),)')],
    ['without param_groups', 'sirfshampoo_param_groups', (c) => delete hp(c).param_groups],
    ['with fc.bias renamed (no discount)', 'paper_ifshampoo_ggt_T3_discount', (c) => (c.params[1].name = 'fc.b')],
  ];
  it.each(cases)('%s: %s FAILs', (_what, name, perturb) => {
    const c = v2(name);
    expect(runCase(c).status).toBe('PASS');
    perturb(c);
    const r = runCase(c);
    expect(r.status).toBe('FAIL');
    expect(r.line).toMatch(new RegExp(`^FAIL ${name} step=\\d+ param=`));
  }, 60_000);
});
