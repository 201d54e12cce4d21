import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { parseArgs } from '../../src/cli/args.js';
import { command } from '../../src/cli/commands/report.js';
import { logTicks, scatterChart } from '../../src/harness/report/svg.js';
import { readTuneDir, tuningReport, type TuningData } from '../../src/harness/report/tuning.js';

interface FakeTrial {
  trial: number;
  lr: number;
  lrCov?: number;
  val: number;
}

/** A directory shaped like `rootfree tune --out <dir>` output (NaN val → null in the JSONL, as `tune` writes it). */
function fakeTuneDir(root: string, name: string, task: string, optimizer: string, ranges: object, stage1: FakeTrial[], stage2?: { ranges: object; trials: FakeTrial[] }): string {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  const budget = { epochs: 2, batchSize: 128, trainSubset: 12288 };
  const line = (stage: number, t: FakeTrial) =>
    JSON.stringify({
      stage,
      trial: t.trial,
      hp: { lr: t.lr, momentum: 0.9, weightDecay: 5e-4, ...(t.lrCov !== undefined ? { lrCov: t.lrCov } : {}) },
      val: t.val,
      valLoss: Number.isNaN(t.val) ? NaN : 1 - t.val,
      diverged: Number.isNaN(t.val),
      trainSeconds: 10,
    }) + '\n';
  const meta = (r: object) => JSON.stringify({ task, optimizer, budget, seed: 1, ranges: r, trials: 4, distribution: 'log-uniform' });
  writeFileSync(join(dir, 'stage1.json'), meta(ranges));
  writeFileSync(join(dir, 'stage1.jsonl'), stage1.map((t) => line(1, t)).join(''));
  if (stage2) {
    writeFileSync(join(dir, 'stage2.json'), meta(stage2.ranges));
    writeFileSync(join(dir, 'stage2.jsonl'), stage2.trials.map((t) => line(2, t)).join(''));
  }
  return dir;
}

function fixture(): { root: string; sgd: string; adamw: string } {
  const root = mkdtempSync(join(tmpdir(), 'rootfree-tuning-'));
  const sgd = fakeTuneDir(
    root,
    'sgd',
    'fmnist-cnn',
    'sgd',
    { lr: [1e-3, 3] },
    [
      { trial: 0, lr: 0.1, val: 0.785 },
      { trial: 1, lr: 0.01, val: 0.7 },
      { trial: 2, lr: 0.001, val: 0.6 },
      { trial: 3, lr: 2.5, val: NaN },
    ],
    {
      ranges: { lr: [0.05, 0.2] },
      trials: [
        { trial: 0, lr: 0.08, val: 0.78 },
        { trial: 1, lr: 0.15, val: 0.7725 },
      ],
    },
  );
  const adamw = fakeTuneDir(root, 'adamw', 'fmnist-cnn', 'adamw', { lr: [1e-5, 0.1], lrCov: [1e-3, 0.1] }, [
    { trial: 0, lr: 1e-3, lrCov: 0.01, val: 0.81 },
    { trial: 1, lr: 1e-4, lrCov: 0.05, val: 0.75 },
    { trial: 2, lr: 1e-2, lrCov: 0.002, val: 0.65 },
    { trial: 3, lr: 0.09, lrCov: 0.02, val: NaN },
  ]);
  return { root, sgd, adamw };
}

const count = (s: string, re: RegExp) => (s.match(re) ?? []).length;
const attr = (tag: string, name: string) => Number(new RegExp(`${name}="([-0-9.]+)"`).exec(tag)![1]);

describe('tuning report (rootfree report --tune)', () => {
  let f: ReturnType<typeof fixture>;
  beforeAll(() => {
    f = fixture();
  });
  afterEach(() => vi.restoreAllMocks());

  it('reads a tune dir: stage-2 trials, NaN val (null in JSON) as diverged', () => {
    const d = readTuneDir(f.sgd);
    expect(d.task).toBe('fmnist-cnn');
    expect(d.optimizer).toBe('sgd');
    expect(d.trials.map((t) => `${t.stage}.${t.trial}`)).toEqual(['1.0', '1.1', '1.2', '1.3', '2.0', '2.1']);
    expect(d.trials[3].diverged).toBe(true);
    expect(Number.isNaN(d.trials[3].val)).toBe(true);
    expect(d.ranges.stage2).toEqual({ lr: [0.05, 0.2] });
    expect(readTuneDir(f.adamw).ranges.stage2).toBeUndefined();
  });

  it('writes tuning.json with the best trial, counts, median and worst per optimizer', () => {
    const out = join(f.root, 'out-json');
    const files = tuningReport([f.sgd, f.adamw], out);
    expect(files).toEqual([join(out, 'tuning.md'), join(out, 'tuning.html'), join(out, 'tuning.json')]);
    const j = JSON.parse(readFileSync(files[2], 'utf8')) as TuningData;
    expect(j.task).toBe('fmnist-cnn');
    expect(j.higherIsBetter).toBe(true);
    const [sgd, adamw] = j.optimizers;
    expect(sgd.optimizer).toBe('sgd');
    expect(sgd.label).toBe('SGD');
    expect(sgd.counts).toEqual({ stage1: 4, stage2: 2, stage3: 0, diverged: 1 });
    expect(sgd.best).toMatchObject({ stage: 1, trial: 0, val: 0.785, hp: { lr: 0.1 } });
    expect(sgd.median).toBeCloseTo(0.7725, 12);
    expect(sgd.worst).toBeCloseTo(0.6, 12);
    expect(sgd.trials.map((t) => `${t.stage}.${t.trial}`)).toEqual(['1.0', '2.0', '2.1', '1.1', '1.2', '1.3']);
    expect(sgd.trials[5].val).toBeNull(); // diverged, last
    expect(adamw.label).toBe('AdamW');
    expect(adamw.counts).toEqual({ stage1: 4, stage2: 0, stage3: 0, diverged: 1 });
    expect(adamw.best).toMatchObject({ stage: 1, trial: 0, val: 0.81, hp: { lr: 1e-3, lrCov: 0.01 } });
    expect(adamw.median).toBeCloseTo(0.75, 12);
    expect(adamw.worst).toBeCloseTo(0.65, 12);
    expect(adamw.ranges.stage1).toEqual({ lr: [1e-5, 0.1], lrCov: [1e-3, 0.1] });
  });

  it('writes tuning.md with the summary row values, the budget, the selection direction and sorted trials', () => {
    const out = join(f.root, 'out-md');
    const md = readFileSync(tuningReport([f.sgd, f.adamw], out)[0], 'utf8');
    expect(md).toContain('task: fmnist-cnn');
    expect(md).toContain('budget: epochs 2, batchSize 128, trainSubset 12288');
    expect(md).toContain('selection: validation split; higher is better');
    const sgdRow = md.split('\n').find((l) => l.startsWith('| SGD |'))!;
    expect(sgdRow.split(' | ').map((c) => c.trim())).toEqual([
      '| SGD',
      '6 (4 + 2)',
      '1',
      '78.50 (stage 1 trial 0)',
      '77.25',
      '60.00',
      'lr=0.1, momentum=0.9, weightDecay=5e-4',
      '[0.001, 3]',
      '[0.05, 0.2]',
      'no |', // lr 0.1 is mid-range in [1e-3, 3] and neither the lowest nor the highest of the 6 draws
    ]);
    const adamwRow = md.split('\n').find((l) => l.startsWith('| AdamW |'))!;
    expect(adamwRow).toContain('| 81.00 (stage 1 trial 0) | 75.00 | 65.00 |');
    expect(adamwRow).toContain('lrCov=0.01');
    expect(adamwRow.endsWith('| [1e-5, 0.1] | — | no |')).toBe(true);
    // Per-optimizer trial list, best first, diverged last.
    const sgdSection = md.slice(md.indexOf('## SGD'), md.indexOf('## AdamW'));
    const vals = sgdSection.split('\n').filter((l) => /^\| \d/.test(l)).map((l) => l.split(' | ')[3]);
    expect(vals).toEqual(['78.50', '78.00', '77.25', '70.00', '60.00', 'diverged']);
  });

  it('reports bits/char with 3 decimals, lower is better', () => {
    const root = mkdtempSync(join(tmpdir(), 'rootfree-tuning-bpc-'));
    const d = fakeTuneDir(root, 'rfadamw', 'moby-gpt', 'rfadamw', { lr: [1e-4, 1e-2] }, [
      { trial: 0, lr: 1e-3, val: 2.5 },
      { trial: 1, lr: 3e-3, val: 2.25 },
      { trial: 2, lr: 1e-2, val: NaN },
    ]);
    const [mdFile, , jsonFile] = tuningReport([d], root);
    const md = readFileSync(mdFile, 'utf8');
    expect(md).toContain('selection: validation split; lower is better');
    expect(md).toContain('| RF-AdamW | 3 (3 + 0) | 1 | 2.250 (stage 1 trial 1) | 2.375 | 2.500 |');
    const j = JSON.parse(readFileSync(jsonFile, 'utf8')) as TuningData;
    expect(j.optimizers[0].best).toMatchObject({ trial: 1, val: 2.25, hp: { lr: 3e-3 } });
  });

  it('names stage 3 (--extend-edges) in the header and gives its lr range when a run has one', () => {
    const root = mkdtempSync(join(tmpdir(), 'rootfree-tuning-s3-'));
    const sgd = fakeTuneDir(root, 'sgd', 'fmnist-cnn', 'sgd', { lr: [1e-3, 0.1] }, [{ trial: 0, lr: 0.09, val: 0.8 }], {
      ranges: { lr: [0.05, 0.1] },
      trials: [{ trial: 0, lr: 0.07, val: 0.79 }],
    });
    const s3 = { stage: 3, trial: 0, hp: { lr: 0.2, momentum: 0.9, weightDecay: 5e-4 }, val: 0.82, valLoss: 0.18, diverged: false, trainSeconds: 10 };
    writeFileSync(join(sgd, 'stage3.json'), JSON.stringify({ task: 'fmnist-cnn', optimizer: 'sgd', budget: {}, seed: 1, ranges: { lr: [1e-3, 0.316] }, trials: 1, distribution: 'log-uniform' }));
    writeFileSync(join(sgd, 'stage3.jsonl'), JSON.stringify(s3) + '\n');
    const adamw = fakeTuneDir(root, 'adamw', 'fmnist-cnn', 'adamw', { lr: [1e-5, 0.1] }, [{ trial: 0, lr: 1e-3, val: 0.81 }]);
    const md = readFileSync(tuningReport([sgd, adamw], root)[0], 'utf8').split('\n');
    const header = md.find((l) => l.startsWith('| optimizer |'))!;
    expect(header).toContain('| trials (stage 1 + 2 + 3) |');
    expect(header).toContain('| lr range stage 2 | lr range stage 3 | best at a range edge |');
    const row = (label: string) => md.find((l) => l.startsWith(`| ${label} |`))!.split(' | ').map((c) => c.trim());
    expect(row('SGD').slice(1, 4)).toEqual(['3 (1 + 1 + 1)', '0', '82.00 (stage 3 trial 0)']);
    expect(row('SGD').slice(7, 10)).toEqual(['[0.001, 0.1]', '[0.05, 0.1]', '[0.001, 0.316]']);
    expect(row('AdamW').slice(1, 2)).toEqual(['1 (1 + 0 + 0)']);
    expect(row('AdamW').slice(7, 10)).toEqual(['[1e-5, 0.1]', '—', '—']);
    // Still at the widened range's top after stage 3: no advice to run the stage that already ran.
    expect(row('SGD')[10]).toBe('lr high (top 10% of the log range) — after the one --extend-edges widening |');
  });

  it('says whether an edge remains after stage 3, and when it is the hyper-parameter\'s hard limit', () => {
    const root = mkdtempSync(join(tmpdir(), 'rootfree-tuning-edge-'));
    const dir = (name: string, opt: string, s1: Record<string, [number, number]>, s3: Record<string, [number, number]> | undefined, hp: Record<string, number>) => {
      const t = fakeTuneDir(root, name, 'fmnist-cnn', opt, s1, [{ trial: 0, lr: 1e-3, val: 0.5 }]);
      if (s3) {
        writeFileSync(join(t, 'stage3.json'), JSON.stringify({ task: 'fmnist-cnn', optimizer: opt, budget: {}, seed: 1, ranges: s3, trials: 1, distribution: 'log-uniform' }));
        writeFileSync(join(t, 'stage3.jsonl'), JSON.stringify({ stage: 3, trial: 0, hp, val: 0.9, valLoss: 0.1, diverged: false, trainSeconds: 1 }) + '\n');
      }
      return t;
    };
    const stuckLr = dir('sgd', 'sgd', { lr: [1e-4, 0.1] }, { lr: [1e-4, 3.16] }, { lr: 3, momentum: 0.9, weightDecay: 5e-4 });
    const capped = dir('rf', 'rfrmsprop', { lr: [1e-4, 0.1], lrCov: [1e-3, 0.1] }, { lr: [1e-4, 0.1], lrCov: [1e-3, 0.99] }, { lr: 1e-3, lrCov: 0.95 });
    const fresh = dir('adamw', 'adamw', { lr: [1e-4, 1e-3] }, undefined, {});
    const md = readFileSync(tuningReport([stuckLr, capped, fresh], root)[0], 'utf8').split('\n');
    const edge = (label: string) => md.find((l) => l.startsWith(`| ${label} |`))!.split(' | ').at(-1)!.replace(/ \|$/, '');
    expect(edge('SGD')).toBe('lr high (top 10% of the log range) — after the one --extend-edges widening');
    expect(edge('RF-RMSProp')).toBe('lrCov high (top 10% of the log range; its hard limit)');
    expect(edge('AdamW')).toContain('— try tune --extend-edges');
  });

  it('draws one scatter plot per searched hyper-parameter with stage/diverged/best marks', () => {
    const out = join(f.root, 'out-html');
    const html = readFileSync(tuningReport([f.sgd, f.adamw], out)[1], 'utf8');
    const svgs = html.split('<svg').slice(1).map((s) => s.slice(0, s.indexOf('</svg>')));
    expect(svgs).toHaveLength(3); // effective lr (SGD: heavy-ball), lr (both optimizers) and lrCov (AdamW only)
    const [eff, lr, lrCov] = svgs;
    // Effective learning rate lr/(1 − momentum) = 10·lr here (momentum 0.9): SGD only (AdamW's β1 is an EMA).
    expect(eff).toContain('vs effective learning rate');
    expect(eff).toContain('lr / (1 − momentum) (log scale)');
    expect(eff).toContain('>SGD<');
    expect(eff).not.toContain('>AdamW<');
    expect(count(eff, /class="pt"/g)).toBe(5);
    expect(eff).toMatch(/>10<\/text>/); // 10·lr reaches 25 (diverged trial), lr itself stops at 2.5
    expect(lr).not.toMatch(/>10<\/text>/);
    expect(lr).toContain('validation accuracy (%) vs lr');
    expect(lrCov).toContain('validation accuracy (%) vs lrCov');
    // lr: SGD 5 finished + AdamW 3 finished; lrCov: AdamW 3 finished.
    expect(count(lr, /class="pt"/g)).toBe(8);
    expect(count(lrCov, /class="pt"/g)).toBe(3);
    expect(count(html, /<circle/g)).toBe(8 + 3 + 3 + 5 + 1); // points + one best ring per optimizer per plot (+ the effective-lr plot)
    expect(count(lr, /class="pt"[^>]*fill="none"/g)).toBe(2); // stage 2 hollow
    expect(count(lr, /class="ring"/g)).toBe(2);
    expect(count(lrCov, /class="ring"/g)).toBe(1);
    expect(count(lr, /class="cross"/g)).toBe(2);
    expect(count(lrCov, /class="cross"/g)).toBe(1);
    expect(lr).toContain('>SGD<');
    expect(lrCov).not.toContain('>SGD<');
    // The ring sits on the highest-accuracy point (smallest y in SVG coordinates).
    const pts = lrCov.match(/<circle class="pt"[^>]*>/g)!;
    const ring = lrCov.match(/<circle class="ring"[^>]*>/)![0];
    expect(attr(ring, 'cy')).toBe(Math.min(...pts.map((p) => attr(p, 'cy'))));
    expect(attr(ring, 'cx')).toBe(attr(pts[0], 'cx'));
    // Both optimizers coloured from the palette, tables present.
    expect(lr).toContain('#000000');
    expect(lr).toContain('#0072B2');
    expect(html).toContain('<td>78.50 (stage 1 trial 0)</td>');
  });

  it('puts x on a log10 axis with readable ticks', () => {
    const svg = scatterChart('t', 'x', 'y', [{ label: 'a', color: '#000', points: [1e-4, 1e-3, 1e-2].map((x, i) => ({ x, y: i })) }], { logX: true });
    const cx = svg.match(/<circle class="pt"[^>]*>/g)!.map((c) => attr(c, 'cx'));
    expect(cx[1] - cx[0]).toBeCloseTo(cx[2] - cx[1], 0);
    expect(logTicks(1e-5, 1)).toEqual([1e-5, 1e-4, 1e-3, 0.01, 0.1, 1]);
    expect(logTicks(0.01, 0.5)).toEqual([0.01, 0.02, 0.05, 0.1, 0.2, 0.5]);
    expect(logTicks(0.03, 0.06)).toEqual([0.03, 0.04, 0.05, 0.06]);
    expect(logTicks(1e-10, 1e3)).toEqual([1e-9, 1e-6, 1e-3, 1, 1000]);
    expect(svg).toMatch(/>0\.001<\/text>/);
  });

  it('refuses tune dirs of different tasks, naming the dirs', () => {
    const other = fakeTuneDir(f.root, 'mlp-sgd', 'mnist-mlp', 'sgd', { lr: [1e-3, 1] }, [{ trial: 0, lr: 0.1, val: 0.9 }]);
    let msg = '';
    try {
      tuningReport([f.sgd, other], join(f.root, 'out-mixed'));
    } catch (e) {
      msg = (e as Error).message;
    }
    expect(msg).toContain('different tasks');
    expect(msg).toContain(`${f.sgd} (fmnist-cnn)`);
    expect(msg).toContain(`${other} (mnist-mlp)`);
    expect(existsSync(join(f.root, 'out-mixed'))).toBe(false);
  });

  it('names the missing file', () => {
    const d = join(f.root, 'half');
    mkdirSync(d);
    expect(() => readTuneDir(d)).toThrow(join(d, 'stage1.json'));
    writeFileSync(join(d, 'stage1.json'), JSON.stringify({ task: 'fmnist-cnn', optimizer: 'sgd', budget: {}, seed: 1, ranges: { lr: [0.001, 1] } }));
    expect(() => tuningReport([f.sgd, d], join(f.root, 'out-half'))).toThrow(join(d, 'stage1.jsonl'));
  });

  it('CLI: `report --tune a b` writes next to the tune dirs and prints the table; --out overrides', async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    expect(await command.run(parseArgs(['--tune', f.sgd, f.adamw], command.options, true))).toBe(0);
    const printed = log.mock.calls.map((c) => String(c[0])).join('\n');
    expect(printed).toContain('| SGD | 6 (4 + 2) | 1 | 78.50 (stage 1 trial 0) |');
    expect(printed).toContain('| AdamW | 4 (4 + 0) | 1 | 81.00 (stage 1 trial 0) |');
    expect(printed).toContain(join(f.root, 'tuning.html'));
    const j = JSON.parse(readFileSync(join(f.root, 'tuning.json'), 'utf8')) as TuningData;
    expect(j.optimizers.map((o) => o.optimizer)).toEqual(['sgd', 'adamw']);

    const out = join(f.root, 'cli-out');
    expect(await command.run(parseArgs(['--out', out, '--tune', f.adamw], command.options, true))).toBe(0);
    const j2 = JSON.parse(readFileSync(join(out, 'tuning.json'), 'utf8')) as TuningData;
    expect(j2.optimizers.map((o) => o.optimizer)).toEqual(['adamw']);
    await expect(command.run(parseArgs(['--tune'], command.options, true))).rejects.toThrow(/missing <tune-dir>/);
  });
});
