import { describe, expect, it } from 'vitest';
import { parseArgs } from '../../src/cli/args.js';
import { parseBudgetOverride, taskFlag, TRAINING_OPTIONS } from '../../src/cli/commands/shared.js';

const p = (argv: string[]) => parseArgs(argv, TRAINING_OPTIONS);

describe('--epochs / --train-subset / --val-subset budget overrides (compare and tune)', () => {
  it('parses the given flags only', () => {
    expect(parseBudgetOverride(p(['--epochs', '4', '--train-subset', '12288']))).toEqual({ epochs: 4, trainSubset: 12288 });
    expect(parseBudgetOverride(p(['--val-subset', '2000', '--test-subset', '10000']))).toEqual({ valSubset: 2000, testSubset: 10000 });
    expect(parseBudgetOverride(p(['--task', 'fmnist-cnn']))).toBeUndefined();
  });

  it('rejects bad values, naming the flag', () => {
    expect(() => parseBudgetOverride(p(['--epochs', '0']))).toThrow(/epochs/);
    expect(() => parseBudgetOverride(p(['--train-subset', 'many']))).toThrow(/train-subset/);
    expect(() => parseBudgetOverride(p(['--epochs', '2.5']))).toThrow(/--epochs: expected an integer >= 1, got "2.5"/);
  });
});

describe('--label-noise (claim-1 stress test)', () => {
  it('parses a fraction into the budget override; 0 means no override', () => {
    expect(parseBudgetOverride(p(['--label-noise', '0.2']))).toEqual({ labelNoise: 0.2 });
    expect(parseBudgetOverride(p(['--label-noise', '0']))).toBeUndefined();
  });

  it('rejects values outside [0, 1) and text tasks, naming the flag and value', () => {
    expect(() => parseBudgetOverride(p(['--label-noise', '1']))).toThrow(/--label-noise: expected a fraction in \[0, 1\), got 1/);
    expect(() => parseBudgetOverride(p(['--label-noise', '-0.1']))).toThrow(/--label-noise/);
    expect(() => parseBudgetOverride(p(['--label-noise', '20%']))).toThrow(/--label-noise: expected a number, got "20%"/);
    expect(() => taskFlag(p(['--task', 'moby-gpt', '--label-noise', '0.2']))).toThrow(/--label-noise: only image tasks have labels; moby-gpt/);
    expect(taskFlag(p(['--task', 'fmnist-cnn-fit', '--label-noise', '0.2']))).toBe('fmnist-cnn-fit');
  });
});

describe('--test-every (evaluation cost of long runs)', () => {
  it('parses K > 1 into the budget override; 1 is the default and no override', () => {
    expect(parseBudgetOverride(p(['--test-every', '10']))).toEqual({ testEvery: 10 });
    expect(parseBudgetOverride(p(['--test-every', '1']))).toBeUndefined();
  });

  it('rejects non-integers and values below 1, naming the flag and value', () => {
    expect(() => parseBudgetOverride(p(['--test-every', '0']))).toThrow(/--test-every: expected an integer >= 1, got "0"/);
    expect(() => parseBudgetOverride(p(['--test-every', '2.5']))).toThrow(/--test-every/);
  });
});
