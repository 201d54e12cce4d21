/**
 * The in-browser suite (bundled by run.mjs from the library's built dist, run in headless
 * Chromium). `window.rootfreeSuite(config)` runs the golden vectors and a training smoke test on
 * each backend and returns one result per check; run.mjs prints and judges them.
 */
import * as tf from '@tensorflow/tfjs-core';
// tfjs-core registers no gradients by itself (@tensorflow/tfjs and tfjs-layers import them).
import '@tensorflow/tfjs-core/dist/register_all_gradients.js';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-webgl';
import '@tensorflow/tfjs-backend-webgpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { AdamW, IFShampoo, MuonWithAuxAdam, NonFiniteError, SINGD, RFAdamW, RFRMSprop, RMSprop, SGD, Shampoo, useBackend, type BackendName, type RootfreeOptimizer } from 'rootfree';
import { setGpuFused } from 'rootfree/internal';
import { extensionsOf, factoryFor, type CaseSetup, type ParamView } from '../../packages/lab/src/conformance/mapping.js';
import { casePrefix, storedView } from '../../packages/lab/src/conformance/registry.js';
import { fileTolerance, isBf16Case, type GoldenCase } from '../../packages/lab/src/conformance/golden.js';
import { countReads, countWork, hostReads, lastReadStack } from './counters.js';

export interface Check {
  backend: string;
  name: string;
  ok: boolean;
  detail: string;
}

export interface SuiteConfig {
  backends: BackendName[];
  /** URLs of golden JSON files. */
  vectors: string[];
  wasmPath: string;
}

type Factory = (params: Record<string, unknown>) => RootfreeOptimizer<any>;

/** `?optimizers=A,B` in the page URL (ROOTFREE_BROWSER_OPTIMIZERS) limits the smoke test while developing. */
const ONLY = new URLSearchParams(globalThis.location?.search ?? '').get('optimizers')?.split(',') ?? null;

/** The smoke test's optimizers; `fused`: has a fused GPU update (`tailOnly`: IF-Shampoo's elementwise tail). */
type SmokeOptimizer = { name: string; make: Factory; fused: boolean; tailOnly?: boolean };
const ALL_OPTIMIZERS: SmokeOptimizer[] = [
  { name: 'SGD', make: (o) => new SGD({ lr: 0.1, momentum: 0.9, ...o }), fused: true },
  { name: 'AdamW', make: (o) => new AdamW({ lr: 0.01, ...o }), fused: true },
  { name: 'RMSprop', make: (o) => new RMSprop({ lr: 0.01, momentum: 0.5, centered: true, ...o }), fused: true },
  { name: 'RFRMSprop', make: (o) => new RFRMSprop({ lr: 0.01, momentum: 0.9, weightDecay: 1e-3, ...o }), fused: true },
  { name: 'RFAdamW', make: (o) => new RFAdamW({ lr: 0.01, weightDecay: 1e-2, ...o }), fused: true },
  { name: 'RFAdamW-bf16', make: (o) => new RFAdamW({ lr: 0.01, stateDtype: 'bfloat16', ...o }), fused: true },
  { name: 'RFRMSprop-fp16', make: (o) => new RFRMSprop({ lr: 0.01, momentum: 0.9, stateDtype: 'float16', ...o }), fused: true },
  { name: 'IFShampoo', make: (o) => new IFShampoo({ lr: 0.01, alpha1: 0.9, kappa: 1e-3, ...o }), fused: true, tailOnly: true },
  { name: 'IFShampoo-bf16', make: (o) => new IFShampoo({ lr: 0.01, alpha1: 0.9, kappa: 1e-3, preconditionerDtypes: 'bfloat16', ...o }), fused: true, tailOnly: true },
  // On webgl/webgpu the inverse roots come from the device Newton iteration (gpuRoot 'newton', docs/GPU.md).
  { name: 'Shampoo', make: (o) => new Shampoo({ lr: 0.01, preconditionFrequency: 2, startPreconditioningStep: 2, ...o }), fused: false },
  { name: 'Shampoo-newton', make: (o) => new Shampoo({ lr: 0.01, preconditionFrequency: 2, startPreconditioningStep: 2, rootMethod: 'newton', epsilon: 1e-3, ...o }), fused: false },
  { name: 'MuonWithAuxAdam', make: (o) => new MuonWithAuxAdam({ lr: 0.02, adam: { lr: 0.01 }, ...o }), fused: false },
  // Both dense layers registered, statistics captured in the forward pass (prepare, lossOf).
  { name: 'SINGD', make: (o) => new SINGD({ lr: 0.05, lrCov: 0.05, ...o }), fused: false },
  { name: 'SINGD-toeplitz-diag', make: (o) => new SINGD({ lr: 0.05, lrCov: 0.05, T: 2, structures: ['triuToeplitz', 'diagonal'], ...o }), fused: false },
];
const OPTIMIZERS = ALL_OPTIMIZERS.filter((o) => !ONLY || ONLY.includes(o.name));

/** A deterministic 3-class 2-D toy problem and a 2-16-3 MLP (4 parameters). */
function problem(): { x: tf.Tensor2D; y: tf.Tensor2D; params: tf.Variable[] } {
  const n = 96;
  const xs: number[] = [];
  const ys: number[] = [];
  for (let i = 0; i < n; i++) {
    const c = i % 3;
    const r = 0.2 + (0.8 * Math.floor(i / 3)) / (n / 3);
    const a = (2 * Math.PI * c) / 3 + 3 * r;
    xs.push(r * Math.cos(a), r * Math.sin(a));
    ys.push(...[0, 1, 2].map((k) => (k === c ? 1 : 0)));
  }
  const init = (shape: number[], seed: number): tf.Variable => {
    const n = shape.reduce((a, b) => a * b, 1);
    const v = Float32Array.from({ length: n }, (_, i) => 0.5 * Math.sin(seed * 97 + i * 12.9898));
    return tf.tidy(() => tf.variable(tf.tensor(v, shape), true, `p${seed}_${Math.random().toString(36).slice(2)}`));
  };
  return { x: tf.tensor2d(xs, [n, 2]), y: tf.tensor2d(ys, [n, 3]), params: [init([2, 16], 1), init([16], 2), init([16, 3], 3), init([3], 4)] };
}

/** tf.Optimizer's Symbol.hasInstance makes `instanceof` true for every optimizer: ask the class. */
const asSingd = (opt: RootfreeOptimizer<any> | undefined): SINGD | null => (opt !== undefined && opt.getClassName() === SINGD.className ? (opt as unknown as SINGD) : null);

/** Makes the optimizer and, for SINGD, registers the two dense layers. */
function prepare(make: Factory, options: Record<string, unknown>, [w1, b1, w2, b2]: tf.Variable[]): RootfreeOptimizer<any> {
  const opt = make(options);
  asSingd(opt)?.registerLayer({ name: 'l1', kind: 'dense', weight: w1.name, bias: b1.name });
  asSingd(opt)?.registerLayer({ name: 'l2', kind: 'dense', weight: w2.name, bias: b2.name });
  return opt;
}

function lossOf(x: tf.Tensor2D, y: tf.Tensor2D, [w1, b1, w2, b2]: tf.Variable[], opt?: RootfreeOptimizer<any>): tf.Scalar {
  const singd = asSingd(opt);
  const cap = (layer: string, input: tf.Tensor, f: () => tf.Tensor): tf.Tensor => (singd ? singd.capture(layer, input, f) : f());
  const h = tf.tanh(cap('l1', x, () => tf.add(tf.matMul(x, w1), b1))) as tf.Tensor2D;
  return tf.losses.softmaxCrossEntropy(y, cap('l2', h, () => tf.add(tf.matMul(h, w2 as tf.Tensor2D), b2))) as tf.Scalar;
}

function gradsOf(x: tf.Tensor2D, y: tf.Tensor2D, params: tf.Variable[], opt?: RootfreeOptimizer<any>): { loss: tf.Scalar; grads: Array<{ name: string; tensor: tf.Tensor }> } {
  const { value, grads } = tf.variableGrads(() => lossOf(x, y, params, opt), params);
  return { loss: value, grads: params.map((p) => ({ name: p.name, tensor: grads[p.name] })) };
}

const flat = async (ts: tf.Tensor[]): Promise<number[]> => (await Promise.all(ts.map((t) => t.data()))).flatMap((a) => Array.from(a));

/** Trains `steps` steps; returns losses, final parameters and per-step counts of the last step. */
async function train(make: Factory, options: Record<string, unknown>, steps: number): Promise<{ losses: number[]; final: number[]; reads: number; jsReads: number; kernels: string[]; programs: number; programNames: string[] }> {
  const { x, y, params } = problem();
  const opt = prepare(make, options, params);
  const losses: number[] = [];
  let reads = 0;
  let jsReads = 0;
  let kernels: string[] = [];
  let programs = 0;
  let programNames: string[] = [];
  for (let s = 0; s < steps; s++) {
    const { loss, grads } = gradsOf(x, y, params, opt);
    losses.push((await loss.data())[0]);
    // Let the device settle so the counters see only applyGradients.
    await flat(grads.map((g) => g.tensor));
    reads += countReads(() => opt.applyGradients(grads, { batchSize: 96 }));
    jsReads += hostReads;
    loss.dispose();
    grads.forEach((g) => g.tensor.dispose());
  }
  // One more step under the kernel/program counters.
  {
    const { loss, grads } = gradsOf(x, y, params, opt);
    await flat(grads.map((g) => g.tensor));
    const w = countWork(() => opt.applyGradients(grads, { batchSize: 96 }));
    kernels = w.kernels;
    programs = w.programs;
    programNames = w.names;
    loss.dispose();
    grads.forEach((g) => g.tensor.dispose());
  }
  const final = await flat(params);
  await opt.lastStepFinite();
  opt.dispose();
  [x, y, ...params].forEach((t) => t.dispose());
  return { losses, final, reads, jsReads, kernels, programs, programNames };
}

async function smoke(backend: string, add: (name: string, ok: boolean, detail: string) => void): Promise<void> {
  const gpu = backend === 'webgl' || backend === 'webgpu';
  for (const o of OPTIMIZERS) {
    const before = tf.memory().numTensors;
    const r = await train(o.make, {}, 6);
    const fell = r.losses[r.losses.length - 1] < r.losses[0] && r.losses.every(Number.isFinite);
    add(`train ${o.name}`, fell, `loss ${r.losses.map((l) => l.toFixed(4)).join(' → ')}`);
    add(`no leak ${o.name}`, tf.memory().numTensors === before, `tensors ${before} → ${tf.memory().numTensors}`);
    if (!gpu) continue;
    add(`0 sync reads in applyGradients ${o.name}`, r.reads === 0, `${r.reads} device reads in 6 steps (${r.jsReads} reads of values already in JS)${r.reads ? `; last from ${lastReadStack}` : ''}`);
    if (o.name === 'Shampoo' && backend === 'webgl') {
      // The device Newton root against the host's float64 eigen root (gpuRoot 'host' reads the device: webgl only).
      // With the default ε = 1e-12 the toy's factors are rank-deficient and the eigen root puts
      // ε^(−1/p) on float32 noise (docs/GPU.md): that difference is reported, not judged.
      const host = await train(o.make, { gpuRoot: 'host' }, 6);
      const raw = maxRelErr(r.final, host.final);
      const damped = [await train(o.make, { epsilon: 1e-3 }, 6), await train(o.make, { epsilon: 1e-3, gpuRoot: 'host' }, 6)];
      const err = maxRelErr(damped[0].final, damped[1].final);
      add(`Shampoo device root ≈ host eigen root (ε = 1e-3)`, err < 3e-4, `max rel err of the parameters after 7 steps ${err.toExponential(2)}; with ε = 1e-12 ${raw.toExponential(2)} (not judged); host path: ${host.reads} reads`);
    }
    if (!o.fused) continue;
    // 4 parameters: one check and one update kernel each (IF-Shampoo: plus its factor work in tfjs ops).
    const updates = r.kernels.filter((k) => k === 'RootfreeFusedUpdate').length;
    const checks = r.kernels.filter((k) => k === 'RootfreeFiniteCheck').length;
    // IF-Shampoo: plus one check per new factor-state tensor (its factor work is tfjs ops).
    add(`kernels ${o.name}`, (o.tailOnly ? checks >= 4 : r.kernels.length === 8 && checks === 4) && updates === 4, `${r.kernels.length} kernels: ${summarize(r.kernels)}`);
    // Programs: 2 per parameter + the flag's reduction; besides, tfjs-webgl unpacks a packed
    // gradient (matMul's) for each unpacked program reading it, and decodes the flag for its async read.
    const ours = r.programNames.filter((n) => n !== 'UnpackProgram' && n !== 'DecodeMatrixProgram' && n !== 'DecodeMatrixPackedProgram').length;
    if (!o.tailOnly) add(`programs ${o.name}`, ours <= 2 * 4 + 1, `${ours} of ours for 4 parameters (${r.programs} in all: ${summarize(r.programNames)})`);
    setGpuFused(false);
    let composite;
    try {
      composite = await train(o.make, {}, 6);
    } finally {
      setGpuFused(true);
    }
    const err = maxRelErr(r.final, composite.final);
    add(`fused = composite ${o.name}`, err < 1e-5, `max rel err ${err.toExponential(2)}; composite ran ${composite.kernels.length} kernels`);
  }
  await nonFinite(backend, add);
}

function summarize(names: string[]): string {
  const m = new Map<string, number>();
  names.forEach((n) => m.set(n, (m.get(n) ?? 0) + 1));
  return [...m].map(([k, v]) => `${k}×${v}`).join(', ');
}

function maxRelErr(a: number[], b: number[]): number {
  let e = 0;
  a.forEach((v, i) => (e = Math.max(e, Math.abs(v - b[i]) / Math.max(1e-3, Math.abs(b[i])))));
  return a.length === b.length ? e : Infinity;
}

/**
 * A NaN gradient: 'skip' leaves everything unchanged (parameters, state, and, once the host knew
 * of the rejection, the step counters), so good step, NaN step, good step ends bit-identical to
 * good step, good step; 'throw' throws (on GPU: at the next step).
 */
async function nonFinite(backend: string, add: (name: string, ok: boolean, detail: string) => void): Promise<void> {
  const gpu = backend === 'webgl' || backend === 'webgpu';
  for (const o of OPTIMIZERS) {
    const run = async (poison: boolean): Promise<{ values: number[]; reads: number; finite: boolean; iter: number }> => {
      const { x, y, params } = problem();
      const opt = prepare(o.make, { nonFinite: 'skip' }, params);
      const step = (poisoned: boolean): number => {
        const { loss, grads } = gradsOf(x, y, params, opt);
        const bad = grads.map((g, i) => ({ name: g.name, tensor: poisoned && i === 2 ? tf.mul(g.tensor, NaN) : g.tensor }));
        const reads = countReads(() => opt.applyGradients(bad, { batchSize: 96 }));
        loss.dispose();
        grads.forEach((g) => g.tensor.dispose());
        if (poisoned) bad[2].tensor.dispose();
        return reads;
      };
      step(false);
      let reads = 0;
      let finite = true;
      if (poison) {
        reads = step(true);
        finite = await opt.lastStepFinite();
      }
      step(false);
      const weights = await opt.getWeights();
      const values = await flat([...params, ...weights.map((w) => w.tensor)]);
      const iter = (await weights[0].tensor.data())[0];
      await opt.lastStepFinite();
      opt.dispose();
      [x, y, ...params].forEach((t) => t.dispose());
      return { values, reads, finite, iter };
    };
    const poisoned = await run(true);
    const clean = await run(false);
    const same = poisoned.values.length === clean.values.length && poisoned.values.every((v, i) => Object.is(v, clean.values[i]));
    add(
      `NaN step then good step = good step only ${o.name}`,
      same && poisoned.finite === false && poisoned.iter === 2 && (!gpu || poisoned.reads === 0),
      `lastStepFinite=${poisoned.finite}, iter ${poisoned.iter}, ${poisoned.reads} reads, ${clean.values.length} values (parameters, state, counters) compared`,
    );
    const { x, y, params } = problem();
    const thrower = prepare(o.make, {}, params);
    const bad = gradsOf(x, y, params, thrower);
    const poisonedGrads = bad.grads.map((g, i) => ({ name: g.name, tensor: i === 2 ? tf.mul(g.tensor, NaN) : g.tensor }));
    let threw = '';
    try {
      thrower.applyGradients(poisonedGrads, { batchSize: 96 });
      if (gpu) {
        await thrower.lastStepFinite();
        const g1 = gradsOf(x, y, params, thrower);
        try {
          thrower.applyGradients(g1.grads, { batchSize: 96 });
        } finally {
          g1.loss.dispose();
          g1.grads.forEach((t) => t.tensor.dispose());
        }
      }
    } catch (e) {
      threw = e instanceof NonFiniteError ? e.message : `not a NonFiniteError: ${String(e)}`;
    }
    add(`throw names the gradient ${o.name}`, threw.includes(poisonedGrads[2].name), threw || 'did not throw');
    bad.loss.dispose();
    bad.grads.forEach((t) => t.tensor.dispose());
    poisonedGrads[2].tensor.dispose();
    thrower.dispose();
    [x, y, ...params].forEach((t) => t.dispose());
  }
}

/**
 * One golden case as the lab's `runCase` (packages/lab/src/conformance/runner.ts) judges it, but
 * reading parameters asynchronously: a sync read per step can lose a webgpu device.
 */
async function golden(c: GoldenCase): Promise<{ status: string; line: string; maxErr: number }> {
  const factory = factoryFor(c.optimizer);
  if (!factory) return { status: 'SKIP', line: `no mapping for ${c.optimizer}`, maxErr: NaN };
  const missing = (c.format_extensions ?? []).filter((x) => !extensionsOf(c.optimizer).includes(x));
  if (missing.length) return { status: 'SKIP', line: `extensions ${missing.join(', ')} not mapped`, maxErr: NaN };
  const fileTol = fileTolerance(c);
  if (!fileTol) return { status: 'SKIP', line: 'no tolerance in the file', maxErr: NaN };
  const report = fileTol.tol === null;
  const atol = fileTol.tol?.atol ?? 0;
  const rtol = fileTol.tol?.rtol ?? 0;
  let setup: CaseSetup & { views: ParamView[] };
  try {
    const made = factory(c);
    const s: CaseSetup = 'applyGradients' in made ? { optimizer: made } : made;
    const prefix = casePrefix();
    setup = { ...s, views: s.views ?? c.params.map((p) => storedView(p, prefix)) };
  } catch (e) {
    return { status: 'SKIP', line: `mapping: ${(e as Error).message}`, maxErr: NaN };
  }
  const { optimizer: opt, views } = setup;
  const vars = c.params.map((p, i) => tf.tidy(() => tf.variable(tf.tensor(views[i].toRootfree(p.init), views[i].shape, 'float32'), true, views[i].name)));
  let maxErr = 0;
  let failure = '';
  try {
    for (const s of c.steps) {
      const grads = vars.map((v, i) => ({ name: v.name, tensor: tf.tensor(views[i].toRootfree(s.grads[i]), views[i].shape, 'float32') }));
      try {
        setup.beforeStep?.(s as GoldenCase['steps'][number] & Record<string, unknown>, vars);
        opt.applyGradients(grads, { batchSize: c.batch_size ?? undefined });
      } catch (e) {
        failure = `step ${s.step} threw ${(e as Error).message}`;
        break;
      } finally {
        grads.forEach((g) => g.tensor.dispose());
      }
      const want = isBf16Case(c) && s.params_after_float64_run ? s.params_after_float64_run : s.params_after;
      for (let i = 0; i < vars.length && !failure; i++) {
        const got = views[i].fromRootfree(await vars[i].data());
        for (let k = 0; k < got.length; k++) {
          const err = Math.abs(got[k] - want[i][k]);
          maxErr = Number.isNaN(err) ? Infinity : Math.max(maxErr, err);
          if (!report && !(err <= atol + rtol * Math.abs(want[i][k]))) {
            failure = `step ${s.step} ${c.params[i].name}[${k}] got ${got[k]} want ${want[i][k]}`;
            break;
          }
        }
      }
      if (failure) break;
    }
  } finally {
    vars.forEach((v) => v.dispose());
    opt.dispose();
  }
  if (failure) return { status: 'FAIL', line: failure, maxErr };
  if (report) return { status: 'REPORT', line: `max_abs_err=${maxErr.toExponential(2)} (the file says float32 cannot reproduce it; not judged)`, maxErr };
  return { status: 'PASS', line: `max_abs_err=${maxErr.toExponential(2)}`, maxErr };
}

async function suite(config: SuiteConfig): Promise<Check[]> {
  Error.stackTraceLimit = 40;
  setWasmPaths(config.wasmPath);
  const cases: GoldenCase[] = await Promise.all(config.vectors.map(async (u) => (await fetch(u)).json()));
  const checks: Check[] = [];
  for (const backend of config.backends) {
    const add = (name: string, ok: boolean, detail: string): void => {
      checks.push({ backend, name, ok, detail });
    };
    try {
      await useBackend(backend);
    } catch (e) {
      add('backend initialises', false, String(e));
      continue;
    }
    add('backend initialises', tf.getBackend() === backend, tf.getBackend());
    for (const c of cases) {
      // Per-case time in the detail: the suite's budget goes to a few slow cases (device roots).
      const t0 = performance.now();
      const r = await golden(c);
      add(`golden ${c.case_id}`, r.status === 'PASS' || r.status === 'REPORT', `${r.status} ${r.line} (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
    }
    try {
      await smoke(backend, add);
    } catch (e) {
      add('smoke test', false, `threw ${(e as Error).stack ?? String(e)}`);
    }
  }
  return checks;
}

(window as any).rootfreeSuite = suite;
