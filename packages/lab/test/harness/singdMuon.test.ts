import { beforeAll, describe, expect, it } from 'vitest';
import { runCompare } from '../../src/harness/compare/compare.js';
import { buildOptimizer, scaleSchedule } from '../../src/harness/optimizers.js';
import { hparamsFor } from '../../src/harness/hparams.js';
import { harnessBackend, tinyCompare, tmp } from './helpers.js';

describe('singd and muon in the harness', () => {
  beforeAll(() => harnessBackend('wasm'));

  it('muon hands AdamW a tenth of the schedule; singd maps alpha2 to its Riemannian momentum', () => {
    const lr = { type: 'cosine' as const, value: 0.02, totalSteps: 10, warmupSteps: 2, minValue: 0.001 };
    expect(scaleSchedule(lr, 0.1)).toEqual({ ...lr, value: 0.002, minValue: 0.0001 });
    const muon = buildOptimizer('muon', hparamsFor('fmnist-cnn', 'muon').hp, { lr, batchSize: 8, precision: 'bfloat16' });
    const mc = muon.getConfig() as Record<string, any>;
    expect(mc.nsPrecision).toBe('bfloat16');
    expect(mc.adam.lr.value).toBeCloseTo(0.002, 12);
    muon.dispose();
    const singd = buildOptimizer('singd', { ...hparamsFor('fmnist-cnn', 'singd').hp, alpha2: 0.3 }, { lr: 0.1, batchSize: 8, precision: 'bfloat16' });
    expect(singd.options).toMatchObject({ alpha1: 0.3, preconditionerDtypes: ['bfloat16', 'bfloat16'] });
    singd.dispose();
  });

  it('compare trains both on a tiny mnist-mlp run (SINGD attached to the tfjs-layers model)', async () => {
    const out = tmp('compare-singd-muon');
    const r = await runCompare(tinyCompare(out, { optimizers: ['singd', 'muon'], seeds: 1, budgetOverride: { epochs: 2, batchSize: 64, trainSubset: 512, valSubset: 200, testSubset: 200 } }));
    for (const o of r.summary.tasks[0].optimizers) {
      const losses = o.curve.map((c) => c.trainLoss.mean);
      expect(losses.every(Number.isFinite), o.optimizer).toBe(true);
      expect(losses[losses.length - 1], o.optimizer).toBeLessThan(losses[0]);
      expect(o.finalTest.mean, o.optimizer).toBeGreaterThan(40); // accuracy in %, chance is 10
    }
  }, 300_000);
});
