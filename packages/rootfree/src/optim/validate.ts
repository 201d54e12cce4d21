/**
 * Construction-time validation. Every error names the option, the offending value and the valid
 * range, so a user can fix the call without reading the source.
 */
export interface NumberRange {
  min?: number;
  max?: number;
  /** Exclude `min` itself (e.g. lr > 0). */
  minExclusive?: boolean;
  /** Exclude `max` itself (e.g. momentum < 1). */
  maxExclusive?: boolean;
  integer?: boolean;
}

export class OptionError extends RangeError {
  constructor(readonly option: string, readonly value: unknown, readonly expected: string) {
    super(`${option}: expected ${expected}, got ${formatValue(value)}`);
    this.name = 'OptionError';
  }
}

function formatValue(v: unknown): string {
  if (typeof v === 'number') return String(v);
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}

export function describeRange(r: NumberRange): string {
  const kind = r.integer ? 'an integer' : 'a finite number';
  const lo = r.min === undefined ? '' : `${r.minExclusive ? '>' : '>='} ${r.min}`;
  const hi = r.max === undefined ? '' : `${r.maxExclusive ? '<' : '<='} ${r.max}`;
  const parts = [lo, hi].filter(Boolean).join(' and ');
  if (r.min !== undefined && r.max !== undefined) {
    const l = r.minExclusive ? '(' : '[';
    const h = r.maxExclusive ? ')' : ']';
    return `${kind} in ${l}${r.min}, ${r.max}${h}`;
  }
  return parts ? `${kind} ${parts}` : kind;
}

export function checkNumber(option: string, value: unknown, range: NumberRange = {}): number {
  const ok =
    typeof value === 'number' &&
    Number.isFinite(value) &&
    (!range.integer || Number.isInteger(value)) &&
    (range.min === undefined || (range.minExclusive ? value > range.min : value >= range.min)) &&
    (range.max === undefined || (range.maxExclusive ? value < range.max : value <= range.max));
  if (!ok) throw new OptionError(option, value, describeRange(range));
  return value as number;
}

export function checkBoolean(option: string, value: unknown): boolean {
  if (typeof value !== 'boolean') throw new OptionError(option, value, 'a boolean');
  return value;
}

export function checkEnum<T extends string>(option: string, value: unknown, allowed: readonly T[]): T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw new OptionError(option, value, `one of ${allowed.map((a) => `'${a}'`).join(' | ')}`);
  }
  return value as T;
}

/** Rejects option names the method does not know (catches typos like `weight_decay`). */
export function checkKnownKeys(where: string, options: object, known: readonly string[]): void {
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) {
      throw new OptionError(`${where}.${key}`, (options as Record<string, unknown>)[key], `a known option (${known.join(', ')})${didYouMean(key, known)}`);
    }
  }
}

/** The known key equal to `key` up to case and underscores (`weight_decay` -> `weightDecay`). */
export function suggestKey(key: string, known: readonly string[]): string | undefined {
  const norm = (k: string) => k.replace(/_/g, '').toLowerCase();
  return known.find((k) => norm(k) === norm(key));
}

/**
 * "; did you mean 'x'?" for an unknown key: the known key equal up to case and underscores, else
 * those it abbreviates or extends (`warmup`, `option`), else those within two edits (`gama`);
 * '' when none is close.
 */
export function didYouMean(key: string, known: readonly string[]): string {
  const exact = suggestKey(key, known);
  const norm = (k: string) => k.replace(/_/g, '').toLowerCase();
  const k = norm(key);
  let hits = exact ? [exact] : known.filter((c) => k.length >= 3 && (norm(c).startsWith(k) || k.startsWith(norm(c))) && norm(c).length >= 3);
  if (hits.length === 0 && k.length >= 4) hits = known.filter((c) => editDistance(k, norm(c)) <= 2);
  if (hits.length === 0) return '';
  return `; did you mean ${hits.map((h) => `'${h}'`).join(' or ')}?`;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur.push(Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1)));
    prev = cur;
  }
  return prev[b.length];
}
