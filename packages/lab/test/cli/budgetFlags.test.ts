import { describe, expect, it } from 'vitest';
import { parseArgs } from '../../src/cli/args.js';
import { parseBudgetOverride } from '../../src/cli/commands/compare.js';

describe('--epochs / --train-subset / --val-subset budget overrides (compare and tune)', () => {
  it('parses the given flags only', () => {
    expect(parseBudgetOverride(parseArgs(['--epochs', '4', '--train-subset', '12288']))).toEqual({ epochs: 4, trainSubset: 12288 });
    expect(parseBudgetOverride(parseArgs(['--val-subset', '2000', '--test-subset', '10000']))).toEqual({ valSubset: 2000, testSubset: 10000 });
    expect(parseBudgetOverride(parseArgs(['--task', 'fmnist-cnn']))).toBeUndefined();
  });

  it('rejects bad values, naming the flag', () => {
    expect(() => parseBudgetOverride(parseArgs(['--epochs', '0']))).toThrow(/epochs/);
    expect(() => parseBudgetOverride(parseArgs(['--train-subset', 'many']))).toThrow(/train-subset/);
  });
});
