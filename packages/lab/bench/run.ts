/**
 * `npm run bench [-- --quick] [-- --only diagonal,matrix,halfprec,...,peer] [-- --iterations N]`: runs every section in child
 * processes (one backend / wasm build each), writes bench/results/<section>.json (machine, every
 * sample) and regenerates BENCHMARKS.md from all results present.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Task } from './child.js';
import { machine } from './lib.js';
import { benchPeer } from './peer.js';
import { writeReport } from './report.js';

const here = path.dirname(fileURLToPath(import.meta.url));
// Results and BENCHMARKS.md live at the repository root (packages/lab/bench → ../../..).
const repoRoot = path.join(here, '..', '..', '..');
const resultsDir = path.join(repoRoot, 'bench', 'results');

function runChild(task: Task, env: Record<string, string> = {}): Promise<object> {
  return new Promise((resolve, reject) => {
    // tsx as a loader of this Node (npm workspaces hoist its bin to the root, not packages/lab).
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(here, 'child.ts'), JSON.stringify(task)], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, ...env } });
    let out = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), 10 * 60_000);
    child.stdout.on('data', (d) => (out += d));
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      const i = out.lastIndexOf('@@RESULT@@');
      if (code !== 0 || i < 0) return reject(new Error(`bench child ${JSON.stringify(task)} exited with ${code}`));
      resolve(JSON.parse(out.slice(i + '@@RESULT@@'.length)));
    });
  });
}

/** `--iterations N` (or ROOTFREE_BENCH_ITERATIONS): timed steps per peer child; 1 makes a smoke test of the section. */
function iterationsArg(argv: string[]): number | undefined {
  const i = argv.indexOf('--iterations');
  const raw = i >= 0 ? argv[i + 1] : process.env.ROOTFREE_BENCH_ITERATIONS;
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--iterations: expected a positive integer, got ${JSON.stringify(raw)}`);
  return n;
}

function save(name: string, command: string, data: object): void {
  mkdirSync(resultsDir, { recursive: true });
  writeFileSync(path.join(resultsDir, `${name}.json`), JSON.stringify({ name, command, machine: machine(), ...data }, null, 1) + '\n');
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const quick = argv.includes('--quick');
  const onlyArg = argv.indexOf('--only');
  const only = onlyArg >= 0 ? new Set(argv[onlyArg + 1].split(',')) : null;
  const want = (s: string): boolean => only === null || only.has(s);
  const command = `npm run bench${argv.length ? ` -- ${argv.join(' ')}` : ''}`;
  const t0 = Date.now();
  const step = (m: string): void => console.error(`[bench +${((Date.now() - t0) / 1000).toFixed(0)}s] ${m}`);

  if (want('diagonal')) {
    for (const backend of ['wasm', 'cpu'] as const) {
      step(`diagonal steps on ${backend}`);
      save(`diagonal-${backend}`, command, await runChild({ task: 'diagonal', backend, quick }));
    }
  }
  if (want('matrix')) {
    step('IF-Shampoo / Shampoo step costs (wasm)');
    save('matrix-wasm', command, await runChild({ task: 'matrix', backend: 'wasm', quick }));
  }
  if (want('halfprec')) {
    step('half precision: rootfree halfprec (lstsq, 300 steps)');
    save('halfprec-wasm', command, await runChild({ task: 'halfprec', backend: 'wasm', quick }));
  }
  if (want('train')) {
    step('training steps per optimizer (wasm)');
    save('train-wasm', command, await runChild({ task: 'train', backend: 'wasm', quick }));
  }
  if (want('threads')) {
    const runs: object[] = [];
    // Alternate 1- and 2-thread processes (a process can initialise only one wasm build).
    for (let pass = 0; pass < (quick ? 1 : 2); pass++) {
      for (const threads of [1, 2]) {
        step(`wasm ${threads} thread(s), pass ${pass + 1}`);
        runs.push({ pass, ...(await runChild({ task: 'threads', backend: 'wasm', threads, quick })) });
      }
    }
    save('threads-wasm', command, { runs });
  }
  if (want('training') && existsSync(path.join(here, 'training.ts'))) {
    // Stock tfjs-wasm (as shipped; cannot train the CNN: no Conv2DBackpropFilter), stock plus only
    // that one kernel (the CNN baseline), and rootfree's kernels; 1 and 2 threads; child processes
    // alternated, passes rotated.
    step('harness training workloads: stock vs rootfree kernels (bench/training.ts)');
    try {
      const mod = (await import('./training.js')) as { benchTraining?: (o: object) => Promise<object> };
      if (mod.benchTraining) {
        const r = await mod.benchTraining({
          kernels: ['stock', 'stock+dW', 'rootfree'],
          threads: [1, 2],
          passes: quick ? 1 : 2,
          warmup: quick ? 1 : 2,
          rounds: quick ? 2 : 3,
          onProgress: (m: string) => step(m),
        });
        save('training', command, r);
      }
    } catch (e) {
      step(`training bench failed: ${(e as Error).message}`);
    }
  }
  if (want('peer')) {
    // PyTorch CPU on the same conv nets, alternated with rootfree at 1 and 2 threads (bench/peer.ts);
    // skipped with an install note when /usr/bin/python3 has no torch.
    step('rootfree vs PyTorch CPU (bench/peer.ts)');
    const iterations = iterationsArg(argv);
    const tiny = iterations !== undefined ? { passes: 1, warmup: 0, steps: iterations, gemm: { n: 128, reps: iterations } } : {};
    save('peer', command, await benchPeer({ ...(quick ? { passes: 1, steps: 5 } : {}), ...tiny, onProgress: step }));
  }
  writeReport(resultsDir, path.join(repoRoot, 'BENCHMARKS.md'));
  step('wrote BENCHMARKS.md');
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
