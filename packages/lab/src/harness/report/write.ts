import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { writeAtomic } from '../../util/writeAtomic.js';
import type { OptimizerSummary, Summary, TaskSummary } from './aggregate.js';
import { charts } from './charts.js';
import { timeLine } from './format.js';
import { comparisonTable, OPTIMISTIC_NOTE, resultsTable, terminalTable } from './tables.js';

function textGrid(head: string[], rows: string[][]): string {
  const all = [head, ...rows];
  const w = head.map((_, j) => Math.max(...all.map((r) => r[j].length)));
  return all.map((r, i) => r.map((c, j) => c.padEnd(w[j])).join('  ').trimEnd() + (i === 0 ? '\n' + w.map((x) => '-'.repeat(x)).join('  ') : '')).join('\n');
}

/**
 * Plain-text results for the terminal, within 100 columns for the default optimizers: the
 * essentials of the results table, then the comparison verdicts. Hyper-parameter sources are
 * printed by the caller as wrapped prose (they can be long).
 */
export function textTable(t: TaskSummary): string {
  const unit = t.metric === 'accuracy' ? 'accuracy in %' : 'bits per character';
  const { head, rows } = terminalTable(t);
  const out = [`${t.task}: ${unit}, mean ± std over seeds`, textGrid(head, rows), '† best-epoch: selected on the test split (optimistic).'];
  const c = comparisonTable(t);
  if (c) {
    out.push('', textGrid(['optimizer', c.head[1], '95% CI', 'Holm p', 'TOST p', 'verdict'], c.rows.map((r) => [r[0], r[1], r[2], r[5], r[6], r[9]])));
  }
  return out.join('\n');
}

function hpText(o: OptimizerSummary): string {
  return Object.entries(o.hp)
    .map(([k, v]) => `${k}=${typeof v === 'number' ? Number(v.toPrecision(4)) : v}`)
    .join(', ');
}

function failureLines(t: TaskSummary): string[] {
  return t.optimizers.flatMap((o) => o.failures.map((f) => `${o.label}, ${f}`));
}

const md = (head: string[], rows: string[][]) => ['| ' + head.join(' | ') + ' |', '|' + head.map(() => '---').join('|') + '|', ...rows.map((r) => '| ' + r.join(' | ') + ' |')];

const CHART_NOTE =
  'Curves: mean over seeds, shaded band ± one standard deviation (no band with one seed). Evaluations at every epoch end and every --eval-every steps. ' +
  'Clean train-set: the first training rows trained on, as many as the validation evaluation uses (all of them when the training set is smaller), not augmented, in inference mode; gap = clean train − validation.';

/** Results first, then the comparison, hyper-parameters, and the caveats (notes, diverged runs) last. */
export function markdown(s: Summary, totalNote: string): string {
  const out: string[] = ['# rootfree compare', '', `Generated ${s.created}. ${totalNote}`, ''];
  for (const t of s.tasks) {
    out.push(`## ${t.task}`, '', t.description, '', timeLine(t), '');
    const r = resultsTable(t);
    out.push(...md(r.head, r.rows), '', OPTIMISTIC_NOTE, '');
    const c = comparisonTable(t);
    if (c) out.push(`### Comparison with ${t.comparisons!.referenceLabel}`, '', ...md(c.head, c.rows), '', c.caption, '');
    out.push('### Hyper-parameters', '');
    for (const o of t.optimizers) out.push(`- ${o.label}: ${hpText(o)} (${o.hpSource})`);
    out.push('', '### Caveats', '');
    for (const n of t.notes) out.push(`- ${n}`);
    out.push(`- ${CHART_NOTE}`);
    const failed = failureLines(t);
    if (failed.length > 0) out.push('', 'Diverged runs:', '', ...failed.map((f) => `- ${f}`));
    out.push('');
  }
  return out.join('\n');
}

const esc = (x: string) => x.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const htmlTable = (head: string[], rows: string[][], cls = '') =>
  `<table${cls ? ` class="${cls}"` : ''}><tr>` + head.map((h) => `<th>${esc(h)}</th>`).join('') + '</tr>' + rows.map((r) => '<tr>' + r.map((c) => `<td>${esc(c)}</td>`).join('') + '</tr>').join('') + '</table>';

export function html(s: Summary, totalNote: string): string {
  const body: string[] = [];
  for (const t of s.tasks) {
    body.push(`<h2>${esc(t.task)}</h2><p>${esc(t.description)}</p><p>${esc(timeLine(t))}</p>`);
    const r = resultsTable(t);
    body.push(htmlTable(r.head, r.rows, 'results'), `<p class="small">${esc(OPTIMISTIC_NOTE)}</p>`);
    const c = comparisonTable(t);
    if (c) body.push(`<h3>Comparison with ${esc(t.comparisons!.referenceLabel)}</h3>`, htmlTable(c.head, c.rows), `<p class="small">${esc(c.caption)}</p>`);
    body.push(`<div class="charts">${charts(t, s.options?.logLoss).join('')}</div>`);
    body.push('<h3>Hyper-parameters</h3><ul>' + t.optimizers.map((o) => `<li><b>${esc(o.label)}</b>: ${esc(hpText(o))} <i>(${esc(o.hpSource)})</i></li>`).join('') + '</ul>');
    body.push('<h3>Caveats</h3><ul>' + [...t.notes, CHART_NOTE].map((n) => `<li>${esc(n)}</li>`).join('') + '</ul>');
    const failed = failureLines(t);
    if (failed.length > 0) body.push('<h3>Diverged runs</h3><ul>' + failed.map((f) => `<li>${esc(f)}</li>`).join('') + '</ul>');
  }
  return `<!doctype html><html><head><meta charset="utf-8"><title>rootfree compare</title><style>
body{font-family:sans-serif;max-width:1400px;margin:2em auto;color:#222}table{border-collapse:collapse;margin:6px 0}td,th{border:1px solid #ccc;padding:3px 6px;font-size:13px}
td{white-space:nowrap}td:last-child{white-space:normal}
th{background:#f4f4f4}.small{font-size:12px;color:#555}.charts svg{margin:6px;border:1px solid #eee}</style></head><body><h1>rootfree compare</h1><p>Generated ${esc(s.created)}. ${esc(totalNote)}</p>
${body.join('\n')}</body></html>`;
}

/** Writes report.html, summary.md and summary.json into `dir`. */
export function writeReports(dir: string, s: Summary, totalNote: string): string[] {
  mkdirSync(dir, { recursive: true });
  const files = [join(dir, 'report.html'), join(dir, 'summary.md'), join(dir, 'summary.json')];
  writeAtomic(files[0], html(s, totalNote));
  writeAtomic(files[1], markdown(s, totalNote));
  writeAtomic(files[2], JSON.stringify({ ...s, note: totalNote }, null, 1));
  return files;
}
