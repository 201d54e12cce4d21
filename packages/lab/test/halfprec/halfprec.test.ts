import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from 'rootfree';
import {
  buildReport,
  buildRows,
  formatMarkdown,
  formatText,
  lstsqProblem,
  relativeL2,
  runOne,
  type HalfprecProblem,
  type RunResult,
} from '../../src/harness/halfprec/index.js';

const STEPS = 150;

describe('halfprec: IF-Shampoo in bf16 on the seeded least-squares problem', () => {
  let problem: HalfprecProblem;
  let fp32: RunResult;
  let bf16: RunResult;

  beforeAll(async () => {
    await useBackend('wasm');
    problem = lstsqProblem(0);
    fp32 = runOne(problem, 'ifshampoo', 'fp32', STEPS);
    bf16 = runOne(problem, 'ifshampoo', 'bf16', STEPS);
  });
  afterAll(() => problem.dispose());

  it('stays finite and ends within 5% of its fp32 loss', () => {
    expect(fp32.failure).toBeNull();
    expect(bf16.failure).toBeNull();
    expect(bf16.trajectory).toHaveLength(STEPS);
    expect(bf16.trajectory.every((p) => p.every(Number.isFinite))).toBe(true);
    // Training actually happened (otherwise "within 5%" would be vacuous).
    expect(fp32.finalLoss).toBeLessThan(0.1 * fp32.initialLoss);
    expect(Math.abs(bf16.finalLoss - fp32.finalLoss) / fp32.finalLoss).toBeLessThan(0.05);
  });

  it('the bf16 trajectory differs from fp32 (rounding is really applied) but stays close', () => {
    const [, row] = buildRows([fp32, bf16]);
    expect(row.distEnd).toBeGreaterThan(0);
    expect(row.distMax!).toBeGreaterThanOrEqual(row.distEnd!);
    expect(row.distMax).toBeLessThan(0.1);
  });

  it('does not leak tensors', () => {
    const before = tf.memory().numTensors;
    runOne(problem, 'ifshampoo', 'bf16', 4);
    expect(tf.memory().numTensors).toBe(before);
  });
});

/** A synthetic run whose parameters after step s are `values(s)`. */
function fake(method: RunResult['method'], precision: RunResult['precision'], steps: number, values: (s: number) => number[], failure: RunResult['failure'] = null): RunResult {
  const n = failure ? failure.step - 1 : steps;
  return {
    method,
    precision,
    steps,
    initialLoss: 2,
    finalLoss: failure ? NaN : 0.5,
    losses: Array.from({ length: n }, (_, s) => 2 - s / steps),
    failure,
    trajectory: Array.from({ length: n }, (_, s) => Float32Array.from(values(s))),
    seconds: 1.5,
  };
}

describe('halfprec: table and JSON', () => {
  const ref = fake('ifshampoo', 'fp32', 3, (s) => [3, 4 + s]);
  const half = fake('ifshampoo', 'bf16', 3, (s) => [3, 4 + s + (s === 1 ? 0.5 : 0.1)]);
  const broken = fake('shampoo-newton', 'bf16', 3, () => [1, 1], { step: 2, kind: 'non-finite loss', message: 'loss NaN' });
  const newtonRef = fake('shampoo-newton', 'fp32', 3, () => [0, 2]);
  const rows = buildRows([ref, half, newtonRef, broken]);

  it('relativeL2 is the float64 relative distance', () => {
    expect(relativeL2(Float32Array.from([3, 4]), Float32Array.from([3, 4]))).toBe(0);
    expect(relativeL2(Float32Array.from([3, 5]), Float32Array.from([3, 4]))).toBeCloseTo(1 / 5, 12);
    expect(relativeL2(Float32Array.from([0]), Float32Array.from([0]))).toBe(0);
  });

  it('fp32 rows are at distance 0 from themselves; others against their own method', () => {
    expect(rows[0]).toMatchObject({ method: 'ifshampoo', precision: 'fp32', distEnd: 0, distMax: 0, failStep: null, finalLoss: 0.5 });
    // After step 3 (s = 2): [3, 6.1] vs [3, 6] → 0.1/√45; the max is after step 2: [3, 5.5] vs [3, 5] → 0.5/√34.
    expect(rows[1].distEnd).toBeCloseTo(0.1 / Math.sqrt(45), 6);
    expect(rows[1].distMax).toBeCloseTo(0.5 / Math.sqrt(34), 6);
    expect(rows[2]).toMatchObject({ distEnd: 0, distMax: 0 });
  });

  it('a failed run reports its step, kind and no final distance', () => {
    expect(rows[3]).toMatchObject({ failStep: 2, failKind: 'non-finite loss', finalLoss: null, distEnd: null });
    // One completed step: [1, 1] vs [0, 2] → √2/2.
    expect(rows[3].distMax).toBeCloseTo(Math.SQRT2 / 2, 6);
  });

  it('the JSON report round-trips with every row and loss curve', () => {
    const report = buildReport(
      { problem: 'lstsq', description: 'd', steps: 3, seed: 0, backend: 'wasm', divergenceFactor: 10, initialLoss: 2, hyper: { ifshampoo: { lr: 0.1 } } },
      [ref, half, newtonRef, broken],
    );
    const back = JSON.parse(JSON.stringify(report));
    expect(back.rows).toHaveLength(4);
    expect(back.rows[0]).toEqual({ method: 'ifshampoo', precision: 'fp32', finalLoss: 0.5, failStep: null, failKind: null, failMessage: null, distEnd: 0, distMax: 0, seconds: 1.5 });
    expect(back.rows[3].failStep).toBe(2);
    expect(Object.keys(back.losses)).toEqual(['ifshampoo/fp32', 'ifshampoo/bf16', 'shampoo-newton/fp32', 'shampoo-newton/bf16']);
    expect(back.losses['shampoo-newton/bf16']).toHaveLength(1);
    expect(back.hyper.ifshampoo.lr).toBe(0.1);
    expect(back).not.toHaveProperty('trajectory');
  });

  it('text and markdown tables have a header and one line per row', () => {
    const text = formatText(rows).split('\n');
    expect(text).toHaveLength(2 + rows.length);
    expect(text[0]).toMatch(/^method\s+precision\s+final loss/);
    expect(text[5]).toMatch(/^shampoo-newton\s+bf16\s+—\s+2 \(non-finite loss\)/);
    const md = formatMarkdown(rows).split('\n');
    expect(md).toHaveLength(2 + rows.length);
    expect(md[2]).toBe('| ifshampoo | fp32 | 5.000e-1 | none | 0 | 0 | 1.5 |');
    md.forEach((l) => expect(l.split('|')).toHaveLength(9));
  });
});
