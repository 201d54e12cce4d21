import type { MeanStd } from './stats.js';

import type { Marker } from './style.js';

export interface Series {
  label: string;
  color: string;
  /** stroke-dasharray ('' or undefined = solid). */
  dash?: string;
  marker?: Marker;
  points: Array<{ x: number; y: MeanStd }>;
}

/** Okabe–Ito (colour-blind safe), black first; yellow left out (unreadable on white). */
export const PALETTE = ['#000000', '#0072B2', '#E69F00', '#D55E00', '#CC79A7', '#009E73', '#56B4E9'];

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

/** An SVG marker centred at (x, y). */
export function markerSvg(marker: Marker, x: number, y: number, color: string, r = 3): string {
  const f = (v: number) => v.toFixed(1);
  switch (marker) {
    case 'circle':
      return `<circle cx="${f(x)}" cy="${f(y)}" r="${r}" fill="${color}"/>`;
    case 'square':
      return `<rect x="${f(x - r)}" y="${f(y - r)}" width="${2 * r}" height="${2 * r}" fill="${color}"/>`;
    case 'triangle':
      return `<path d="M${f(x)},${f(y - 1.2 * r)}L${f(x + 1.1 * r)},${f(y + 0.8 * r)}L${f(x - 1.1 * r)},${f(y + 0.8 * r)}Z" fill="${color}"/>`;
    case 'down':
      return `<path d="M${f(x)},${f(y + 1.2 * r)}L${f(x + 1.1 * r)},${f(y - 0.8 * r)}L${f(x - 1.1 * r)},${f(y - 0.8 * r)}Z" fill="${color}"/>`;
    case 'diamond':
      return `<path d="M${f(x)},${f(y - 1.3 * r)}L${f(x + 1.3 * r)},${f(y)}L${f(x)},${f(y + 1.3 * r)}L${f(x - 1.3 * r)},${f(y)}Z" fill="${color}"/>`;
    case 'plus':
      return `<path d="M${f(x - 1.3 * r)},${f(y)}H${f(x + 1.3 * r)}M${f(x)},${f(y - 1.3 * r)}V${f(y + 1.3 * r)}" stroke="${color}" stroke-width="2"/>`;
    case 'cross':
      return `<path d="M${f(x - r)},${f(y - r)}L${f(x + r)},${f(y + r)}M${f(x - r)},${f(y + r)}L${f(x + r)},${f(y - r)}" stroke="${color}" stroke-width="2"/>`;
  }
}

export interface LegendEntry {
  label: string;
  color: string;
  dash?: string;
  marker?: Marker;
  /** A filled swatch instead of a line sample (scatter plots). */
  swatch?: boolean;
}

const LEGEND_ROW = 15;

/** Legend rows below the plot area (never over the data): entries wrap to the plot width. */
function legendLayout(entries: LegendEntry[], width: number, left: number): Array<{ e: LegendEntry; x: number; row: number }> {
  const out: Array<{ e: LegendEntry; x: number; row: number }> = [];
  let x = left;
  let row = 0;
  for (const e of entries) {
    const w = 34 + 6.3 * e.label.length + 12;
    if (x > left && x + w > width - 4) {
      x = left;
      row++;
    }
    out.push({ e, x, row });
    x += w;
  }
  return out;
}

function legendSvg(entries: LegendEntry[], width: number, left: number, top: number): { svg: string; height: number } {
  if (entries.length === 0) return { svg: '', height: 0 };
  const lay = legendLayout(entries, width, left);
  const parts = lay.map(({ e, x, row }) => {
    const y = top + row * LEGEND_ROW + 7;
    const sample = e.swatch
      ? `<rect x="${x + 8}" y="${y - 5}" width="10" height="10" fill="${e.color}"/>`
      : `<line x1="${x}" x2="${x + 26}" y1="${y}" y2="${y}" stroke="${e.color}" stroke-width="2"${e.dash ? ` stroke-dasharray="${e.dash}"` : ''}/>${e.marker ? markerSvg(e.marker, x + 13, y, e.color) : ''}`;
    return `<g class="legend">${sample}<text x="${x + 32}" y="${y + 4}">${esc(e.label)}</text></g>`;
  });
  return { svg: parts.join(''), height: (Math.max(...lay.map((l) => l.row)) + 1) * LEGEND_ROW + 4 };
}

/** Legend height for `n` entries laid out in `width` (to size the SVG before drawing). */
function legendHeight(entries: LegendEntry[], width: number, left: number): number {
  return entries.length ? (Math.max(...legendLayout(entries, width, left).map((l) => l.row)) + 1) * LEGEND_ROW + 4 : 0;
}

export interface LineOptions {
  width?: number;
  height?: number;
  /** log10 y axis (non-positive values are not drawn). */
  logY?: boolean;
  /** Draw a marker at every k-th point (default: every point up to 40 points, then ~12 per line). */
  markerEvery?: number;
}

/**
 * A line chart (inline SVG, no dependencies): a shaded ±std band per series, dash patterns and
 * markers per series, the legend in rows under the axes so it never covers a curve.
 */
export function lineChart(title: string, xLabel: string, yLabel: string, series: Series[], opts: LineOptions = {}): string {
  const width = opts.width ?? 460;
  const plotH = opts.height ?? 300;
  const logY = opts.logY ?? false;
  const m = { l: 58, r: 12, t: 28, b: 42 };
  const okY = (v: number) => Number.isFinite(v) && (!logY || v > 0);
  const ty = (v: number) => (logY ? Math.log10(v) : v);
  const pts = series.flatMap((s) => s.points.filter((p) => okY(p.y.mean) && Number.isFinite(p.x)));
  if (pts.length === 0) return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="60"><text x="10" y="20">${esc(title)}: no data</text></svg>`;
  const entries: LegendEntry[] = series.filter((s) => s.points.some((p) => okY(p.y.mean))).map((s) => ({ label: s.label, color: s.color, dash: s.dash, marker: s.marker }));
  const legendH = legendHeight(entries, width, m.l);
  const height = plotH + legendH;
  const sd = (p: { y: MeanStd }) => (Number.isFinite(p.y.std) ? p.y.std : 0);
  const xs = pts.map((p) => p.x);
  const ys = pts.flatMap((p) => [p.y.mean - sd(p), p.y.mean, p.y.mean + sd(p)]).filter(okY).map(ty);
  let [x0, x1] = [Math.min(...xs), Math.max(...xs)];
  let [y0, y1] = [Math.min(...ys), Math.max(...ys)];
  if (x1 === x0) [x0, x1] = [x0 - 1, x1 + 1];
  if (y1 === y0) [y0, y1] = logY ? [y0 - 0.5, y1 + 0.5] : [y0 - 1, y1 + 1];
  const pad = (y1 - y0) * 0.05;
  y0 -= pad;
  y1 += pad;
  const W = width - m.l - m.r;
  const H = plotH - m.t - m.b;
  const X = (x: number) => m.l + ((x - x0) / (x1 - x0)) * W;
  const Y = (y: number) => m.t + H - ((ty(y) - y0) / (y1 - y0)) * H;
  const f1 = (v: number) => v.toFixed(1);
  const parts: string[] = [`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="11">`];
  parts.push(`<text x="${width / 2}" y="16" text-anchor="middle" font-size="13">${esc(title)}</text>`);
  parts.push(`<rect x="${m.l}" y="${m.t}" width="${W}" height="${H}" fill="none" stroke="#999"/>`);
  const yticks = logY ? logTicks(10 ** y0, 10 ** y1) : niceTicks(y0, y1);
  for (const t of yticks) {
    parts.push(`<line x1="${m.l}" x2="${m.l + W}" y1="${f1(Y(t))}" y2="${f1(Y(t))}" stroke="#eee"/><text x="${m.l - 4}" y="${f1(Y(t) + 4)}" text-anchor="end">${logY ? logTickLabel(t) : fmt(t)}</text>`);
  }
  for (const t of niceTicks(x0, x1)) {
    parts.push(`<line x1="${f1(X(t))}" x2="${f1(X(t))}" y1="${m.t}" y2="${m.t + H}" stroke="#eee"/><text x="${f1(X(t))}" y="${m.t + H + 14}" text-anchor="middle">${fmt(t)}</text>`);
  }
  parts.push(`<text x="${m.l + W / 2}" y="${plotH - 8}" text-anchor="middle">${esc(xLabel)}</text>`);
  parts.push(`<text transform="translate(12 ${m.t + H / 2}) rotate(-90)" text-anchor="middle">${esc(yLabel)}${logY ? ' (log scale)' : ''}</text>`);
  parts.push(`<clipPath id="c${clipId}"><rect x="${m.l}" y="${m.t}" width="${W}" height="${H}"/></clipPath><g clip-path="url(#c${clipId++})">`);
  for (const s of series) {
    const p = s.points.filter((q) => okY(q.y.mean) && Number.isFinite(q.x));
    if (p.length === 0) continue;
    if (p.some((q) => sd(q) > 0)) {
      const lowY = (q: (typeof p)[number]) => (logY && !(q.y.mean - sd(q) > 0) ? 10 ** y0 : q.y.mean - sd(q));
      const upper = p.map((q) => `${f1(X(q.x))},${f1(Y(q.y.mean + sd(q)))}`);
      const lower = p.map((q) => `${f1(X(q.x))},${f1(Y(lowY(q)))}`).reverse();
      parts.push(`<polygon points="${[...upper, ...lower].join(' ')}" fill="${s.color}" fill-opacity="0.12" stroke="none"/>`);
    }
    parts.push(`<polyline points="${p.map((q) => `${f1(X(q.x))},${f1(Y(q.y.mean))}`).join(' ')}" fill="none" stroke="${s.color}" stroke-width="2"${s.dash ? ` stroke-dasharray="${s.dash}"` : ''}/>`);
    const every = opts.markerEvery ?? (p.length <= 40 ? 1 : Math.ceil(p.length / 12));
    p.forEach((q, i) => {
      if (i % every === 0 || i === p.length - 1) parts.push(markerSvg(s.marker ?? 'circle', X(q.x), Y(q.y.mean), s.color, 2.8));
    });
  }
  parts.push('</g>');
  parts.push(legendSvg(entries, width, m.l, plotH - 2).svg);
  parts.push('</svg>');
  return parts.join('');
}

let clipId = 0;

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
  const plotH = opts.height ?? 300;
  const logX = opts.logX ?? false;
  const m = { l: 58, r: 12, t: 28, b: 42 };
  const legend = series.map((s) => ({ label: s.label, color: s.color, swatch: true }));
  const height = plotH + legendHeight(legend, width, m.l);
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
  const H = plotH - m.t - m.b;
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
  parts.push(`<text x="${m.l + W / 2}" y="${plotH - 8}" text-anchor="middle">${esc(xLabel)}${logX ? ' (log scale)' : ''}</text>`);
  parts.push(`<text transform="translate(12 ${m.t + H / 2}) rotate(-90)" text-anchor="middle">${esc(yLabel)}</text>`);
  series.forEach((s) => {
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
  });
  parts.push(legendSvg(legend, width, m.l, plotH - 2).svg);
  parts.push('</svg>');
  return parts.join('');
}
