import { describe, expect, it } from 'vitest';
import { ci95, holm, meanStd, paired, tost, welch } from '../../src/harness/report/stats.js';
import { tCdf, tQuantile } from '../../src/harness/report/studentT.js';

// Reference numbers marked "scipy" were produced once with SciPy 1.10.1 (Debian python3-scipy):
// stats.t.ppf / stats.t.cdf, stats.ttest_ind(a, b, equal_var=False), stats.ttest_rel(x, y),
// stats.t.interval(0.95, n-1, loc=mean, scale=std/sqrt(n)); the TOST p-values as
// max(stats.t.sf((d+Δ)/se, df), stats.t.cdf((d−Δ)/se, df)) with d, se, df from numpy. Printed with repr.

describe('Student t distribution', () => {
  it('matches closed forms for 1 and 2 degrees of freedom (hand-derived)', () => {
    for (const t of [-7, -1.3, -0.2, 0, 0.4, 2.5, 30]) {
      expect(tCdf(t, 1)).toBeCloseTo(0.5 + Math.atan(t) / Math.PI, 13); // Cauchy
      expect(tCdf(t, 2)).toBeCloseTo(0.5 + t / (2 * Math.sqrt(2 + t * t)), 13);
    }
    // df = 2: t_p = (2p − 1)·sqrt(2 / (1 − (2p − 1)²)).
    const a = 2 * 0.975 - 1;
    expect(tQuantile(0.975, 2)).toBeCloseTo(a * Math.sqrt(2 / (1 - a * a)), 11);
    expect(tQuantile(0.975, 1)).toBeCloseTo(Math.tan(Math.PI * (0.975 - 0.5)), 10);
  });

  it('quantiles and CDF match scipy, including fractional df (Welch)', () => {
    const q: Array<[number, number]> = [
      [1, 12.706204736174694], [2, 4.302652729749462], [3, 3.1824463052837078], [4, 2.7764451051977934],
      [9, 2.262157162798205], [29, 2.045229642132703], [7.3, 2.345066736547703],
    ];
    for (const [df, v] of q) expect(tQuantile(0.975, df)).toBeCloseTo(v, 10);
    expect(tQuantile(0.025, 4)).toBeCloseTo(-2.7764451051977934, 10);
    const c: Array<[number, number, number]> = [
      [0.5, 1, 0.6475836176504333], [-2.1, 3, 0.0632826012748423], [1.7, 9.6, 0.939381179518615],
      [3.2, 2, 0.9573295603800236], [0, 5, 0.5], [-4, 29, 0.00020003197282624587],
    ];
    for (const [t, df, v] of c) expect(tCdf(t, df)).toBeCloseTo(v, 12);
  });
});

describe('descriptive statistics', () => {
  it('95% CI = mean ± t(0.975, n−1)·s/√n (scipy t.interval)', () => {
    const r = ci95([0.81, 0.79, 0.84, 0.8]);
    expect(r.mean).toBeCloseTo(0.81, 14);
    expect(r.std).toBeCloseTo(0.021602468994692835, 14);
    expect(r.lo).toBeCloseTo(0.775625651181417, 12);
    expect(r.hi).toBeCloseTo(0.8443743488185831, 12);
  });

  it('one value has no spread: std and interval are NaN (shown as n/a), not 0', () => {
    const m = meanStd([3]);
    expect(m.mean).toBe(3);
    expect(Number.isNaN(m.std)).toBe(true);
    const r = ci95([3]);
    expect(Number.isNaN(r.lo) && Number.isNaN(r.hi)).toBe(true);
  });
});

describe('tests of a difference', () => {
  const a = [91.2, 90.8, 91.5, 90.9, 91.1];
  const b = [90.1, 90.9, 89.8, 90.4];

  it('Welch: t, Welch–Satterthwaite df, p, CI (scipy ttest_ind equal_var=False)', () => {
    const w = welch(a, b);
    expect(w.t).toBeCloseTo(3.0237157840737297, 11);
    expect(w.df).toBeCloseTo(4.602739726027369, 11);
    expect(w.p).toBeCloseTo(0.0325624302866104, 11);
    expect(w.lo).toBeCloseTo(0.10184726660558363, 10);
    expect(w.hi).toBeCloseTo(1.4981527333943823, 10);
    // Antisymmetric in its arguments.
    expect(welch(b, a).t).toBeCloseTo(-w.t, 12);
  });

  it('paired differences over seeds: t, p, CI (scipy ttest_rel)', () => {
    const p = paired([85.1, 84.7, 85.9], [84.9, 84.1, 85.2]);
    expect(p.n).toBe(3);
    expect(p.df).toBe(2);
    expect(p.t).toBeCloseTo(3.273268353539773, 11);
    expect(p.p).toBeCloseTo(0.08201490795684814, 11);
    expect(p.lo).toBeCloseTo(-0.15724106077286548, 10);
    expect(p.hi).toBeCloseTo(1.1572410607728654, 10);
    // A shift common to both methods (a seed effect) cancels in the paired test, not in Welch's.
    const shifted = paired([85.1 + 5, 84.7, 85.9 - 5], [84.9 + 5, 84.1, 85.2 - 5]);
    expect(shifted.t).toBeCloseTo(p.t, 9);
    expect(welch([85.1 + 5, 84.7, 85.9 - 5], [84.9 + 5, 84.1, 85.2 - 5]).p).toBeGreaterThan(0.8);
    expect(() => paired([1, 2], [1])).toThrow(/2 vs 1/);
  });

  it('TOST: equivalence only when the whole 90% interval is inside ±margin', () => {
    const w = welch(a, b);
    expect(tost(w, 0.5).p).toBeCloseTo(0.8437900641908346, 10);
    expect(tost(w, 0.5).equivalent).toBe(false);
    expect(tost(w, 2).p).toBeCloseTo(0.003781536441921861, 10);
    expect(tost(w, 2).equivalent).toBe(true);
    const p = paired([85.1, 84.7, 85.9], [84.9, 84.1, 85.2]);
    expect(tost(p, 1).p).toBeCloseTo(0.04100745397842407, 10);
    expect(() => tost(p, 0)).toThrow(/margin/);
  });

  it('one seed per method: no test (NaN), not a spurious result', () => {
    expect(Number.isNaN(welch([1], [2, 3]).p)).toBe(true);
    expect(Number.isNaN(paired([1], [2]).p)).toBe(true);
    expect(tost(paired([1], [2]), 1).equivalent).toBe(false);
  });
});

describe('Holm correction', () => {
  it('step-down adjusted p-values (hand-computed)', () => {
    // sorted 0.005, 0.01, 0.03, 0.04 → 4·0.005, 3·0.01, 2·0.03, max(0.06, 1·0.04)
    const r = holm([0.01, 0.04, 0.03, 0.005]);
    [0.03, 0.06, 0.06, 0.02].forEach((v, i) => expect(r[i]).toBeCloseTo(v, 15));
    expect(holm([0.5, 0.9])).toEqual([1, 1]);
    const n = holm([NaN, 0.02, 0.04]);
    expect(Number.isNaN(n[0])).toBe(true);
    expect(n[1]).toBeCloseTo(0.04, 15);
    expect(n[2]).toBeCloseTo(0.04, 15);
  });
});
