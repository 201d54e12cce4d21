import * as tf from '@tensorflow/tfjs-core';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCompare } from '../../src/harness/compare/compare.js';
import { MultiProgress } from '../../src/harness/compare/multiProgress.js';
import type { Summary } from '../../src/harness/report/aggregate.js';
import { CSV_COLUMNS } from '../../src/harness/report/csv.js';
import { Progress } from '../../src/harness/train/progress.js';
import type { RunResult } from '../../src/harness/train/run.js';
import { fitLines } from '../../src/util/fitLines.js';
import { harnessBackend, tinyCompare, tmp } from './helpers.js';

/** What a terminal shows after a stream of writes with \r, \n, cursor-up and clear-to-end (enough for these tests). */
function screen(writes: string[]): string[] {
  const rows: string[] = [''];
  let r = 0;
  const text = writes.join('');
  const ESC = String.fromCharCode(27);
  for (let i = 0; i < text.length; i++) {
    const esc = text[i] === ESC ? /^\[(\d*)([AJK])/.exec(text.slice(i + 1, i + 8)) : null;
    if (esc) {
      if (esc[2] === 'A') r = Math.max(0, r - Number(esc[1] || 1));
      if (esc[2] === 'J') rows.length = r + 1;
      if (esc[2] === 'J' || esc[2] === 'K') rows[r] = '';
      i += esc[0].length;
    } else if (text[i] === '\n') {
      r++;
      rows[r] ??= '';
    } else if (text[i] !== '\r') {
      rows[r] = (rows[r] ?? '') + text[i];
    }
  }
  return rows.filter((x, i) => x !== '' || i < rows.length - 1);
}

describe('terminal output, metadata and the CSV', () => {
  beforeAll(() => harnessBackend('wasm'));

  it('--jobs > 1 on a terminal: one progress line per job, log lines above them', () => {
    const writes: string[] = [];
    const m = new MultiProgress(2, (s) => writes.push(s), () => 120);
    m.set(0, 'sgd/seed1 10/100');
    m.set(1, 'adamw/seed1 5/100');
    m.set(0, 'sgd/seed1 20/100');
    m.log('done rfadamw/seed2: test acc 80.00%');
    m.set(1, 'adamw/seed1 50/100');
    expect(screen(writes)).toEqual(['done rfadamw/seed2: test acc 80.00%', 'sgd/seed1 20/100', 'adamw/seed1 50/100']);
    m.set(0, '');
    m.done();
    expect(screen(writes)).toEqual(['done rfadamw/seed2: test acc 80.00%']);
  });

  it('a worker\'s progress goes to the sink (bar texts and lines), not to its stdout', () => {
    const bars: string[] = [];
    const lines: string[] = [];
    const p = Progress.create('sgd/seed1', 10, { bar: (s) => bars.push(s), line: (s) => lines.push(s) });
    p.update(10, 0.5, 'epoch 1/1');
    p.line('sgd/seed1 epoch 1/1: train loss 0.5');
    expect(bars).toEqual([expect.stringMatching(/^\[#{20}\] sgd\/seed1 10\/10 .* loss 0\.5000 epoch 1\/1$/)]);
    expect(lines).toEqual(['sgd/seed1 epoch 1/1: train loss 0.5']);
  });

  it('fitLines wraps at spaces within the width', () => {
    const long = Array.from({ length: 40 }, (_, i) => `word${i}`).join(' ');
    const out = fitLines(long, 30);
    expect(out.every((l) => l.length <= 30)).toBe(true);
    expect(out.join(' ').replace(/ {2,}/g, ' ')).toBe(long);
    expect(fitLines('x'.repeat(45), 20)).toEqual(['x'.repeat(20), '  ' + 'x'.repeat(18), '  ' + 'x'.repeat(7)]);
  });

  it('compare: plain output within 100 columns, metadata in every result.json and summary.json, metrics.csv of everything logged', async () => {
    const out = join(tmp('output'), 'a-rather-long-directory-name-for-the-output-of-this-comparison');
    const lines: string[] = [];
    const r = await runCompare(tinyCompare(out, { optimizers: ['sgd', 'rfadamw'], seeds: 1, budgetOverride: { epochs: 2, batchSize: 64, trainSubset: 256, valSubset: 64, testSubset: 64 }, log: (s) => lines.push(s) }));
    expect(lines.length).toBeGreaterThan(10);
    for (const l of lines) expect(l.length, l).toBeLessThanOrEqual(100);

    const compare = JSON.parse(readFileSync(join(out, 'compare.json'), 'utf8')) as { runs: Array<{ dir: string; key: string }> };
    const results = compare.runs.map((x) => JSON.parse(readFileSync(join(out, x.dir, 'result.json'), 'utf8')) as RunResult);
    const lock = createHash('sha256').update(readFileSync(join(__dirname, '../../../../package-lock.json'))).digest('hex');
    for (const res of results) {
      expect(res.meta).toEqual({
        commit: expect.stringMatching(/^[0-9a-f]{40}$/),
        build: null,
        dirty: expect.any(Boolean),
        versions: { 'rootfree-lab': expect.stringMatching(/^\d+\.\d+\.\d+/), rootfree: expect.stringMatching(/^\d+\.\d+\.\d+/), 'tfjs-core': tf.version_core, 'tfjs-backend-wasm': '4.22.0', node: process.version },
        lockfile: { path: expect.stringMatching(/package-lock\.json$/), sha256: lock },
        machine: { cpu: expect.any(String), cores: expect.any(Number), memoryGB: expect.any(Number), os: expect.any(String), arch: process.arch },
        backend: 'wasm',
        threads: 1,
      });
      expect(res.config!.code.commit).toBe(res.meta!.commit);
    }
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as Summary;
    expect(summary.meta!.commit).toBe(results[0].meta!.commit);
    expect(summary.meta!.lockfile!.sha256).toBe(lock);

    expect(r.files).toContain(join(out, 'metrics.csv'));
    const csv = readFileSync(join(out, 'metrics.csv'), 'utf8').trim().split('\n');
    expect(csv[0]).toBe(CSV_COLUMNS.join(','));
    const rows = csv.slice(1).map((l) => l.split(','));
    // Every number of every epoch record of every run appears once, with its run key.
    for (const res of results) {
      for (const e of res.epochs) {
        const mine = rows.filter((x) => x[0] === res.key && x[5] === String(e.epoch));
        const find = (m: string) => Number(mine.find((x) => x[7] === m)?.[8]);
        expect(find('trainLoss')).toBe(e.trainLoss);
        expect(find('val.metric')).toBe(e.val.metric);
        expect(find('test.loss')).toBe(e.test!.loss);
        expect(find('lr')).toBe(e.lr);
        expect(find('trainEval.metric')).toBe(e.trainEval!.metric);
        const perEpoch = mine.filter((x) => x[7] !== 'stepLoss');
        expect(perEpoch.every((x) => x[2] === res.optimizer && x[3] === String(res.seed) && x[6] === String(e.step))).toBe(true);
        // Every step's training loss, at its own step number.
        const steps = mine.filter((x) => x[7] === 'stepLoss');
        expect(steps.map((x) => Number(x[8]))).toEqual(e.stepLoss);
        expect(steps.map((x) => Number(x[6]))).toEqual(e.stepLoss!.map((_, i) => e.step - e.stepLoss!.length + 1 + i));
      }
    }
    expect(new Set(rows.map((x) => x[0]))).toEqual(new Set(results.map((x) => x.key)));
  });
});
