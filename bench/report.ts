import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { median } from './lib.js';

/** Regenerates BENCHMARKS.md from bench/results/*.json: every figure with its command; ratios within one run. */

const f = (x: number | undefined, d = 2): string => (x === undefined || !Number.isFinite(x) ? '–' : x >= 100 ? x.toFixed(0) : x.toFixed(d));
const load = (dir: string, name: string): any => {
  const p = path.join(dir, `${name}.json`);
  return existsSync(p) ? JSON.parse(readFileSync(p, 'utf8')) : null;
};
const med = (xs: number[] | undefined): number | undefined => (xs && xs.length ? median(xs) : undefined);
const sizeLabel = (n: number): string => (n >= 1e6 ? `${n / 1e6}M` : `${n / 1e3}k`);

function machineLine(r: any): string {
  const m = r.machine;
  return `${m.cpuModel}, ${m.cores} cores, ${m.memGiB} GiB, Node ${m.node}, tfjs-core ${m.tfjs} / wasm ${m.tfjsWasm}, commit ${m.commit}, ${m.date.slice(0, 16).replace('T', ' ')} UTC, load average at the end ${m.loadavg.map((x: number) => x.toFixed(1)).join(' ')}`;
}

function diagonalSection(r: any, out: string[]): void {
  const be = r.backend;
  const fl = r.floor;
  const bw = fl.simdTriadGBps ?? fl.triadGBps;
  out.push(`### Diagonal optimizer steps on \`${be}\``, '', `Command: \`${r.command}\` → \`bench/results/diagonal-${be}.json\`. Machine: ${machineLine(r)}.`, '');
  out.push(
    `Memory floor in the same process (10M float32): JS scalar triad \`a[i] = b[i] + s·c[i]\` ${f(fl.triadGBps, 1)} GB/s, ` +
      (fl.simdTriadGBps ? `wasm SIMD triad over the tfjs heap ${f(fl.simdTriadGBps, 1)} GB/s, ` : '') +
      `\`Float32Array.set\` copy ${f(fl.copyGBps, 1)} GB/s. "floor" below = bytes the step must move ÷ ${fl.simdTriadGBps ? 'SIMD' : 'JS'} triad bandwidth (${f(bw, 1)} GB/s).`,
    '',
  );
  out.push('| method | B/param | params | layout | fused ms | floor ms | fused ÷ floor | composite ms | composite ÷ fused | tf.train.* ms | tf.train ÷ fused | fused JS loop ms | x200 ÷ one (fused) |');
  out.push('|---|---|---|---|---|---|---|---|---|---|---|---|---|');
  for (const g of r.groups) {
    const fu = med(g.samples.fused)!;
    const floor = (g.bytesPerParam * g.params) / (bw * 1e6);
    const one = r.groups.find((h: any) => h.method === g.method && h.params === g.params && h.layout === 'one');
    const x200 = g.layout === 'x200' && one ? fu / med(one.samples.fused)! : undefined;
    const co = med(g.samples.composite);
    const ba = med(g.samples.baseline);
    out.push(
      `| ${g.label} | ${g.bytesPerParam} | ${sizeLabel(g.params)} | ${g.layout === 'one' ? '1 tensor' : '200 tensors'} | ${f(fu)} | ${f(floor)} | ${f(fu / floor)} | ${f(co)} | ${co ? f(co / fu, 1) + '×' : '–'} | ${ba ? `${f(ba)} (${g.baselineLabel})` : '–'} | ${ba ? f(ba / fu, 1) + '×' : '–'} | ${f(med(g.samples.fusedJs))} | ${x200 ? f(x200) + '×' : ''} |`,
    );
  }
  const checked = r.groups.filter((g: any) => g.samples.fusedChecked);
  if (checked.length) {
    out.push('', `Default NaN/Inf policy (\`nonFinite: 'throw'\`, one extra read pass over the gradients, no tfjs ops) vs \`'none'\` (the table above), AdamW fused: ` +
      checked.map((g: any) => `${sizeLabel(g.params)} ${g.layout}: ${f(med(g.samples.fusedChecked))} vs ${f(med(g.samples.fused))} ms`).join('; ') + '.');
  }
  out.push('');
}

function targets(wasm: any, out: string[]): void {
  if (!wasm) return;
  const bw = wasm.floor.simdTriadGBps ?? wasm.floor.triadGBps;
  const g = (m: string, p: number, l: string): any => wasm.groups.find((x: any) => x.method === m && x.params === p && x.layout === l);
  const a10 = g('adamw', 10_000_000, 'one');
  const a10x = g('adamw', 10_000_000, 'x200');
  const a1 = g('adamw', 1_000_000, 'one');
  const a1x = g('adamw', 1_000_000, 'x200');
  out.push('### Targets (wasm, from the run above)', '');
  const worstFloor = wasm.groups.filter((x: any) => x.params === 10_000_000).map((x: any) => ({ id: `${x.label} (${x.layout})`, r: med(x.samples.fused)! / ((x.bytesPerParam * x.params) / (bw * 1e6)) }));
  worstFloor.sort((p: any, q: any) => q.r - p.r);
  if (worstFloor.length) out.push(`- Fused diagonal steps within 2× of the memory floor at 10M parameters: worst ${worstFloor[0].id} at ${f(worstFloor[0].r)}× the SIMD-triad floor, best ${worstFloor[worstFloor.length - 1].id} at ${f(worstFloor[worstFloor.length - 1].r)}×. ${worstFloor[0].r <= 2 ? 'Met.' : 'Missed for the rows above 2×.'}`);
  if (a10?.samples.baseline) {
    const r = med(a10.samples.baseline)! / med(a10.samples.fused)!;
    out.push(`- ≥ 5× faster than \`tf.train.adam\` on wasm: AdamW 10M one tensor ${f(r, 1)}×${a10x?.samples.baseline ? `, 200 tensors ${f(med(a10x.samples.baseline)! / med(a10x.samples.fused)!, 1)}×` : ''}${a1?.samples.baseline ? `; 1M: ${f(med(a1.samples.baseline)! / med(a1.samples.fused)!, 1)}× / ${f(med(a1x.samples.baseline)! / med(a1x.samples.fused)!, 1)}×` : ''}. ${r >= 5 ? 'Met at 10M.' : 'Missed at 10M (see notes).'}`);
  }
  if (a10 && a10x && a1 && a1x) {
    const r10 = med(a10x.samples.fused)! / med(a10.samples.fused)!;
    const r1 = med(a1x.samples.fused)! / med(a1.samples.fused)!;
    out.push(`- 200 small tensors within 1.3× of one tensor (AdamW fused): 10M (200 × 50k) ${f(r10)}×, 1M (200 × 5k) ${f(r1)}×. ${r10 <= 1.3 && r1 <= 1.3 ? 'Met.' : r10 <= 1.3 ? 'Met at 10M, missed at 1M (see notes).' : 'Missed (see notes).'}`);
  }
  out.push('');
}

function matrixSection(r: any, out: string[]): void {
  out.push('## IF-Shampoo and Shampoo step costs (wasm)', '');
  if (!r || (!r.available.ifShampoo && !r.available.shampoo)) {
    out.push('not available yet (`IFShampoo` / `Shampoo` are not exported from src/index.ts).', '');
    return;
  }
  out.push(`Command: \`${r.command}\` → \`bench/results/matrix-wasm.json\`. Machine: ${machineLine(r)}.`, '');
  out.push('Step = one `applyGradients` with a preconditioner update on every step (IF-Shampoo T = 1; Shampoo preconditionFrequency = 1, inverse roots recomputed every step: the worst case). "matmuls" = step time ÷ one d×d×d `tf.matMul` (d = largest dim) timed in the same process. State bytes = optimizer state as stored (float32 storage, also for bf16 values).', '');
  out.push('| optimizer | shape | structure / root | precision | step ms | matmul ms (d) | matmuls | state bytes |');
  out.push('|---|---|---|---|---|---|---|---|');
  for (const row of r.rows) {
    if (row.error) {
      out.push(`| ${row.optimizer} | ${row.shape} | ${row.variant} | ${row.precision} | error: ${row.error.replace(/\|/g, '/')} | | | |`);
      continue;
    }
    const ms = med(row.samples)!;
    out.push(`| ${row.optimizer} | ${row.shape} | ${row.variant} | ${row.precision} | ${f(ms)} | ${f(row.matmulMs)} (${row.matmulDim}) | ${f(ms / row.matmulMs, 1)} | ${row.stateBytes.toLocaleString('en-US')} |`);
  }
  out.push('');
}

function trainSection(r: any, out: string[]): void {
  if (!r) return;
  out.push('## Training steps per optimizer (harness models, wasm)', '', `Command: \`${r.command}\` → \`bench/results/train-wasm.json\`. Machine: ${machineLine(r)}. Batch 128 of synthetic 28×28×1 inputs; forward + backward (\`tf.variableGrads\`) + \`applyGradients\`; each optimizer on its own model copy, rounds alternating.`, '');
  for (const g of r.groups) {
    const sgd = med(g.samples.SGD);
    out.push(`**${g.model}** (${g.params.toLocaleString('en-US')} parameters)`, '', '| optimizer | ms / step | ÷ SGD |', '|---|---|---|');
    for (const [name, xs] of Object.entries(g.samples) as Array<[string, number[]]>) out.push(`| ${name} | ${f(med(xs))} | ${sgd ? f(med(xs)! / sgd) : '–'} |`);
    for (const [name, e] of Object.entries(g.errors)) out.push(`| ${name} | error: ${String(e).replace(/\|/g, '/')} | |`);
    out.push('');
  }
}

function threadsSection(r: any, out: string[]): void {
  if (!r) return;
  out.push('## wasm: 1 vs 2 XNNPACK threads', '', `Command: \`${r.command}\` → \`bench/results/threads-wasm.json\`. Machine: ${machineLine(r)}. Separate child processes (\`useBackend('wasm', { threads })\`), alternated.`, '');
  const keys = Object.keys(r.runs[0].samples);
  out.push('| threads (actual) | ' + keys.join(' ms | ') + ' ms |', '|---|' + keys.map(() => '---|').join(''));
  for (const t of [1, 2]) {
    const runs = r.runs.filter((x: any) => x.threads === t);
    if (!runs.length) continue;
    out.push(`| ${t} (${runs.map((x: any) => x.threadsActual ?? '?').join(',')}) | ` + keys.map((k) => f(median(runs.flatMap((x: any) => x.samples[k] ?? [])))).join(' | ') + ' |');
  }
  out.push('');
}

function trainingSection(r: any, out: string[]): void {
  if (!r) return;
  out.push('## Harness training workloads (bench/training.ts `benchTraining`)', '', `Command: \`${r.command}\` → \`bench/results/training.json\`.`, '', '| workload | kernels | threads | median ms / step | steps | error |', '|---|---|---|---|---|---|');
  for (const s of r.summary ?? []) out.push(`| ${s.workload} | ${s.kernels} | ${s.threads} | ${f(s.medianMsPerStep ?? undefined)} | ${s.steps} | ${s.error ?? ''} |`);
  out.push('');
}

export function writeReport(dir: string, file: string): void {
  const out: string[] = ['# rootfree benchmarks', '', 'Generated by `npm run bench` (`bench/run.ts`; `--quick` for a short run, `--only diagonal,matrix,train,threads,training` for sections). Raw samples: `bench/results/*.json`. Every section runs in its own child process; variants compared with each other run in the same process, warmed up, then in alternating rounds (order rotated); figures are medians of per-round means. Ratios are computed within one run. The machine is shared (other processes may be running: see load average), so absolute numbers are noisy; ratios within a section are the figures to trust.', ''];
  out.push('## Diagonal methods: fused in-place updates', '', 'fused = `applyInPlace` (default on cpu/wasm: one pass over memory, in place on the variables\' storage; wasm SIMD kernels on wasm, JS loops on cpu); composite = the same math with tfjs ops (`fused: false`); tf.train.* = tfjs built-in. `nonFinite: \'none\'` everywhere so no variant pays for a NaN check (tf.train.* has none). B/param = bytes a step must move per parameter (reads of p, g and each state slot, writes of p and each slot; SGD-momentum 20, AdamW/RF-AdamW 28, RMSprop 20, RF-RMSprop with momentum 28).', '');
  const wasm = load(dir, 'diagonal-wasm');
  if (wasm) {
    diagonalSection(wasm, out);
    targets(wasm, out);
  }
  const cpu = load(dir, 'diagonal-cpu');
  if (cpu) diagonalSection(cpu, out);
  matrixSection(load(dir, 'matrix-wasm'), out);
  trainSection(load(dir, 'train-wasm'), out);
  threadsSection(load(dir, 'threads-wasm'), out);
  trainingSection(load(dir, 'training'), out);
  const notes = path.join(path.dirname(file), 'bench', 'NOTES.md');
  if (existsSync(notes)) out.push(readFileSync(notes, 'utf8'));
  writeFileSync(file, out.join('\n') + '\n');
}
