import { describe, expect, it } from 'vitest';
import { COMMITTED_TUNED, type CommittedTable } from '../../src/harness/committedTuned.js';
import { hparamPlan } from '../../src/harness/compare/hparamPlan.js';
import { DEFAULT_OPTIMIZERS } from '../../src/harness/optimizers.js';

const hp = { lr: 0.123, momentum: 0.8, weightDecay: 1e-3 };
const committed: CommittedTable = { 'fmnist-cnn': { quick: { sgd: { hp, source: '20 trials (2 stages), quick budget, tuning seed 1, best val acc 80.00%', command: 'npx rootfree tune --task fmnist-cnn --optimizer sgd ...' } } } };

describe('which hyper-parameters compare uses', () => {
  it('committed tuned values for the task at its named budget, saying so and naming the command', () => {
    const p = hparamPlan('fmnist-cnn', 'quick', false, ['sgd', 'adamw'], {}, committed);
    expect(p.choices.sgd.hp).toMatchObject(hp);
    expect(p.choices.sgd.tuned).toBe(true);
    expect(p.lines[0]).toBe('hyper-parameters SGD: tuned (committed with the code): 20 trials (2 stages), quick budget, tuning seed 1, best val acc 80.00%; command: npx rootfree tune --task fmnist-cnn --optimizer sgd ...');
    expect(p.lines[1]).toBe('hyper-parameters AdamW: defaults, not tuned');
    expect(p.untuned).toEqual(['adamw']);
    expect(p.lines[2]).toContain('to produce them: for o in adamw; do npx rootfree tune --task fmnist-cnn --budget quick --optimizer $o --trials 6 --stage2 --extend-edges --seed 1');
  });

  it('not for an overridden budget or another budget; a tuned file wins over committed values', () => {
    expect(hparamPlan('fmnist-cnn', 'quick', true, ['sgd'], {}, committed).choices.sgd.source).toBe('defaults, not tuned');
    expect(hparamPlan('fmnist-cnn', 'full', false, ['sgd'], {}, committed).choices.sgd.source).toBe('defaults, not tuned');
    const file = { 'fmnist-cnn': { sgd: { hp: { ...hp, lr: 0.5 }, source: 'tuned: mine' } } };
    const p = hparamPlan('fmnist-cnn', 'quick', false, ['sgd'], file, committed);
    expect(p.choices.sgd.hp.lr).toBe(0.5);
    expect(p.choices.sgd.source).toBe('tuned: mine');
  });

  it('the default job (fmnist-cnn, quick) uses committed tuned values for every default method, naming the command', () => {
    const p = hparamPlan('fmnist-cnn', 'quick', false, DEFAULT_OPTIMIZERS, {}, COMMITTED_TUNED);
    expect(p.untuned).toEqual([]);
    for (const [i, o] of DEFAULT_OPTIMIZERS.entries()) {
      expect(p.choices[o].tuned).toBe(true);
      expect(p.choices[o].hp).toMatchObject(COMMITTED_TUNED['fmnist-cnn']!.quick![o].hp);
      expect(p.lines[i]).toMatch(/: tuned \(committed with the code\): random search, \d+ trials .*quick budget.*; command: bash results\/fmnist-cnn-quick-tuned\/run-tune\.sh$/);
    }
    expect(p.lines).toHaveLength(DEFAULT_OPTIMIZERS.length);
  });
});
