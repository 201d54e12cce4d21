import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseRunDir, selectRuns } from '../../src/cli/commands/report.js';
import { summarize, type RunMeta } from '../../src/harness/report/aggregate.js';
import { ema } from '../../src/harness/report/curves.js';
import { metricsCsv } from '../../src/harness/report/csv.js';
import { stylesFor } from '../../src/harness/report/style.js';
import { lineChart } from '../../src/harness/report/svg.js';
import { html, markdown, textTable } from '../../src/harness/report/write.js';
import type { RunResult } from '../../src/harness/train/run.js';

const META: Record<string, RunMeta> = { 'fmnist-cnn': { description: 'CNN', metric: 'accuracy', notes: ['CAVEAT-ONE'], hpSource: { sgd: 'defaults, not tuned', adamw: 'defaults, not tuned', rfadamw: 'defaults, not tuned', shampoo: 'defaults, not tuned' } } };

/** A finished 2-epoch run: test accuracy `acc` at the end, 4 steps of 50 s each, cosine schedule. */
function run(optimizer: string, seed: number, acc: number): RunResult {
  const ep = (e: number, a: number) => ({ epoch: e, step: 2 * e, lr: 0.1, trainLoss: 1 / e, stepLoss: [1.2 / e, 0.8 / e], val: { loss: 1, metric: a - 0.01 }, test: { loss: 1, metric: a }, trainEval: { loss: 0.5, metric: a + 0.02 }, trainSeconds: 100 * e, msPerStep: 1, evalSeconds: 3 });
  const epochs = [ep(1, acc - 0.1), ep(2, acc)];
  return {
    task: 'fmnist-cnn', optimizer, seed, hp: { lr: 0.1, momentum: 0.9, weightDecay: 0 }, precision: 'float32', epochs, final: epochs[1], diverged: false, params: 1, steps: 4, msPerStep: 1, trainSeconds: 200, completed: true, weightsDigest: '',
    toTarget: { target: 0.75, metric: 'accuracy', steps: acc > 0.8 ? 2 : 4, seconds: acc > 0.8 ? 100 : 200 },
    schedule: { type: 'cosine', value: 0.1, totalSteps: 4, warmupSteps: 1, minValue: 0 },
  } as RunResult;
}

const plotBottom = (svg: string) => {
  const m = /<rect x="58" y="28" width="[\d.]+" height="([\d.]+)"/.exec(svg)!;
  return 28 + Number(m[1]);
};

describe('report', () => {
  it('legend rows sit below the plot area, never over the curves', () => {
    const series = ['SGD', 'AdamW', 'RF-AdamW', 'Shampoo', 'IF-Shampoo', 'RF-RMSProp'].map((label, i) => ({ label, color: '#000', dash: '', marker: 'circle' as const, points: [0, 1, 2].map((x) => ({ x, y: { mean: i + x, std: 0.1, n: 2 } })) }));
    const svg = lineChart('t', 'x', 'y', series);
    const bottom = plotBottom(svg);
    const legendY = [...svg.matchAll(/<g class="legend">.*?<text x="[\d.]+" y="([\d.]+)"/g)].map((m) => Number(m[1]));
    expect(legendY.length).toBe(6);
    for (const y of legendY) expect(y).toBeGreaterThan(bottom + 20); // below the x tick labels and axis title
    expect(Number(/height="(\d+)"/.exec(svg)![1])).toBeGreaterThan(Math.max(...legendY));
  });

  it('AdamW, RF-AdamW and Shampoo differ in colour (CIE ΔE > 25), dash and marker', () => {
    const st = stylesFor(['sgd', 'adamw', 'rfrmsprop', 'rfadamw', 'ifshampoo', 'shampoo']);
    const lab = (hex: string) => {
      const c = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255).map((v) => (v > 0.04045 ? ((v + 0.055) / 1.055) ** 2.4 : v / 12.92));
      const xyz = [0.4124 * c[0] + 0.3576 * c[1] + 0.1805 * c[2], 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2], 0.0193 * c[0] + 0.1192 * c[1] + 0.9505 * c[2]];
      const f = (t: number) => (t > 216 / 24389 ? Math.cbrt(t) : (24389 / 27 * t + 16) / 116);
      const [x, y, z] = [f(xyz[0] / 0.95047), f(xyz[1]), f(xyz[2] / 1.08883)];
      return [116 * y - 16, 500 * (x - y), 200 * (y - z)];
    };
    const dE = (a: string, b: string) => Math.hypot(...lab(a).map((v, i) => v - lab(b)[i]));
    for (let i = 0; i < st.length; i++) {
      for (let j = i + 1; j < st.length; j++) {
        expect(dE(st[i].color, st[j].color), `${i} vs ${j}`).toBeGreaterThan(25);
        expect(st[i].marker).not.toBe(st[j].marker);
      }
    }
    const [adamw, rfadamw, shampoo] = [st[1], st[3], st[5]];
    expect(new Set([adamw.dash, rfadamw.dash, shampoo.dash]).size).toBe(3);
    // A second series of one optimizer (e.g. bf16) gets another look.
    const two = stylesFor(['shampoo', 'shampoo']);
    expect(two[0]).not.toEqual(two[1]);
  });

  it('results first, caveats after; units on every metric axis; best-epoch column marked optimistic; per-step loss, log scale, LR schedule', () => {
    const rs = [run('sgd', 1, 0.8), run('sgd', 2, 0.82), run('adamw', 1, 0.85), run('adamw', 2, 0.86)];
    const s = summarize(rs, META, { logLoss: true });
    const page = html(s, '');
    const iTable = page.indexOf('<table class="results">');
    const iCaveats = page.indexOf('<h3>Caveats</h3>');
    expect(iTable).toBeGreaterThan(0);
    expect(iCaveats).toBeGreaterThan(page.indexOf('<svg'));
    expect(page.indexOf('CAVEAT-ONE')).toBeGreaterThan(iCaveats);
    expect(page).toContain('>validation accuracy (%)</text>'); // the validation axis has a unit
    expect(page).toContain('>clean train-set accuracy (%)</text>');
    expect(page).toContain('best-epoch test accuracy (%) † (optimistic)');
    expect(page).toContain('training loss per step (EMA, span 3)');
    expect(page).toContain('training loss (augmented batch) (log scale)');
    expect(page).toContain('learning-rate schedule');
    expect((page.match(/<svg/g) ?? []).length).toBe(6);
    const linear = html(summarize(rs, META), '');
    expect(linear).not.toContain('training loss (augmented batch) (log scale)');
    const md = markdown(s, '');
    expect(md.indexOf('| SGD |')).toBeLessThan(md.indexOf('### Caveats'));
    expect(md.indexOf('### Caveats')).toBeLessThan(md.indexOf('CAVEAT-ONE'));
  });

  it('one seed reads n/a (never ± 0.00); total training time is the sum of the runs’ recorded times', () => {
    const s = summarize([run('sgd', 1, 0.8), run('adamw', 1, 0.85)], META);
    const md = markdown(s, '');
    expect(md).toContain('| SGD | 80.00 ± n/a | n/a |');
    expect(md).not.toContain('± 0.00');
    expect(md).toContain('Total training time of the 2 runs (sum of their recorded training times, evaluation excluded): 6:40 (400 s); evaluation 0:12.');
    expect(textTable(s.tasks[0])).toContain('no test (needs ≥ 2 seeds per method)');
  });

  it('summary carries ci95 per method and metric, and comparisons against the reference with Holm and TOST', () => {
    const rs = [run('sgd', 1, 0.8), run('sgd', 2, 0.82), run('sgd', 3, 0.81), run('adamw', 1, 0.85), run('adamw', 2, 0.86), run('adamw', 3, 0.84), run('rfadamw', 1, 0.852), run('rfadamw', 2, 0.858), run('rfadamw', 3, 0.845)];
    const s = summarize(rs, META);
    const t = s.tasks[0];
    const sgd = t.optimizers[0];
    // t(0.975, 2) = 4.302652729749462 (scipy); SGD final test 80, 82, 81: mean 81, std 1.
    expect(sgd.ci95.finalTest.lo).toBeCloseTo(81 - 4.302652729749462 / Math.sqrt(3), 9);
    expect(sgd.ci95.finalTest.hi).toBeCloseTo(81 + 4.302652729749462 / Math.sqrt(3), 9);
    expect(Object.keys(sgd.ci95).sort()).toEqual(['bestTest', 'finalTest', 'finalTrainEval', 'finalTrainLoss', 'finalVal', 'gap', 'trainSeconds']);
    expect(sgd.toTarget).toMatchObject({ target: 0.75, reached: 3, of: 3 });
    const c = t.comparisons!;
    expect(c.reference).toBe('adamw');
    expect(c.margin).toBe(1);
    const [vsSgd, vsRf] = c.rows;
    expect(vsSgd.key).toBe('sgd');
    expect(vsSgd.test).toBe('paired');
    // Paired differences SGD − AdamW: −5, −4, −3 → mean −4, sd 1.
    expect(vsSgd.paired.diff).toBeCloseTo(-4, 9);
    expect(vsSgd.paired.lo).toBeCloseTo(-4 - 4.302652729749462 / Math.sqrt(3), 9);
    // One-sided: SGD is clearly worse (p_worse = p/2), not better.
    expect(vsSgd.pWorse).toBeCloseTo(vsSgd.p / 2, 12);
    expect(vsSgd.pBetter).toBeCloseTo(1 - vsSgd.p / 2, 12);
    // Worse by more than 1 pp: t = (−4 + 1)/(1/√3) = −3√3 on 2 df, CDF(t) = 1/2 + t/(2√(2 + t²)).
    expect(vsSgd.pWorseBeyond).toBeCloseTo(0.5 - (3 * Math.sqrt(3)) / (2 * Math.sqrt(29)), 12);
    expect(vsRf.pWorseBeyond).toBeGreaterThan(0.5);
    // Holm over the two p-values: the smaller ×2, the larger ×1, monotone.
    const ps = [vsSgd.p, vsRf.p];
    const lo = Math.min(...ps);
    expect(Math.min(vsSgd.pHolm, vsRf.pHolm)).toBeCloseTo(2 * lo, 12);
    expect(Math.max(vsSgd.pHolm, vsRf.pHolm)).toBeCloseTo(Math.max(2 * lo, Math.max(...ps)), 12);
    // RF-AdamW − AdamW: 0.2, −0.2, 0.5 → within ±1 pp? the TOST verdict follows its p.
    expect(vsRf.tost.margin).toBe(1);
    expect(vsRf.tost.equivalent).toBe(vsRf.tost.p < 0.05);
    expect(markdown(s, '')).toContain('### Comparison with AdamW');
    expect(() => summarize(rs, META, { reference: 'lion' })).toThrow(/--reference: 'lion'/);
    expect(summarize(rs, META, { reference: 'sgd', margin: 0.5 }).tasks[0].comparisons!.rows.map((r) => r.key)).toEqual(['adamw', 'rfadamw']);
    // Margin: --margin, else the task's (moby-lstm 0.05 bpc, REPRODUCTION claim 3), else 1 pp / 0.03 bpc.
    const lstm = rs.map((r) => ({ ...r, task: 'moby-lstm' }));
    const bpcMeta = { 'moby-lstm': { ...META['fmnist-cnn'], metric: 'bpc' as const } };
    expect(summarize(lstm, bpcMeta).tasks[0].comparisons!.margin).toBe(0.05);
    expect(summarize(lstm.map((r) => ({ ...r, task: 'moby-gpt' })), { 'moby-gpt': bpcMeta['moby-lstm'] }).tasks[0].comparisons!.margin).toBe(0.03);
    expect(summarize(lstm, bpcMeta, { margin: 0.2 }).tasks[0].comparisons!.margin).toBe(0.2);
    // bits/char: lower is better, so a negative difference is "better".
    const bpcSgd = summarize(lstm, bpcMeta).tasks[0].comparisons!.rows[0];
    expect(bpcSgd.pBetter).toBeCloseTo(vsSgd.pWorse, 12);
    // ... and "worse by more than 0.05 bpc" is Δ > +0.05: Δ = −0.04 (sd 0.01), t = −0.09·√3/0.01 = −9√3, p = 1 − CDF(t).
    expect(bpcSgd.pWorseBeyond).toBeCloseTo(0.5 + (9 * Math.sqrt(3)) / (2 * Math.sqrt(245)), 12);
  });

  it('EMA smoothing is debiased (first value kept, constant series unchanged)', () => {
    expect(ema([5, 5, 5], 3)).toEqual([5, 5, 5]);
    const e = ema([1, 3], 3); // α = 0.5: m = 0.5, 1.75; weights 0.5, 0.75
    expect(e[0]).toBe(1);
    expect(e[1]).toBeCloseTo(1.75 / 0.75, 14);
  });

  it('metrics.csv carries --eval-every evaluations at their step and fractional epoch', () => {
    const r = run('sgd', 1, 0.8);
    r.epochs[0].evals = [{ step: 1, epoch: 0.5, trainSeconds: 50, val: { loss: 2, metric: 0.5 }, trainEval: { loss: 1.5, metric: 0.6 } }];
    const rows = metricsCsv([r]).trim().split('\n').slice(1).map((l) => l.split(','));
    const at = rows.filter((x) => x[5] === '0.5');
    expect(at.map((x) => [x[6], x[7], x[8]])).toEqual([['1', 'trainSeconds', '50'], ['1', 'val.loss', '2'], ['1', 'val.metric', '0.5'], ['1', 'trainEval.loss', '1.5'], ['1', 'trainEval.metric', '0.6']]);
  });
});

describe('report run selection', () => {
  const write = (root: string, opt: string, seed: number): void => {
    const d = join(root, 'runs', opt, `seed${seed}`, 'k');
    mkdirSync(d, { recursive: true });
    writeFileSync(join(d, 'result.json'), JSON.stringify({ task: 't', optimizer: opt, seed, precision: 'float32' }));
  };
  it('`dir=opt,...` keeps only those optimizers; a seed given by two directories is refused, naming both', () => {
    const a = mkdtempSync(join(tmpdir(), 'rf-sel-a-'));
    const b = mkdtempSync(join(tmpdir(), 'rf-sel-b-'));
    for (const s of [1, 2]) {
      write(a, 'sgd', s);
      write(a, 'adamw', s);
      write(b, 'adamw', s);
    }
    expect(parseRunDir(`${a}=sgd, rfrmsprop`)).toEqual({ dir: a, only: ['sgd', 'rfrmsprop'] });
    expect(() => selectRuns([{ dir: a }, { dir: b }])).toThrow(new RegExp(`t adamw float32 seed 1 is in both ${a} and ${b}`));
    const picked = selectRuns([parseRunDir(`${a}=sgd`), { dir: b }]);
    expect(picked.map((r) => `${r.optimizer}${r.seed}`).sort()).toEqual(['adamw1', 'adamw2', 'sgd1', 'sgd2']);
    expect(() => selectRuns([parseRunDir(`${a}=rfadamw`)])).toThrow(/no finished 'rfadamw' run in .* \(it has: (sgd, adamw|adamw, sgd)\)/);
    expect(() => parseRunDir(`${a}=`)).toThrow(/expected <run-dir>=<optimizer>/);
  });
});
