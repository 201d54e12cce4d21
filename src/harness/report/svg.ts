import type { MeanStd } from './stats.js';

export interface Series {
  label: string;
  color: string;
  points: Array<{ x: number; y: MeanStd }>;
}

export const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf', '#7f7f7f', '#bcbd22'];

function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? raw;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + 1e-9 * step; v += step) out.push(Number(v.toPrecision(12)));
  return out;
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const fmt = (v: number) => (Math.abs(v) >= 1000 || (Math.abs(v) < 0.01 && v !== 0) ? v.toExponential(1) : String(Number(v.toPrecision(4))));

/** A line chart with a shaded ±std band per series (inline SVG, no dependencies). */
export function lineChart(title: string, xLabel: string, yLabel: string, series: Series[], width = 460, height = 300): string {
  const m = { l: 58, r: 12, t: 28, b: 42 };
  const pts = series.flatMap((s) => s.points.filter((p) => Number.isFinite(p.y.mean) && Number.isFinite(p.x)));
  if (pts.length === 0) return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><text x="10" y="20">${esc(title)}: no data</text></svg>`;
  const xs = pts.map((p) => p.x);
  const ys = pts.flatMap((p) => [p.y.mean - (p.y.std || 0), p.y.mean + (p.y.std || 0)]).filter(Number.isFinite);
  let [x0, x1] = [Math.min(...xs), Math.max(...xs)];
  let [y0, y1] = [Math.min(...ys), Math.max(...ys)];
  if (x1 === x0) [x0, x1] = [x0 - 1, x1 + 1];
  if (y1 === y0) [y0, y1] = [y0 - 1, y1 + 1];
  const pad = (y1 - y0) * 0.05;
  y0 -= pad;
  y1 += pad;
  const W = width - m.l - m.r;
  const H = height - m.t - m.b;
  const X = (x: number) => m.l + ((x - x0) / (x1 - x0)) * W;
  const Y = (y: number) => m.t + H - ((y - y0) / (y1 - y0)) * H;
  const parts: string[] = [`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="11">`];
  parts.push(`<text x="${width / 2}" y="16" text-anchor="middle" font-size="13">${esc(title)}</text>`);
  parts.push(`<rect x="${m.l}" y="${m.t}" width="${W}" height="${H}" fill="none" stroke="#999"/>`);
  for (const t of niceTicks(y0, y1)) {
    parts.push(`<line x1="${m.l}" x2="${m.l + W}" y1="${Y(t)}" y2="${Y(t)}" stroke="#eee"/><text x="${m.l - 4}" y="${Y(t) + 4}" text-anchor="end">${fmt(t)}</text>`);
  }
  for (const t of niceTicks(x0, x1)) {
    parts.push(`<line x1="${X(t)}" x2="${X(t)}" y1="${m.t}" y2="${m.t + H}" stroke="#eee"/><text x="${X(t)}" y="${m.t + H + 14}" text-anchor="middle">${fmt(t)}</text>`);
  }
  parts.push(`<text x="${m.l + W / 2}" y="${height - 6}" text-anchor="middle">${esc(xLabel)}</text>`);
  parts.push(`<text transform="translate(12 ${m.t + H / 2}) rotate(-90)" text-anchor="middle">${esc(yLabel)}</text>`);
  series.forEach((s, i) => {
    const p = s.points.filter((q) => Number.isFinite(q.y.mean) && Number.isFinite(q.x));
    if (p.length === 0) return;
    if (p.some((q) => q.y.std > 0)) {
      const upper = p.map((q) => `${X(q.x).toFixed(1)},${Y(q.y.mean + q.y.std).toFixed(1)}`);
      const lower = p.map((q) => `${X(q.x).toFixed(1)},${Y(q.y.mean - q.y.std).toFixed(1)}`).reverse();
      parts.push(`<polygon points="${[...upper, ...lower].join(' ')}" fill="${s.color}" fill-opacity="0.15" stroke="none"/>`);
    }
    parts.push(`<polyline points="${p.map((q) => `${X(q.x).toFixed(1)},${Y(q.y.mean).toFixed(1)}`).join(' ')}" fill="none" stroke="${s.color}" stroke-width="2"/>`);
    for (const q of p) parts.push(`<circle cx="${X(q.x).toFixed(1)}" cy="${Y(q.y.mean).toFixed(1)}" r="2.5" fill="${s.color}"/>`);
    parts.push(`<rect x="${m.l + 8}" y="${m.t + 6 + i * 14}" width="10" height="3" fill="${s.color}"/><text x="${m.l + 22}" y="${m.t + 11 + i * 14}">${esc(s.label)}</text>`);
  });
  parts.push('</svg>');
  return parts.join('');
}
