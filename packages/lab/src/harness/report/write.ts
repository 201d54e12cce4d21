import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { writeAtomic } from '../../util/writeAtomic.js';
import type { OptimizerSummary, Summary, TaskSummary } from './aggregate.js';
import type { MeanStd } from './stats.js';
import { lineChart, PALETTE, type Series } from './svg.js';

const pm = (m: MeanStd, digits: number) => (Number.isFinite(m.mean) ? `${m.mean.toFixed(digits)} ± ${(m.std || 0).toFixed(digits)}` : 'diverged/NaN');
const metricName = (t: TaskSummary) => (t.metric === 'accuracy' ? 'test accuracy (%)' : 'test bits/char');

function tableRows(t: TaskSummary): string[][] {
  return t.optimizers.map((o) => [
    o.label,
    pm(o.finalTest, t.metric === 'accuracy' ? 2 : 3),
    pm(o.bestTest, t.metric === 'accuracy' ? 2 : 3),
    pm(o.finalVal, t.metric === 'accuracy' ? 2 : 3),
    pm(o.finalTrainLoss, 4),
    `${o.msPerStep.mean.toFixed(1)}`,
    `${o.trainSeconds.mean.toFixed(1)}`,
    `${o.seeds.length}${o.diverged ? ` (${o.diverged} diverged)` : ''}`,
    o.hpSource,
  ]);
}

function header(t: TaskSummary): string[] {
  return ['optimizer', `final ${metricName(t)}`, `best-epoch ${metricName(t)}`, `final val ${t.metric === 'accuracy' ? 'acc (%)' : 'bpc'}`, 'final train loss', 'ms/step', 'train s/run', 'seeds', 'hyper-parameters'];
}

/**
 * Plain-text table for the terminal, at most 100 columns for the default optimizers: short
 * headers, no best-epoch column (optimistic; it is in summary.md and report.html) and the
 * hyper-parameter source as one word.
 */
export function textTable(t: TaskSummary): string {
  const d = t.metric === 'accuracy' ? 2 : 3;
  const unit = t.metric === 'accuracy' ? 'accuracy in %' : 'bits per character';
  const rows = [
    ['optimizer', 'final test', 'final val', 'train loss', 'ms/step', 's/run', 'seeds', 'hparams'],
    ...t.optimizers.map((o) => [
      o.label,
      pm(o.finalTest, d),
      pm(o.finalVal, d),
      pm(o.finalTrainLoss, 3),
      o.msPerStep.mean.toFixed(1),
      o.trainSeconds.mean.toFixed(1),
      `${o.seeds.length}${o.diverged ? ` (${o.diverged} div.)` : ''}`,
      o.hpSource.startsWith('tuned') ? 'tuned' : o.hpSource.startsWith('defaults') ? 'defaults' : o.hpSource.split(/[:,]/)[0],
    ]),
  ];
  const w = rows[0].map((_, j) => Math.max(...rows.map((r) => r[j].length)));
  const lines = rows.map((r) => r.map((c, j) => c.padEnd(w[j])).join('  ').trimEnd());
  return [`${t.task}: ${unit}, mean ± std over seeds`, lines[0], w.map((x) => '-'.repeat(x)).join('  '), ...lines.slice(1)].join('\n');
}

function hpText(o: OptimizerSummary): string {
  return Object.entries(o.hp)
    .map(([k, v]) => `${k}=${typeof v === 'number' ? Number(v.toPrecision(4)) : v}`)
    .join(', ');
}

export function markdown(s: Summary, totalNote: string): string {
  const out: string[] = ['# rootfree compare', '', `Generated ${s.created}. ${totalNote}`, ''];
  for (const t of s.tasks) {
    out.push(`## ${t.task}`, '', t.description, '');
    for (const n of t.notes) out.push(`- ${n}`);
    out.push('', '| ' + header(t).join(' | ') + ' |', '|' + header(t).map(() => '---').join('|') + '|');
    for (const r of tableRows(t)) out.push('| ' + r.join(' | ') + ' |');
    const failed = failureLines(t);
    if (failed.length > 0) out.push('', 'Diverged runs:', '', ...failed.map((f) => `- ${f}`));
    out.push('', 'Hyper-parameters:', '');
    for (const o of t.optimizers) out.push(`- ${o.label}: ${hpText(o)} (${o.hpSource})`);
    out.push('');
  }
  return out.join('\n');
}

function failureLines(t: TaskSummary): string[] {
  return t.optimizers.flatMap((o) => o.failures.map((f) => `${o.label}, ${f}`));
}

function charts(t: TaskSummary): string[] {
  const color = (i: number) => PALETTE[i % PALETTE.length];
  const mk = (f: (o: OptimizerSummary) => Series['points']): Series[] => t.optimizers.map((o, i) => ({ label: o.label, color: color(i), points: f(o) }));
  const yName = metricName(t);
  return [
    lineChart(`${yName} vs epoch`, 'epoch', yName, mk((o) => o.curve.map((c) => ({ x: c.epoch, y: c.test })))),
    lineChart(`${yName} vs wall-clock`, 'training time (s, mean over seeds)', yName, mk((o) => o.curve.map((c) => ({ x: c.seconds.mean, y: c.test })))),
    lineChart('training loss vs epoch', 'epoch', 'mean train loss (epoch)', mk((o) => o.curve.map((c) => ({ x: c.epoch, y: c.trainLoss })))),
    lineChart(`validation ${t.metric === 'accuracy' ? 'accuracy (%)' : 'bits/char'} vs epoch`, 'epoch', 'validation', mk((o) => o.curve.map((c) => ({ x: c.epoch, y: c.val })))),
  ];
}

const esc = (x: string) => x.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function html(s: Summary, totalNote: string): string {
  const body: string[] = [];
  for (const t of s.tasks) {
    body.push(`<h2>${esc(t.task)}</h2><p>${esc(t.description)}</p><ul>${t.notes.map((n) => `<li>${esc(n)}</li>`).join('')}</ul>`);
    body.push('<table><tr>' + header(t).map((h) => `<th>${esc(h)}</th>`).join('') + '</tr>');
    for (const r of tableRows(t)) body.push('<tr>' + r.map((c) => `<td>${esc(c)}</td>`).join('') + '</tr>');
    body.push('</table>');
    const failed = failureLines(t);
    if (failed.length > 0) body.push('<h3>Diverged runs</h3><ul>' + failed.map((f) => `<li>${esc(f)}</li>`).join('') + '</ul>');
    body.push(`<div class="charts">${charts(t).join('')}</div>`);
    body.push('<h3>Hyper-parameters</h3><ul>' + t.optimizers.map((o) => `<li><b>${esc(o.label)}</b>: ${esc(hpText(o))} <i>(${esc(o.hpSource)})</i></li>`).join('') + '</ul>');
  }
  return `<!doctype html><html><head><meta charset="utf-8"><title>rootfree compare</title><style>
body{font-family:sans-serif;max-width:1000px;margin:2em auto;color:#222}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:3px 8px;font-size:13px}
.charts svg{margin:6px;border:1px solid #eee}</style></head><body><h1>rootfree compare</h1><p>Generated ${esc(s.created)}. ${esc(totalNote)}</p>
<p>Shaded bands: ± one standard deviation over seeds. Final metric: the test split at the last epoch (selection never used the test split).</p>
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
