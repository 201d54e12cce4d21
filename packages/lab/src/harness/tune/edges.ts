import type { HpName } from '../optimizers.js';
import type { TaskSpec } from '../tasks.js';
import { score, type Ranges, type Trial } from './trial.js';

export interface EdgeWarning {
  hp: HpName;
  side: 'low' | 'high';
  value: number;
  range: [number, number];
  /** Why: within the bottom/top 10% of the log range, and/or the lowest/highest value any trial drew. */
  reasons: string[];
}

/** Below this many trials every trial is some hyper-parameter's extreme draw, so that rule is off. */
export const MIN_TRIALS_FOR_EXTREME = 5;

/**
 * Where the selected trial sits against its search range: a warning per hyper-parameter whose
 * value is in the bottom or top 10% of the log range, or is the most extreme value drawn (with at
 * least {@link MIN_TRIALS_FOR_EXTREME} trials). The optimum may then lie outside the range.
 */
export function edgeWarnings(task: TaskSpec, trials: Trial[], ranges: Ranges): EdgeWarning[] {
  const ok = trials.filter((t) => score(task, t) > -Infinity);
  if (ok.length === 0) return [];
  const best = [...ok].sort((a, b) => score(task, b) - score(task, a))[0];
  const out: EdgeWarning[] = [];
  for (const [k, r] of Object.entries(ranges) as Array<[HpName, [number, number]]>) {
    const v = best.hp[k] as number;
    if (typeof v !== 'number' || !(r[1] > r[0])) continue;
    const u = Math.log(v / r[0]) / Math.log(r[1] / r[0]);
    const drawn = trials.map((t) => t.hp[k] as number).filter((x) => typeof x === 'number');
    const reasons: Record<'low' | 'high', string[]> = { low: [], high: [] };
    if (u < 0.1) reasons.low.push('bottom 10% of the log range');
    if (u > 0.9) reasons.high.push('top 10% of the log range');
    if (trials.length >= MIN_TRIALS_FOR_EXTREME) {
      if (v <= Math.min(...drawn)) reasons.low.push('lowest value drawn');
      if (v >= Math.max(...drawn)) reasons.high.push('highest value drawn');
    }
    for (const side of ['low', 'high'] as const) if (reasons[side].length) out.push({ hp: k, side, value: v, range: r, reasons: reasons[side] });
  }
  return out;
}

/** Hard bounds a widened range may not cross (momentum-like values must stay below 1; small damping only). */
export const HARD_LIMITS: Partial<Record<HpName, [number, number]>> = { momentum: [1e-3, 0.999], alpha2: [1e-3, 0.99], lrCov: [1e-5, 0.99], damping: [1e-14, 5e-4] };

/** Whether a warned side already sits on its hyper-parameter's hard limit: no search can widen it. */
export function atHardLimit(w: EdgeWarning): boolean {
  const i = w.side === 'low' ? 0 : 1;
  return HARD_LIMITS[w.hp]?.[i] === w.range[i];
}

/**
 * `--extend-edges`: each warned side moves out by half the range's log width (×/÷ √(hi/lo)),
 * clipped to {@link HARD_LIMITS}. Returns the new ranges and the sides that could not move.
 */
export function extendRanges(ranges: Ranges, warnings: EdgeWarning[]): { ranges: Ranges; stuck: EdgeWarning[] } {
  const out: Ranges = { ...ranges };
  const stuck: EdgeWarning[] = [];
  for (const w of warnings) {
    const [lo, hi] = out[w.hp]!;
    const f = Math.sqrt(w.range[1] / w.range[0]);
    const lim = HARD_LIMITS[w.hp] ?? [0, Infinity];
    const next: [number, number] = w.side === 'low' ? [Math.max(lim[0], lo / f), hi] : [lo, Math.min(lim[1], hi * f)];
    if (next[0] === lo && next[1] === hi) stuck.push(w);
    out[w.hp] = next;
  }
  return { ranges: out, stuck };
}

export function warningText(w: EdgeWarning): string {
  const sig = (x: number) => Number(x.toPrecision(3));
  return `${w.hp} = ${sig(w.value)} is at the ${w.side} edge of [${sig(w.range[0])}, ${sig(w.range[1])}] (${w.reasons.join(', ')})`;
}
