/**
 * `npm run bench -- --only peer`: the study's conv nets (fmnist-cnn, fmnist-resnet; batch 128,
 * SGD) in rootfree (wasm) and in PyTorch CPU, at 1 and 2 threads, child processes alternated
 * (rootfree, PyTorch, rootfree, … with the order flipped every pass). Each child also measures its
 * own GEMM rate (n×n·n×n, GFLOP/s), so the step ratio can be read against the raw matmul ratio of
 * the same run. PyTorch comes from Debian: `apt-get install -y python3-torch libopenblas0-pthread`
 * (/usr/bin/python3); without it the section is skipped with that note.
 * Standalone: `npx tsx bench/peer.ts [--iterations N]` (N timed steps per child; 1 = smoke test).
 */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PeerConfig, PeerModel } from './peerChild.js';
import { runJsonChild } from './jsonChild.js';
import { medianOrNull } from './stats.js';

export const PYTHON = '/usr/bin/python3';
export const INSTALL_HINT = 'apt-get install -y python3-torch libopenblas0-pthread';

export interface PeerOptions {
  models?: PeerModel[];
  threads?: number[];
  passes?: number;
  warmup?: number;
  steps?: number;
  gemm?: { n: number; reps: number };
  timeoutMs?: number;
  onProgress?: (m: string) => void;
}

export interface PeerSample { side: 'rootfree' | 'pytorch'; model: PeerModel; threads: number; pass: number; msPerStep?: number[]; gemmGflops?: number; error?: string; [k: string]: unknown }

export interface PeerRow {
  model: PeerModel;
  threads: number;
  rootfreeMs: number | null;
  pytorchMs: number | null;
  /** rootfree ÷ PyTorch ms per step (> 1: rootfree slower). */
  ratio: number | null;
  rootfreeGemmGflops: number | null;
  pytorchGemmGflops: number | null;
}

export interface PeerResult { name: 'peer'; skipped?: string; torch?: string; options?: object; samples: PeerSample[]; rows: PeerRow[] }

const here = path.dirname(fileURLToPath(import.meta.url));

/** PyTorch's version when `/usr/bin/python3` can import torch, else null. */
export function torchVersion(): string | null {
  const r = spawnSync(PYTHON, ['-c', 'import torch; print(torch.__version__)'], { encoding: 'utf8', timeout: 120_000 });
  return r.status === 0 ? r.stdout.trim() : null;
}

async function runChild(cmd: string, args: string[], timeoutMs: number): Promise<Record<string, unknown>> {
  const r = await runJsonChild(cmd, args, path.resolve(here, '..'), timeoutMs);
  return 'json' in r ? r.json : { error: r.error };
}

export async function benchPeer(opts: PeerOptions = {}): Promise<PeerResult> {
  const torch = torchVersion();
  if (torch === null) {
    return { name: 'peer', skipped: `PyTorch is not installed for ${PYTHON}; install it with \`${INSTALL_HINT}\` and re-run \`npm run bench -- --only peer\``, samples: [], rows: [] };
  }
  const o = {
    models: opts.models ?? (['fmnist-cnn', 'fmnist-resnet'] as PeerModel[]),
    threads: opts.threads ?? [1, 2],
    passes: opts.passes ?? 2,
    warmup: opts.warmup ?? 3,
    steps: opts.steps ?? 10,
    gemm: opts.gemm ?? { n: 512, reps: 20 },
    timeoutMs: opts.timeoutMs ?? 600_000,
  };
  const progress = opts.onProgress ?? (() => undefined);
  const samples: PeerSample[] = [];
  for (let pass = 0; pass < o.passes; pass++) {
    for (const model of o.models) {
      for (const threads of o.threads) {
        const cfg: PeerConfig = { model, threads, batch: 128, warmup: o.warmup, steps: o.steps, gemm: o.gemm };
        const sides: Array<'rootfree' | 'pytorch'> = pass % 2 === 0 ? ['rootfree', 'pytorch'] : ['pytorch', 'rootfree'];
        for (const side of sides) {
          progress(`peer pass ${pass + 1}/${o.passes}: ${model}, ${threads} thread(s), ${side}`);
          const r = side === 'rootfree'
            ? await runChild(process.execPath, ['--import', 'tsx', path.join(here, 'peerChild.ts'), JSON.stringify(cfg)], o.timeoutMs)
            : await runChild(PYTHON, [path.join(here, 'peer.py'), JSON.stringify(cfg)], o.timeoutMs);
          samples.push({ ...r, side, model, threads, pass });
        }
      }
    }
  }
  const rows: PeerRow[] = [];
  for (const model of o.models) {
    for (const threads of o.threads) {
      const of = (side: string) => samples.filter((s) => s.side === side && s.model === model && s.threads === threads && !s.error);
      const ms = (side: string) => medianOrNull(of(side).flatMap((s) => s.msPerStep ?? []));
      const gf = (side: string) => medianOrNull(of(side).map((s) => s.gemmGflops ?? NaN).filter(Number.isFinite));
      const [r, p] = [ms('rootfree'), ms('pytorch')];
      rows.push({ model, threads, rootfreeMs: r, pytorchMs: p, ratio: r !== null && p !== null ? r / p : null, rootfreeGemmGflops: gf('rootfree'), pytorchGemmGflops: gf('pytorch') });
    }
  }
  return { name: 'peer', torch, options: o, samples, rows };
}

/** Markdown for BENCHMARKS.md (bench/report.ts). */
export function peerSection(r: PeerResult | null, out: string[]): void {
  out.push('## rootfree vs PyTorch CPU (fmnist-cnn, fmnist-resnet)', '');
  if (!r) return void out.push('Not run yet: `npm run bench -- --only peer`.', '');
  if (r.skipped) return void out.push(`Skipped: ${r.skipped}.`, '');
  out.push(
    `Command: \`npm run bench -- --only peer\` → \`bench/results/peer.json\`. PyTorch ${r.torch} (${PYTHON}), batch 128, SGD, one training step = forward + backward + update; rootfree on wasm with its kernels. Child processes alternated (order flipped each pass); medians over every timed step. GEMM: ${JSON.stringify((r.options as { gemm?: object })?.gemm)} (n×n by n×n), in each child after the steps: operands resident, one warm-up product, median of 5 rounds of reps products, no read-back in the timed region.`,
    '',
    '| model | threads | rootfree ms/step | PyTorch ms/step | rootfree ÷ PyTorch | rootfree GEMM GFLOP/s | PyTorch GEMM GFLOP/s |',
    '|---|---|---|---|---|---|---|',
  );
  const f = (v: number | null, d = 1) => (v === null ? 'n/a' : v.toFixed(d));
  for (const row of r.rows) {
    out.push(`| ${row.model} | ${row.threads} | ${f(row.rootfreeMs)} | ${f(row.pytorchMs)} | ${row.ratio === null ? 'n/a' : `${row.ratio.toFixed(2)}×`} | ${f(row.rootfreeGemmGflops)} | ${f(row.pytorchGemmGflops)} |`);
  }
  const errors = r.samples.filter((s) => s.error);
  if (errors.length) out.push('', `Failed children: ${errors.map((s) => `${s.side} ${s.model}/${s.threads}: ${s.error}`).join('; ')}`);
  out.push('');
}

// Standalone: `npx tsx bench/peer.ts [--iterations N]`; prints the table, writes nothing.
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const i = process.argv.indexOf('--iterations');
  const n = i >= 0 ? Number(process.argv[i + 1]) : undefined;
  const tiny = n !== undefined ? { passes: 1, warmup: 0, steps: n, gemm: { n: 128, reps: n } } : {};
  benchPeer({ ...tiny, onProgress: (m) => console.error(m) }).then((r) => {
    const out: string[] = [];
    peerSection(r, out);
    console.log(out.join('\n'));
  });
}
