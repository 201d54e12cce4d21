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

export interface ScatterPoint {
  x: number;
  /** A non-finite y (a diverged trial) is drawn as a small cross in a strip at the bottom of the plot. */
  y: number;
  hollow?: boolean;
  /** Marked with a larger ring (e.g. the selected trial). */
  ring?: boolean;
}

export interface ScatterSeries {
  label: string;
  color: string;
  points: ScatterPoint[];
}

export interface ScatterOptions {
  logX?: boolean;
  width?: number;
  height?: number;
}

/** Log-axis tick label: plain for 1e-3..1e3, otherwise `2e-5` style. */
function logTickLabel(v: number): string {
  const e = Math.floor(Math.log10(v) + 1e-9);
  if (e >= -3 && e <= 3) return String(Number(v.toPrecision(3)));
  const m = Number((v / 10 ** e).toPrecision(3));
  return `${m}e${e}`;
}

/**
 * Ticks for a log axis over [lo, hi] (positive): powers of ten (every k-th decade when more
 * than seven are visible), plus 2 and 5 multiples when fewer than three powers of ten are
 * visible, plus every integer multiple when even those give fewer than three ticks.
 */
export function logTicks(lo: number, hi: number): number[] {
  if (!(lo > 0) || !(hi >= lo)) return [];
  const e0 = Math.floor(Math.log10(lo));
  const e1 = Math.ceil(Math.log10(hi));
  const pick = (mult: number[]) => {
    const out: number[] = [];
    for (let e = e0; e <= e1; e++) {
      for (const m of mult) {
        const v = Number((m * 10 ** e).toPrecision(12));
        if (v >= lo * (1 - 1e-9) && v <= hi * (1 + 1e-9)) out.push(v);
      }
    }
    return out;
  };
  const decades = pick([1]);
  if (decades.length > 7) {
    const every = Math.ceil(decades.length / 6);
    return decades.filter((v) => Math.round(Math.log10(v)) % every === 0);
  }
  if (decades.length >= 3) return decades;
  const fives = pick([1, 2, 5]);
  if (fives.length >= 3) return fives;
  return pick([1, 2, 3, 4, 5, 6, 7, 8, 9]);
}

/**
 * A scatter plot (inline SVG): one colour per series, filled or hollow circles, optional rings,
 * and non-finite y values as crosses in a bottom strip; x optionally on a log10 axis (x ≤ 0 is
 * then not drawable and skipped).
 */
export function scatterChart(title: string, xLabel: string, yLabel: string, series: ScatterSeries[], opts: ScatterOptions = {}): string {
  const width = opts.width ?? 460;
  const height = opts.height ?? 300;
  const logX = opts.logX ?? false;
  const m = { l: 58, r: 12, t: 28, b: 42 };
  const okX = (x: number) => Number.isFinite(x) && (!logX || x > 0);
  const all = series.flatMap((s) => s.points.filter((p) => okX(p.x)));
  if (all.length === 0) return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><text x="10" y="20">${esc(title)}: no data</text></svg>`;
  const tx = (x: number) => (logX ? Math.log10(x) : x);
  const xs = all.map((p) => tx(p.x));
  let [x0, x1] = [Math.min(...xs), Math.max(...xs)];
  if (x1 === x0) [x0, x1] = logX ? [x0 - 0.5, x1 + 0.5] : [x0 - 1, x1 + 1];
  const xpad = (x1 - x0) * 0.05;
  x0 -= xpad;
  x1 += xpad;
  const ys = all.map((p) => p.y).filter(Number.isFinite);
  let [y0, y1] = ys.length ? [Math.min(...ys), Math.max(...ys)] : [0, 1];
  if (y1 === y0) [y0, y1] = [y0 - 1, y1 + 1];
  const ypad = (y1 - y0) * 0.05;
  y0 -= ypad;
  y1 += ypad;
  const crosses = all.some((p) => !Number.isFinite(p.y));
  const strip = crosses ? 16 : 0;
  const W = width - m.l - m.r;
  const H = height - m.t - m.b;
  const Hp = H - strip;
  const X = (x: number) => m.l + ((tx(x) - x0) / (x1 - x0)) * W;
  const Y = (y: number) => m.t + Hp - ((y - y0) / (y1 - y0)) * Hp;
  const f1 = (v: number) => v.toFixed(1);
  const parts: string[] = [`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="11">`];
  parts.push(`<text x="${width / 2}" y="16" text-anchor="middle" font-size="13">${esc(title)}</text>`);
  parts.push(`<rect x="${m.l}" y="${m.t}" width="${W}" height="${H}" fill="none" stroke="#999"/>`);
  for (const t of niceTicks(y0, y1)) {
    parts.push(`<line x1="${m.l}" x2="${m.l + W}" y1="${f1(Y(t))}" y2="${f1(Y(t))}" stroke="#eee"/><text x="${m.l - 4}" y="${f1(Y(t) + 4)}" text-anchor="end">${fmt(t)}</text>`);
  }
  const xticks = logX ? logTicks(10 ** x0, 10 ** x1) : niceTicks(x0, x1);
  for (const t of xticks) {
    parts.push(`<line x1="${f1(X(t))}" x2="${f1(X(t))}" y1="${m.t}" y2="${m.t + H}" stroke="#eee"/><text x="${f1(X(t))}" y="${m.t + H + 14}" text-anchor="middle">${logX ? logTickLabel(t) : fmt(t)}</text>`);
  }
  if (crosses) {
    parts.push(`<line x1="${m.l}" x2="${m.l + W}" y1="${m.t + Hp}" y2="${m.t + Hp}" stroke="#ccc" stroke-dasharray="3 3"/>`);
    parts.push(`<text x="${m.l + W - 4}" y="${m.t + Hp + 11}" text-anchor="end" fill="#888" font-size="9">diverged</text>`);
  }
  parts.push(`<text x="${m.l + W / 2}" y="${height - 6}" text-anchor="middle">${esc(xLabel)}${logX ? ' (log scale)' : ''}</text>`);
  parts.push(`<text transform="translate(12 ${m.t + H / 2}) rotate(-90)" text-anchor="middle">${esc(yLabel)}</text>`);
  series.forEach((s, i) => {
    for (const p of s.points.filter((q) => okX(q.x))) {
      const cx = f1(X(p.x));
      if (!Number.isFinite(p.y)) {
        const cy = m.t + Hp + strip / 2;
        const [a, b] = [X(p.x) - 3, X(p.x) + 3];
        parts.push(`<path class="cross" d="M${f1(a)},${f1(cy - 3)}L${f1(b)},${f1(cy + 3)}M${f1(a)},${f1(cy + 3)}L${f1(b)},${f1(cy - 3)}" stroke="${s.color}" stroke-width="1.5"/>`);
        continue;
      }
      const cy = f1(Y(p.y));
      parts.push(
        p.hollow
          ? `<circle class="pt" cx="${cx}" cy="${cy}" r="3.5" fill="none" stroke="${s.color}" stroke-width="1.5"/>`
          : `<circle class="pt" cx="${cx}" cy="${cy}" r="3.5" fill="${s.color}" fill-opacity="0.8"/>`,
      );
      if (p.ring) parts.push(`<circle class="ring" cx="${cx}" cy="${cy}" r="8" fill="none" stroke="${s.color}" stroke-width="2"/>`);
    }
    parts.push(`<rect x="${m.l + 8}" y="${m.t + 6 + i * 14}" width="10" height="10" fill="${s.color}"/><text x="${m.l + 22}" y="${m.t + 15 + i * 14}" stroke="#fff" stroke-width="3" paint-order="stroke">${esc(s.label)}</text>`);
  });
  parts.push('</svg>');
  return parts.join('');
}
