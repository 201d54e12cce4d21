import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCompare } from '../../src/harness/compare/compare.js';
import { collectResults, readMeta, summarize } from '../../src/harness/report/aggregate.js';
import type { Summary } from '../../src/harness/report/aggregate.js';
import { harnessBackend, tinyCompare, tmp } from './helpers.js';

describe('compare end to end (tiny)', () => {
  beforeAll(() => harnessBackend('wasm'));

  it('trains (loss falls), prints a table and writes report.html / summary.md / summary.json; a re-run reuses finished runs', async () => {
    const out = tmp('compare');
    const lines: string[] = [];
    const opts = tinyCompare(out, { optimizers: ['sgd', 'rfadamw'], seeds: 2, budgetOverride: { epochs: 3, batchSize: 64, trainSubset: 640, valSubset: 200, testSubset: 200 }, log: (s: string) => lines.push(s) });
    const r = await runCompare({ ...opts, optimizers: ['sgd', 'rfadamw'] });
    for (const o of r.summary.tasks[0].optimizers) {
      expect(o.seeds).toEqual([1, 2]);
      const losses = o.curve.map((c) => c.trainLoss.mean);
      expect(losses[losses.length - 1]).toBeLessThan(losses[0]);
      expect(losses[losses.length - 1]).toBeLessThan(Math.log(10) * 0.6);
      expect(o.finalTest.mean).toBeGreaterThan(50); // accuracy in %, chance is 10
      expect(o.hpSource).toBe('defaults, not tuned');
    }
    for (const f of ['report.html', 'summary.md', 'summary.json']) expect(existsSync(join(out, f))).toBe(true);
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as Summary & { note: string };
    expect(summary.tasks[0].optimizers.map((o) => o.optimizer)).toEqual(['sgd', 'rfadamw']);
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    expect(html).toMatch(/^<!doctype html>/);
    expect((html.match(/<svg/g) ?? []).length).toBe(6); // test vs epoch / time, val, clean train, per-step loss, LR
    // summary.json carries the statistics: ci95 per method and metric, comparisons vs the reference.
    const sgd = summary.tasks[0].optimizers[0];
    expect(sgd.ci95.finalTest.lo).toBeLessThan(sgd.finalTest.mean);
    expect(sgd.ci95.finalTest.hi).toBeGreaterThan(sgd.finalTest.mean);
    expect(summary.tasks[0].comparisons!.reference).toBe('sgd');
    expect(summary.tasks[0].comparisons!.rows[0]).toMatchObject({ key: 'rfadamw', test: 'paired', seeds: [1, 2], tost: { margin: 1 } });
    expect(html).toContain('<polygon'); // ± std band over the two seeds
    const md = readFileSync(join(out, 'summary.md'), 'utf8');
    expect(md).toMatch(/\| SGD \| \d+\.\d\d ± \d+\.\d\d \|/);
    expect(lines.join('\n')).toMatch(/RF-AdamW +\d+\.\d\d ± /);
    // The terminal says which hyper-parameters were used and how tuned ones would be made.
    expect(lines).toContain('hyper-parameters SGD: defaults, not tuned');
    // (prose is wrapped at 100 columns, continuations indented by two)
    expect(lines.join('\n').replace(/\n {2}/g, ' ')).toContain("no tuned values for SGD, RF-AdamW on mnist-mlp at the 'quick' budget (overridden); to produce them: for o in sgd rfadamw; do npx rootfree tune");
    for (const l of r.table.split('\n')) expect(l.length).toBeLessThanOrEqual(100);

    // Second invocation: everything is already done and the report is rebuilt identically.
    const lines2: string[] = [];
    const r2 = await runCompare({ ...opts, log: (s) => lines2.push(s) });
    expect(lines2.join('\n')).toContain('4 runs (SGD, RF-AdamW × 2 seeds), 4 already done');
    expect(r2.table).toBe(r.table);
    // The time reported is the runs' recorded training time, not this (instant) invocation's.
    const recorded = r2.summary.tasks[0].optimizers.reduce((a, o) => a + o.trainSeconds.mean * o.seeds.length, 0);
    expect(lines2.join('\n')).toContain(`Total training time of the 4 runs (sum of their recorded training times, evaluation excluded): `);
    expect(lines2.join('\n')).toContain(`(${recorded.toFixed(0)} s)`);
    expect(lines2.join('\n')).toContain('0 runs trained, 4 finished runs reused');
    expect(r2.summary.tasks[0].trainSeconds).toBeCloseTo(recorded, 9);
    expect(readFileSync(join(out, 'summary.md'), 'utf8')).toContain(`(${recorded.toFixed(0)} s)`);
    // `report` path: merge from disk.
    const again = summarize(collectResults(join(out, 'runs')), readMeta(out));
    expect(again.tasks[0].optimizers[0].finalTest).toEqual(r.summary.tasks[0].optimizers[0].finalTest);
  });

  it('records a numerical failure of a method as a diverged run with its reason, and finishes the others', async () => {
    const out = tmp('compare-fail');
    // Root-based Shampoo with the Newton root in bf16 breaks within a few steps (docs/HALFPREC.md);
    // with a small ε the root itself turns non-finite (a larger ε lets it blow up the loss instead).
    const tunedFile = join(out, 'tuned.json');
    const hp = { lr: 0.01, momentum: 0.9, lrCov: 0.01, damping: 3e-8, weightDecay: 1e-4, T: 2 };
    mkdirSync(out, { recursive: true });
    writeFileSync(tunedFile, JSON.stringify({ 'mnist-mlp': { 'shampoo-newton': { hp, source: 'test' } } }));
    const r = await runCompare({
      task: 'mnist-mlp',
      optimizers: ['sgd', 'shampoo-newton'],
      seeds: 1,
      budget: 'quick',
      budgetOverride: { epochs: 2, batchSize: 64, trainSubset: 640, valSubset: 200, testSubset: 200 },
      precision: 'bfloat16',
      out,
      backend: 'wasm',
      tunedFile,
      jobs: 1,
      progress: false,
      log: () => {},
    });
    const [sgd, newton] = r.summary.tasks[0].optimizers;
    expect(sgd.diverged).toBe(0);
    expect(sgd.finalTest.mean).toBeGreaterThan(50);
    expect(newton.label).toBe('Shampoo (Newton root)');
    expect(newton.diverged).toBe(1);
    expect(newton.failures).toEqual([expect.stringMatching(/^seed 1: step \d+: Shampoo '.+' factor \d .*inverse root \(Newton, bfloat16\) contains NaN or Inf/)]);
    expect(readFileSync(join(out, 'summary.md'), 'utf8')).toMatch(/Diverged runs:\n\n- Shampoo \(Newton root\), seed 1: step \d+: /);
    expect(readFileSync(join(out, 'report.html'), 'utf8')).toContain('<h3>Diverged runs</h3>');
  });
});
