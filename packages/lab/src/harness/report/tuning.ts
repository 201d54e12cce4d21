import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { heavyBall, optimizerLabel, type HpName } from '../optimizers.js';
import { getTask, type Budget, type TaskSpec } from '../tasks.js';
import { writeAtomic } from '../../util/writeAtomic.js';
import { score, type Ranges, type Trial } from '../tune/trial.js';
import { atHardLimit, edgeWarnings } from '../tune/edges.js';
import { PALETTE, scatterChart, type ScatterSeries } from './svg.js';

/** One `rootfree tune --out <dir>`: one task, one optimizer, stage 1 and optionally stage 2. */
export interface TuneDir {
  dir: string;
  task: string;
  optimizer: string;
  budget: Budget;
  seed: number;
  ranges: { stage1: Ranges; stage2?: Ranges; stage3?: Ranges };
  trials: Trial[];
}

export interface OptimizerTuning {
  optimizer: string;
  label: string;
  dir: string;
  seed: number;
  budget: Budget;
  ranges: { stage1: Ranges; stage2?: Ranges; stage3?: Ranges };
  counts: { stage1: number; stage2: number; stage3: number; diverged: number };
  /** The selected trial (best validation metric), null when every trial diverged. */
  best: Trial | null;
  /** Median and worst validation metric over the trials that did not diverge (NaN if none). */
  median: number;
  worst: number;
  /** Best first (the order `tune` selects by); diverged trials last. */
  trials: Trial[];
}

export interface TuningData {
  task: string;
  metric: 'accuracy' | 'bpc';
  higherIsBetter: boolean;
  optimizers: OptimizerTuning[];
}

interface StageMeta {
  task: string;
  optimizer: string;
  budget: Budget;
  seed: number;
  ranges: Ranges;
  /** Run key of each trial of the current configuration (tune writes it); lines with other keys are earlier configurations. */
  keys?: string[];
}

function readJson(file: string): unknown {
  if (!existsSync(file)) throw new Error(`${file}: missing (expected the output of \`rootfree tune\`)`);
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new Error(`${file}: not valid JSON (${(e as Error).message})`);
  }
}

function readStageMeta(file: string): StageMeta {
  const m = readJson(file) as Partial<StageMeta>;
  if (typeof m?.task !== 'string' || typeof m.optimizer !== 'string' || typeof m.ranges !== 'object' || m.ranges === null) {
    throw new Error(`${file}: expected {task, optimizer, budget, seed, ranges, ...} as written by \`rootfree tune\``);
  }
  return { task: m.task, optimizer: m.optimizer, budget: m.budget ?? ({} as Budget), seed: m.seed ?? NaN, ranges: m.ranges, ...(Array.isArray(m.keys) ? { keys: m.keys } : {}) };
}

// JSON has no NaN: a diverged trial's val/valLoss come back as null.
const num = (v: unknown) => (typeof v === 'number' ? v : NaN);

function readTrialLines(file: string, stage: 1 | 2 | 3, keys?: string[]): Trial[] {
  if (!existsSync(file)) throw new Error(`${file}: missing (expected one JSON line per trial from \`rootfree tune\`)`);
  const out: Trial[] = [];
  readFileSync(file, 'utf8')
    .split('\n')
    .forEach((line, i) => {
      if (!line.trim()) return;
      let t: Partial<Record<keyof Trial, unknown>>;
      try {
        t = JSON.parse(line) as typeof t;
      } catch (e) {
        throw new Error(`${file}:${i + 1}: not valid JSON (${(e as Error).message})`);
      }
      if (typeof t.trial !== 'number' || typeof t.hp !== 'object' || t.hp === null) throw new Error(`${file}:${i + 1}: expected a trial {stage, trial, hp, val, ...}`);
      if (keys && !keys.includes(t.key as string)) return;
      if (t.stage !== undefined && t.stage !== stage) throw new Error(`${file}:${i + 1}: trial of stage ${String(t.stage)} in the stage-${stage} file`);
      out.push({ stage, trial: t.trial, hp: t.hp as Trial['hp'], val: num(t.val), valLoss: num(t.valLoss), diverged: t.diverged === true || !Number.isFinite(num(t.val)), trainSeconds: num(t.trainSeconds) });
    });
  return out;
}

/**
 * Reads one tune directory. Stage 1 (`stage1.json` + `stage1.jsonl`) is required. Stage 2 is
 * optional; `tune` writes `stage2.json` before its first trial finishes, so `stage2.json`
 * without `stage2.jsonl` means zero stage-2 trials, but trials without their ranges are an error.
 */
export function readTuneDir(dir: string): TuneDir {
  const s1 = readStageMeta(join(dir, 'stage1.json'));
  const trials = readTrialLines(join(dir, 'stage1.jsonl'), 1, s1.keys);
  const ranges: TuneDir['ranges'] = { stage1: s1.ranges };
  const s2File = join(dir, 'stage2.json');
  const s2Lines = join(dir, 'stage2.jsonl');
  if (existsSync(s2File) || existsSync(s2Lines)) {
    const s2 = readStageMeta(s2File);
    if (s2.task !== s1.task || s2.optimizer !== s1.optimizer) {
      throw new Error(`${dir}: stage2.json is for ${s2.optimizer} on ${s2.task} but stage1.json for ${s1.optimizer} on ${s1.task}`);
    }
    ranges.stage2 = s2.ranges;
    if (existsSync(s2Lines)) trials.push(...readTrialLines(s2Lines, 2, s2.keys));
  }
  // Stage 3: `tune --extend-edges` (ranges widened where the best trial sat at an edge).
  const s3File = join(dir, 'stage3.json');
  if (existsSync(s3File)) {
    const s3 = readStageMeta(s3File);
    ranges.stage3 = s3.ranges;
    if (existsSync(join(dir, 'stage3.jsonl'))) trials.push(...readTrialLines(join(dir, 'stage3.jsonl'), 3, s3.keys));
  }
  return { dir, task: s1.task, optimizer: s1.optimizer, budget: s1.budget, seed: s1.seed, ranges, trials };
}

function median(v: number[]): number {
  if (v.length === 0) return NaN;
  const s = [...v].sort((a, b) => a - b);
  const h = s.length >> 1;
  return s.length % 2 ? s[h] : (s[h - 1] + s[h]) / 2;
}

function summarizeDir(task: TaskSpec, d: TuneDir, label: string): OptimizerTuning {
  // Stable sort after (stage, trial) order keeps ties deterministic.
  const trials = [...d.trials].sort((a, b) => a.stage - b.stage || a.trial - b.trial).sort((a, b) => {
    const [sa, sb] = [score(task, a), score(task, b)];
    return sa === sb ? 0 : sb > sa ? 1 : -1;
  });
  const ok = trials.filter((t) => score(task, t) > -Infinity);
  const vals = ok.map((t) => t.val);
  const higher = task.metric === 'accuracy';
  return {
    optimizer: d.optimizer,
    label,
    dir: d.dir,
    seed: d.seed,
    budget: d.budget,
    ranges: d.ranges,
    counts: { stage1: d.trials.filter((t) => t.stage === 1).length, stage2: d.trials.filter((t) => t.stage === 2).length, stage3: d.trials.filter((t) => t.stage === 3).length, diverged: trials.length - ok.length },
    best: ok[0] ?? null,
    median: median(vals),
    worst: vals.length ? (higher ? Math.min(...vals) : Math.max(...vals)) : NaN,
    trials,
  };
}

/** Reads the tune directories (one optimizer each, all of one task). */
export function loadTuning(dirs: string[]): TuningData {
  if (dirs.length === 0) throw new Error('no tune directories given');
  const tds = dirs.map(readTuneDir);
  const tasks = new Set(tds.map((d) => d.task));
  if (tasks.size > 1) throw new Error(`tune directories are from different tasks: ${tds.map((d) => `${d.dir} (${d.task})`).join(', ')}`);
  const task = getTask(tds[0].task);
  const count = (o: string) => tds.filter((d) => d.optimizer === o).length;
  // Two dirs of one optimizer (e.g. two seeds) get their directory name to tell them apart.
  const optimizers = tds.map((d) => summarizeDir(task, d, count(d.optimizer) > 1 ? `${optimizerLabel(d.optimizer)} (${basename(d.dir)})` : optimizerLabel(d.optimizer)));
  return { task: task.name, metric: task.metric, higherIsBetter: task.metric === 'accuracy', optimizers };
}

// ---- formatting ----

const HP_ORDER: HpName[] = ['lr', 'momentum', 'weightDecay', 'lrCov', 'damping', 'alpha2', 'T'];

/** Every hyper-parameter searched by any of the optimizers, `lr` first. */
export function searchedHps(data: TuningData): string[] {
  const keys = new Set(data.optimizers.flatMap((o) => [...Object.keys(o.ranges.stage1), ...Object.keys(o.ranges.stage2 ?? {})]));
  return [...HP_ORDER.filter((k) => keys.has(k)), ...[...keys].filter((k) => !HP_ORDER.includes(k as HpName)).sort()];
}

/** 3 significant digits; exponent form outside [1e-3, 1e5) so that small dampings stay readable. */
function sig3(v: number): string {
  if (v !== 0 && Number.isFinite(v) && (Math.abs(v) < 1e-3 || Math.abs(v) >= 1e5)) {
    const [m, e] = v.toExponential(2).split('e');
    return `${Number(m)}e${Number(e)}`;
  }
  return String(Number(v.toPrecision(3)));
}
const metricUnit = (d: TuningData) => (d.metric === 'accuracy' ? 'val acc (%)' : 'val bpc');
const fmtVal = (d: TuningData, v: number) => (Number.isFinite(v) ? (d.metric === 'accuracy' ? (100 * v).toFixed(2) : v.toFixed(3)) : 'diverged');
const hpText = (hp: object) =>
  Object.entries(hp)
    .map(([k, v]) => `${k}=${typeof v === 'number' ? sig3(v) : String(v)}`)
    .join(', ');
const rangeText = (r: Ranges | undefined, k: HpName) => {
  const x = r?.[k];
  return x ? `[${sig3(x[0])}, ${sig3(x[1])}]` : '—';
};

const rangesText = (r: Ranges) =>
  (Object.keys(r) as HpName[])
    .map((k) => `${k} ${rangeText(r, k)}`)
    .join(', ');

function budgetText(b: Budget): string {
  const e = Object.entries(b);
  return e.length ? e.map(([k, v]) => `${k} ${String(v)}`).join(', ') : 'unknown';
}

function budgetLines(d: TuningData): string[] {
  const distinct = new Set(d.optimizers.map((o) => JSON.stringify(o.budget)));
  if (distinct.size <= 1) return [`budget: ${budgetText(d.optimizers[0].budget)}`];
  return ['budgets differ between the tune runs (the comparison is not at equal budget):', ...d.optimizers.map((o) => `- ${o.label}: ${budgetText(o.budget)}`)];
}

const dirLine = (o: OptimizerTuning) =>
  `${o.dir}; seed ${o.seed}; ranges (log-uniform) stage 1: ${rangesText(o.ranges.stage1)}${o.ranges.stage2 ? `; stage 2: ${rangesText(o.ranges.stage2)}` : ''}${o.ranges.stage3 ? `; stage 3 (--extend-edges): ${rangesText(o.ranges.stage3)}` : ''}`;

function selectionLine(d: TuningData): string {
  return `selection: validation split; ${d.higherIsBetter ? 'higher is better' : 'lower is better'}`;
}

// Stage 3 (--extend-edges) exists only for some runs; its columns appear only when one has it.
const hasStage3 = (d: TuningData) => d.optimizers.some((o) => o.counts.stage3 > 0 || o.ranges.stage3 !== undefined);

function summaryHeader(d: TuningData): string[] {
  const u = metricUnit(d);
  const s3 = hasStage3(d);
  return ['optimizer', s3 ? 'trials (stage 1 + 2 + 3)' : 'trials (stage 1 + 2)', 'diverged', `best ${u}`, `median ${u}`, `worst ${u}`, 'best hyper-parameters', 'lr range stage 1', 'lr range stage 2', ...(s3 ? ['lr range stage 3'] : []), 'best at a range edge'];
}

/**
 * Where the selected trial sits at an edge of the widest range searched (tune warns the same way),
 * and what is left to do: `--extend-edges` only if this run has not already widened its ranges.
 */
function edgeText(d: TuningData, o: OptimizerTuning): string {
  const w = edgeWarnings(getTask(d.task), o.trials, o.ranges.stage3 ?? o.ranges.stage1);
  if (!w.length) return 'no';
  const text = w.map((x) => `${x.hp} ${x.side} (${x.reasons.join(', ')}${atHardLimit(x) ? '; its hard limit' : ''})`).join('; ');
  if (w.every(atHardLimit)) return text;
  return text + (o.ranges.stage3 ? ' — after the one --extend-edges widening' : ' — try tune --extend-edges');
}

function summaryRows(d: TuningData): string[][] {
  return d.optimizers.map((o) => [
    o.label,
    `${o.counts.stage1 + o.counts.stage2 + o.counts.stage3} (${o.counts.stage1} + ${o.counts.stage2}${hasStage3(d) ? ` + ${o.counts.stage3}` : ''})`,
    String(o.counts.diverged),
    o.best ? `${fmtVal(d, o.best.val)} (stage ${o.best.stage} trial ${o.best.trial})` : 'all diverged',
    fmtVal(d, o.median),
    fmtVal(d, o.worst),
    o.best ? hpText(o.best.hp) : '—',
    rangeText(o.ranges.stage1, 'lr'),
    o.ranges.stage2 ? rangeText(o.ranges.stage2, 'lr') : '—',
    ...(hasStage3(d) ? [o.ranges.stage3 ? rangeText(o.ranges.stage3, 'lr') : '—'] : []),
    edgeText(d, o),
  ]);
}

const trialHeader = (d: TuningData) => ['rank', 'stage', 'trial', metricUnit(d), 'val loss', 'train s', 'hyper-parameters'];
const trialRows = (d: TuningData, o: OptimizerTuning) =>
  o.trials.map((t, i) => [String(i + 1), String(t.stage), String(t.trial), fmtVal(d, t.val), Number.isFinite(t.valLoss) ? t.valLoss.toFixed(4) : 'NaN', Number.isFinite(t.trainSeconds) ? t.trainSeconds.toFixed(1) : '—', hpText(t.hp)]);

const mdTable = (head: string[], rows: string[][]) => ['| ' + head.join(' | ') + ' |', '|' + head.map(() => '---').join('|') + '|', ...rows.map((r) => '| ' + r.join(' | ') + ' |')];

/** The per-optimizer summary as a markdown table (also what the CLI prints). */
export function summaryTable(d: TuningData): string {
  return mdTable(summaryHeader(d), summaryRows(d)).join('\n');
}

export function tuningMarkdown(d: TuningData): string {
  const out = ['# rootfree tune: hyper-parameter sensitivity', '', `task: ${d.task}`, '', ...budgetLines(d), '', selectionLine(d), '', summaryTable(d), ''];
  for (const o of d.optimizers) {
    out.push(`## ${o.label}`, '', dirLine(o), '');
    out.push(...mdTable(trialHeader(d), trialRows(d, o)), '');
  }
  return out.join('\n');
}

const esc = (x: string) => x.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const htmlTable = (head: string[], rows: string[][]) =>
  '<table><tr>' + head.map((h) => `<th>${esc(h)}</th>`).join('') + '</tr>' + rows.map((r) => '<tr>' + r.map((c) => `<td>${esc(c)}</td>`).join('') + '</tr>').join('') + '</table>';

/** One scatter plot per searched hyper-parameter; only optimizers that search it appear in it. */
export function tuningCharts(d: TuningData): string[] {
  const scale = d.metric === 'accuracy' ? 100 : 1;
  const yName = d.metric === 'accuracy' ? 'validation accuracy (%)' : 'validation bits/char';
  return searchedHps(d).map((k) => {
    const series: ScatterSeries[] = [];
    d.optimizers.forEach((o, i) => {
      if (!o.ranges.stage1[k as HpName] && !o.ranges.stage2?.[k as HpName]) return;
      series.push({
        label: o.label,
        color: PALETTE[i % PALETTE.length],
        points: o.trials.map((t) => ({ x: num(t.hp[k as HpName]), y: t.diverged ? NaN : scale * t.val, hollow: t.stage === 2, ring: t === o.best })),
      });
    });
    return scatterChart(`${yName} vs ${k}`, k, yName, series, { logX: true });
  });
}

/** lr/(1 − momentum): the step size heavy-ball momentum amounts to once the velocity settles. */
export const effectiveLr = (hp: Trial['hp']): number => hp.lr / (1 - hp.momentum);

/**
 * Heavy-ball methods (SGD, RF-RMSProp, IF-Shampoo) against the effective learning rate
 * lr/(1 − momentum): lr and momentum trade off, so the sensitivity to either alone is blurred.
 * Null when no tuned optimizer uses heavy-ball momentum.
 */
export function effectiveLrChart(d: TuningData): string | null {
  const scale = d.metric === 'accuracy' ? 100 : 1;
  const yName = d.metric === 'accuracy' ? 'validation accuracy (%)' : 'validation bits/char';
  const series: ScatterSeries[] = [];
  d.optimizers.forEach((o, i) => {
    if (!heavyBall(o.optimizer)) return;
    series.push({ label: o.label, color: PALETTE[i % PALETTE.length], points: o.trials.map((t) => ({ x: effectiveLr(t.hp), y: t.diverged ? NaN : scale * t.val, hollow: t.stage >= 2, ring: t === o.best })) });
  });
  return series.length ? scatterChart(`${yName} vs effective learning rate`, 'lr / (1 − momentum)', yName, series, { logX: true }) : null;
}

export function tuningHtml(d: TuningData): string {
  const body: string[] = [];
  body.push(`<p>task: <b>${esc(d.task)}</b></p><p>${budgetLines(d).map(esc).join('<br>')}</p><p>${esc(selectionLine(d))}</p>`);
  body.push(htmlTable(summaryHeader(d), summaryRows(d)));
  body.push(
    '<h2>Sensitivity</h2><p>Validation metric of every random-search trial against each searched hyper-parameter (log axis), one colour per optimizer. ' +
      'Filled circles: stage 1; hollow circles: stage 2 (narrowed ranges) and stage 3 (ranges widened by --extend-edges); crosses in the bottom strip: diverged trials; large ring: the selected (best) trial.</p>',
  );
  const eff = effectiveLrChart(d);
  body.push(`<div class="charts">${[...(eff ? [eff] : []), ...tuningCharts(d)].join('')}</div>`);
  if (eff) body.push('<p>First chart: heavy-ball methods (SGD, RF-RMSProp, IF-Shampoo) against the effective learning rate lr/(1 − momentum), the step size the momentum sum amounts to.</p>');
  for (const o of d.optimizers) {
    body.push(`<h2>${esc(o.label)}</h2><p>${esc(dirLine(o))}</p>`);
    body.push(htmlTable(trialHeader(d), trialRows(d, o)));
  }
  return `<!doctype html><html><head><meta charset="utf-8"><title>rootfree tune: ${esc(d.task)}</title><style>
body{font-family:sans-serif;max-width:1000px;margin:2em auto;color:#222}table{border-collapse:collapse;margin:8px 0}td,th{border:1px solid #ccc;padding:3px 8px;font-size:13px}
.charts svg{margin:6px;border:1px solid #eee}</style></head><body><h1>rootfree tune: hyper-parameter sensitivity</h1>
${body.join('\n')}</body></html>`;
}

/** Writes tuning.md, tuning.html and tuning.json into `out`; returns their paths. */
export function writeTuning(d: TuningData, out: string): string[] {
  mkdirSync(out, { recursive: true });
  const files = [join(out, 'tuning.md'), join(out, 'tuning.html'), join(out, 'tuning.json')];
  writeAtomic(files[0], tuningMarkdown(d));
  writeAtomic(files[1], tuningHtml(d));
  // NaN (diverged val, or median/worst with no finished trial) is written as null, as in stage*.jsonl.
  writeAtomic(files[2], JSON.stringify(d, null, 1));
  return files;
}

/** `rootfree report --tune`: reads the tune directories and writes the tuning report into `out`. */
export function tuningReport(dirs: string[], out: string): string[] {
  return writeTuning(loadTuning(dirs), out);
}
