/**
 * One benchmark section in its own process (one backend / one wasm build per process). Invoked by
 * `bench/run.ts` as `tsx bench/child.ts '<json task>'`; prints `@@RESULT@@<json>` as its last line.
 */
import * as tf from '@tensorflow/tfjs-core';
import { useBackend, type BackendName } from 'rootfree';
import { benchDiagonalGroup, benchFloor, DIAGONAL_METHODS, type DiagonalGroup, type Layout } from './diagonal.js';
import { timeVariants, median, type Sampling } from './lib.js';
import { formatMarkdown, runHalfprecSuite } from '../src/harness/halfprec/index.js';
import { benchMatrixRow, IF_STRUCTURES, MATRIX_SHAPES, matrixAvailable, type MatrixRow } from './matrix.js';
import { benchTrainSteps, optimizerFactories, trainStepModels, trainStepOptimizers } from './optimizerSteps.js';
import { benchSmallTensors } from './smallTensors.js';

export interface Task {
  task: 'diagonal' | 'matrix' | 'threads' | 'train' | 'halfprec';
  backend?: BackendName;
  threads?: number;
  quick?: boolean;
}

const log = (m: string): void => void process.stderr.write(`  [${new Date().toISOString().slice(11, 19)}] ${m}\n`);

function sampling(quick: boolean): Sampling {
  return quick ? { warmup: 1, rounds: 3, stepsPerRound: 2 } : { warmup: 2, rounds: 5, stepsPerRound: 3 };
}

async function diagonal(backend: BackendName, quick: boolean): Promise<object> {
  const s = sampling(!!quick);
  const floor = benchFloor(10_000_000, s);
  log(`floor: JS triad ${floor.triadGBps.toFixed(1)} GB/s, copy ${floor.copyGBps.toFixed(1)} GB/s, SIMD triad ${floor.simdTriadGBps?.toFixed(1) ?? '-'} GB/s`);
  const groups: DiagonalGroup[] = [];
  const methods = quick ? DIAGONAL_METHODS.filter((m) => ['adamw', 'rfadamw', 'sgd-momentum', 'rfrmsprop-bf16'].includes(m.id)) : DIAGONAL_METHODS;
  const sizes = backend === 'cpu' ? [1_000_000, 10_000_000] : quick ? [1_000_000, 10_000_000] : [1_000_000, 10_000_000];
  for (const params of sizes) {
    for (const layout of ['one', 'x200'] as Layout[]) {
      for (const m of methods) {
        // cpu composite at 10M takes seconds per step: the fused path only there.
        const slowCpu = backend === 'cpu' && params > 1_000_000;
        // 10M-parameter steps take 5–500 ms, so fewer of them give stable medians; the section
        // time (issue 5: the whole bench < 15 min) is dominated by them.
        const big = params > 1_000_000;
        const gs: Sampling = big ? { warmup: 1, rounds: quick ? 3 : 4, stepsPerRound: 2 } : backend === 'cpu' ? { warmup: 1, rounds: quick ? 3 : 4, stepsPerRound: 2 } : s;
        const g = benchDiagonalGroup(m, params, layout, gs, {
          composite: !slowCpu,
          baseline: !slowCpu,
          checked: m.id === 'adamw',
          // The scalar-JS variant on wasm (SIMD off) at 1M only: at 10M one bf16 step is > 1 s.
          jsLoop: backend === 'wasm' && (m.id === 'adamw' || m.id === 'rfadamw-bf16') && !quick && !big,
        });
        groups.push(g);
        log(`${backend} ${m.id} ${params} ${layout}: ${Object.entries(g.samples).map(([k, v]) => `${k} ${median(v).toFixed(2)}`).join(', ')} ms`);
      }
    }
  }
  // Where the 200-small-tensors gap comes from: memory layout (bare kernel) vs per-tensor JS.
  const smallTensors = benchSmallTensors({ warmup: 3, rounds: quick ? 5 : 15, stepsPerRound: backend === 'cpu' ? 2 : 5 });
  log(`small tensors: ${Object.entries(smallTensors.samples).map(([k, v]) => `${k} ${median(v).toFixed(2)}`).join(', ')} ms; JS ${smallTensors.jsUsPerTensor.toFixed(2)} µs/tensor`);
  return { backend, floor, groups, smallTensors };
}

async function matrix(quick: boolean): Promise<object> {
  const avail = matrixAvailable();
  const s: Sampling = { warmup: 1, rounds: quick ? 3 : 7, stepsPerRound: 1, budgetMs: quick ? 2000 : 4000 };
  const rows: MatrixRow[] = [];
  const shapes = quick ? MATRIX_SHAPES.filter((m) => m.id === '256x256' || m.id === 'conv3x3x64x64') : MATRIX_SHAPES;
  if (avail.ifShampoo) {
    for (const ms of shapes) {
      for (const precision of ['float32', 'bfloat16']) {
        for (const st of IF_STRUCTURES) {
          const row = await benchMatrixRow('IFShampoo', ms, st, precision, s);
          rows.push(row);
          log(`IFShampoo ${ms.id} ${st} ${precision}: ${row.error ?? `${median(row.samples).toFixed(1)} ms = ${median(row.ratios).toFixed(2)} matmuls`}`);
        }
      }
    }
  }
  // SINGD and Muon next to them (issue 18): the same shapes, SINGD with IF-Shampoo's structures
  // (K and C alike), Muon's five Newton–Schulz steps in bf16 (the reference) and float32.
  if (avail.singd) {
    for (const ms of shapes) {
      for (const precision of ['float32', 'bfloat16']) {
        for (const st of IF_STRUCTURES) {
          const row = await benchMatrixRow('SINGD', ms, st, precision, s);
          rows.push(row);
          log(`SINGD ${ms.id} ${st} ${precision}: ${row.error ?? `${median(row.samples).toFixed(1)} ms = ${median(row.ratios).toFixed(2)} matmuls`}`);
        }
      }
    }
  }
  if (avail.muon) {
    for (const ms of shapes) {
      for (const precision of ['bfloat16', 'float32']) {
        const row = await benchMatrixRow('Muon', ms, 'ns5', precision, s);
        rows.push(row);
        log(`Muon ${ms.id} ns5 ${precision}: ${row.error ?? `${median(row.samples).toFixed(1)} ms = ${median(row.ratios).toFixed(2)} matmuls`}`);
      }
    }
  }
  if (avail.shampoo) {
    for (const ms of shapes) {
      for (const method of ['eigen', 'newton']) {
        const row = await benchMatrixRow('Shampoo', ms, method, 'float32', s);
        rows.push(row);
        log(`Shampoo ${ms.id} ${method}: ${row.error ?? `${median(row.samples).toFixed(1)} ms = ${median(row.ratios).toFixed(2)} matmuls`}`);
      }
    }
  }
  return { available: avail, rows };
}

async function threads(n: number, quick: boolean): Promise<object> {
  const s = sampling(quick);
  const a = tf.randomNormal([1024, 1024]);
  const b = tf.randomNormal([1024, 1024]);
  const variants = [{ name: 'matMul 1024', run: () => tf.tidy(() => void tf.matMul(a, b).dataSync()) }];
  const t = timeVariants(variants, { ...s, stepsPerRound: 2 });
  a.dispose();
  b.dispose();
  const adam = DIAGONAL_METHODS.find((m) => m.id === 'adamw')!;
  const g = benchDiagonalGroup(adam, 10_000_000, 'one', s, { composite: false, baseline: true, checked: false });
  const actual = (tf.backend() as any).wasm?.tfjs?.getThreadsCount?.() ?? null;
  return { threads: n, threadsActual: actual, samples: { 'matMul 1024': t['matMul 1024'], 'fused AdamW 10M': g.samples.fused, 'tf.train.adam 10M': g.samples.baseline } };
}

async function train(quick: boolean): Promise<object> {
  const s: Sampling = quick ? { warmup: 1, rounds: 3, stepsPerRound: 1 } : { warmup: 2, rounds: 5, stepsPerRound: 2 };
  const groups = [];
  const names = Object.keys(optimizerFactories());
  for (const model of trainStepModels()) {
    const g = benchTrainSteps(model, 128, trainStepOptimizers(model, names), s);
    groups.push(g);
    log(`train ${model}: ${Object.entries(g.samples).map(([k, v]) => `${k} ${median(v).toFixed(1)}`).join(', ')} ms${Object.keys(g.errors).length ? `; errors: ${JSON.stringify(g.errors)}` : ''}`);
  }
  return { groups };
}

/** `rootfree halfprec` (issue 3: its results belong in BENCHMARKS.md): the default lstsq problem. */
async function halfprec(): Promise<object> {
  const steps = 300;
  const report = await runHalfprecSuite({
    problem: 'lstsq',
    steps,
    seed: 0,
    onRun: (r, i, total) => log(`halfprec [${i}/${total}] ${r.method} ${r.precision}: ${r.failure ? `failed at step ${r.failure.step} (${r.failure.kind})` : `final loss ${r.finalLoss.toExponential(3)}`}`),
  });
  return { equivalentCommand: `npx rootfree halfprec --problem lstsq --steps ${steps} --seed 0`, report, markdown: formatMarkdown(report.rows) };
}

async function main(): Promise<void> {
  const task = JSON.parse(process.argv[2] ?? '{}') as Task;
  const backend = task.backend ?? 'wasm';
  await useBackend(backend, { threads: task.threads ?? 1, onWarning: (m) => log(`warning: ${m}`) });
  let result: object;
  if (task.task === 'diagonal') result = await diagonal(backend, !!task.quick);
  else if (task.task === 'matrix') result = await matrix(!!task.quick);
  else if (task.task === 'threads') result = await threads(task.threads ?? 1, !!task.quick);
  else if (task.task === 'train') result = await train(!!task.quick);
  else if (task.task === 'halfprec') result = await halfprec();
  else throw new Error(`unknown task ${JSON.stringify(task)}`);
  // The threaded wasm build keeps worker threads alive: exit explicitly once the result is out.
  process.stdout.write(`\n@@RESULT@@${JSON.stringify(result)}\n`, () => process.exit(0));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
