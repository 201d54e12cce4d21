import { describe, expect, it } from 'vitest';
import { parseArgs } from '../../src/cli/args.js';
import { parseBudgetOverride, TRAINING_OPTIONS } from '../../src/cli/commands/shared.js';

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
