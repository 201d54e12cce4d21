import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { useBackend } from 'rootfree';
import { parseArgs } from '../../src/cli/args.js';
import { command } from '../../src/cli/commands/conformance.js';
import { loadGolden, type GoldenCase } from '../../src/conformance/golden.js';
import { runCase } from '../../src/conformance/runner.js';
import { registerCaseFactory } from '../../src/conformance/registry.js';
import { SGD } from 'rootfree';
import '../../src/tfjsSetup.js';
import { vectorsDir } from './vectors.js';

const load = (rel: string): GoldenCase => loadGolden(join(vectorsDir(), rel));
const hp = (c: GoldenCase) => c.hyperparameters as Record<string, any>;
const tol = (c: GoldenCase) => c.check!.suggested_tolerance!;

describe('conformance SKIP and REPORT rules', () => {
  beforeAll(async () => {
    await useBackend('cpu');
  });

  it('options rootfree rejects: SKIP <id> <reason naming the option>', () => {
    const c = load('torch_sgd_momentum.json');
    hp(c).momentum = 1.5;
    const r = runCase(c);
    expect(r.status).toBe('SKIP');
    expect(r.line).toMatch(/^SKIP torch_sgd_momentum momentum: expected .*got 1\.5$/);
  });

  it('options rejected only on the first step (a structure for the rank) are a SKIP too', () => {
    const c = load('sirfshampoo_dense_1d2d4d_kappa_T2.json');
    hp(c).structures = { 2: ['dense', 'no-such-structure'] };
    const r = runCase(c);
    expect(r.status).toBe('SKIP');
    expect(r.line).toMatch(/^SKIP sirfshampoo_dense_1d2d4d_kappa_T2 .*no-such-structure/);
  });

  it('an unmapped hyper-parameter, an unmapped value, an unknown optimizer and an unknown format extension are SKIPs', () => {
    const a = load('v2/distributed_shampoo_max_grad_norm.json');
    hp(a).use_shampoo_magic = true;
    expect(runCase(a).line).toBe("SKIP distributed_shampoo_max_grad_norm hyper-parameter(s) 'use_shampoo_magic' not mapped for DistributedShampoo");
    const b = load('v2/distributed_shampoo_max_grad_norm.json');
    hp(b).num_trainers_per_group = 8;
    expect(runCase(b).line).toMatch(/^SKIP distributed_shampoo_max_grad_norm DistributedShampoo num_trainers_per_group=8 not mapped/);
    const c = load('torch_adamw.json');
    c.optimizer = 'torch.optim.Lion';
    expect(runCase(c).line).toBe("SKIP torch_adamw no mapping for optimizer 'torch.optim.Lion'");
    const d = load('torch_adamw.json');
    d.format_extensions = ['layer_io'];
    expect(runCase(d).line).toBe("SKIP torch_adamw format extension(s) 'layer_io' not supported by the torch.optim.AdamW mapping");
  });

  it('a mapping that declares a format extension runs such files, and its beforeStep hook sees every step', () => {
    const seen: number[] = [];
    registerCaseFactory('TestOnlySGD', (c) => ({
      optimizer: new SGD({ lr: hp(c).lr, momentum: hp(c).momentum, dampening: hp(c).dampening, weightDecay: hp(c).weight_decay, nesterov: hp(c).nesterov, nonFinite: 'none' }),
      beforeStep: (step, vars) => void seen.push(step.step * 10 + vars.length),
    }), { extensions: ['layer_io'] });
    const c = load('torch_sgd_momentum.json');
    c.optimizer = 'TestOnlySGD';
    c.format_extensions = ['layer_io'];
    expect(runCase(c).status).toBe('PASS');
    expect(seen).toEqual(c.steps.map((s) => s.step * 10 + c.params.length));
    c.format_extensions = ['layer_io', 'future_thing'];
    expect(runCase(c).line).toBe("SKIP torch_sgd_momentum format extension(s) 'future_thing' not supported by the TestOnlySGD mapping");
  });

  it('REPORT only where the file says float32 cannot meet a tolerance; otherwise the file tolerance judges', () => {
    const merged = load('distributed_shampoo_2d_merged_sgdgraft.json');
    expect(tol(merged).float32).toBeNull();
    expect(runCase(merged).status).toBe('REPORT');
    // The same case with a float32 tolerance in the file is judged (and fails: ~1e-3 > 2e-5): no blanket REPORT for use_merge_dims.
    tol(merged).float32 = { atol: 2e-5, rtol: 1e-5 };
    expect(runCase(merged).status).toBe('FAIL');
    const kron = load('distributed_shampoo_2d_kron_nograft.json');
    tol(kron).float32 = null;
    expect(runCase(kron).line).toMatch(/^REPORT distributed_shampoo_2d_kron_nograft max_abs_err=/);
  });

  it("the tolerance is read from the file's own keys", () => {
    const c = load('torch_sgd_momentum.json');
    tol(c).float32 = { atol: 1e-9, rtol: 0 };
    expect(runCase(c).status).toBe('FAIL');
    // bf16 cases use their bf16 key (top level / v2 spelling) against params_after_float64_run.
    const b = load('v2/rfrmsprop_bf16_state_momentum_wd.json');
    expect(runCase(b).status).toBe('PASS');
    tol(b).bf16_vs_params_after_float64_run = { atol: 1e-5, rtol: 0 };
    expect(runCase(b).status).toBe('FAIL');
    delete tol(b).bf16_vs_params_after_float64_run;
    expect(runCase(b).line).toMatch(/^SKIP rfrmsprop_bf16_state_momentum_wd the file gives no tolerance for a bf16 implementation/);
  });
});

describe('rootfree conformance CLI', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'rootfree-conformance-'));
    const rejected = load('torch_sgd_momentum.json');
    hp(rejected).momentum = -1;
    const unknown = load('torch_adamw.json');
    unknown.optimizer = 'torch.optim.Lion';
    writeFileSync(join(dir, 'a_rejected.json'), JSON.stringify(rejected));
    writeFileSync(join(dir, 'b_unknown.json'), JSON.stringify(unknown));
    writeFileSync(join(dir, 'README.md'), 'not a golden file');
    mkdirSync(join(dir, 'sub'));
    writeFileSync(join(dir, 'sub', 'c_ok.json'), JSON.stringify(load('torch_rmsprop.json')));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  async function run(args: string[]): Promise<{ rc: number; lines: string[] }> {
    const lines: string[] = [];
    const spy = vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void lines.push(a.join(' ')));
    try {
      return { rc: await command.run(parseArgs(args, command.options, true)), lines };
    } finally {
      spy.mockRestore();
    }
  }

  it('prints SKIP for a rejected case and an unknown optimizer, goes on into subfolders, exits 0 without FAIL', async () => {
    const { rc, lines } = await run([dir, '--backend', 'cpu']);
    expect(lines[0]).toMatch(/^SKIP torch_sgd_momentum momentum: expected/);
    expect(lines[1]).toBe("SKIP torch_adamw no mapping for optimizer 'torch.optim.Lion'");
    expect(lines[2]).toMatch(/^PASS torch_rmsprop /);
    expect(lines[3]).toBe('1 passed, 0 failed, 0 reported, 2 skipped (3 files)');
    expect(rc).toBe(0);
  }, 60_000);

  it('exits 1 when a case FAILs, still running every file', async () => {
    const bad = load('torch_rmsprop.json');
    hp(bad).alpha = 0.5;
    const f = join(dir, 'sub', 'd_bad.json');
    writeFileSync(f, JSON.stringify(bad));
    const { rc, lines } = await run([join(dir, 'sub'), join(dir, 'a_rejected.json'), '--backend', 'cpu']);
    rmSync(f);
    expect(lines.map((l) => l.split(' ')[0])).toEqual(['PASS', 'FAIL', 'SKIP', '1']);
    expect(rc).toBe(1);
  }, 60_000);
});
