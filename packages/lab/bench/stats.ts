/** Median (mean of the middle two for an even count); NaN for no values. */
export function median(xs: number[]): number {
  if (xs.length === 0) return NaN;
  const s = xs.slice().sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** {@link median}, null for no values (results JSON: "not measured"). */
export function medianOrNull(xs: number[]): number | null {
  return xs.length === 0 ? null : median(xs);
}
