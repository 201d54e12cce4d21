import { describe, expect, it } from 'vitest';
import { compareNotes, type NotesInput } from '../../src/harness/compare/notes.js';
import { getTask } from '../../src/harness/tasks.js';

const fit = getTask('fmnist-cnn-fit');
const TUNED = 'tuned: random search, 20 trials (2 stages), quick budget, tuning seed 1 (trials trained with seed 10001), best val accuracy 0.85';
const input = (over: Partial<NotesInput>): NotesInput => ({
  task: fit,
  budgetName: 'quick',
  overridden: false,
  budget: fit.budgets.quick,
  hpSource: { sgd: TUNED, adamw: TUNED },
  run: { jobs: 2, threads: 1, backend: 'wasm', precision: 'float32' },
  firstSeed: 1,
  seeds: 3,
  ...over,
});

describe('compare report notes', () => {
  it('the named quick budget carries its size note; a budget changed by flags does not', () => {
    expect(compareNotes(input({})).join('\n')).toContain('trained to fit its 5,000-image training set');
    const custom = compareNotes(input({ overridden: true, budget: { ...fit.budgets.quick, trainSubset: 1000, epochs: 150 } })).join('\n');
    expect(custom).not.toContain('5,000-image');
    expect(custom).toContain("Budget 'quick' (overridden): 150 epochs, batch 128, first 1000 train / first 5000 val / first 10000 test examples");
    expect(custom).toContain('A custom budget');
    const plain = compareNotes(input({ task: getTask('fmnist-cnn'), budget: getTask('fmnist-cnn').budgets.quick, overridden: true })).join('\n');
    expect(plain).not.toContain('sized for ~10 minutes');
  });

  it('under label noise says which labels the clean train-set metric scores against', () => {
    const noisy = compareNotes(input({ overridden: true, budget: { ...fit.budgets.quick, labelNoise: 0.2 } })).join('\n');
    expect(noisy).toContain('20% of the training labels wrong (label noise; the clean train-set metric scores against these labels)');
    expect(compareNotes(input({})).join('\n')).not.toContain('label noise');
  });

  it('says how the runs execute and with which seeds', () => {
    const local = compareNotes(input({})).join('\n');
    expect(local).toContain('Runs execute 2 at a time (one process each, 1 wasm thread(s) each)');
    expect(local).toContain('Seeds 1..3 (same data order');
    const queued = compareNotes(input({ run: { queue: 'redis://h:6379', jobs: 2, backend: 'wasm', precision: 'bfloat16' }, firstSeed: 101, seeds: 1 })).join('\n');
    expect(queued).toContain('workers of a Redis queue');
    expect(queued).toContain('Seeds 101..101');
    expect(queued).toContain('optimizer-state precision bfloat16 (forward/backward stay float32)');
  });

  it('says where the hyper-parameters came from: tune, a hand-written file, or defaults', () => {
    expect(compareNotes(input({})).join('\n')).toContain('Hyper-parameters from `rootfree tune`');
    const committed = compareNotes(input({ hpSource: { sgd: 'tuned (committed with the code): results/x; command: y', adamw: TUNED } })).join('\n');
    expect(committed).toContain('Hyper-parameters from `rootfree tune`');
    const hand = compareNotes(input({ hpSource: { sgd: 'small: lr selected by the seed-101 screen', adamw: TUNED } })).join('\n');
    expect(hand).not.toContain('Hyper-parameters from `rootfree tune`');
    expect(hand).toContain('not all `rootfree tune` results');
    expect(compareNotes(input({ hpSource: { sgd: 'defaults, not tuned', adamw: TUNED } })).join('\n')).toContain('"defaults, not tuned" are starting points');
  });
});
