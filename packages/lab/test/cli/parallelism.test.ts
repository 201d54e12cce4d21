import { describe, expect, it } from 'vitest';
import { parseArgs } from '../../src/cli/args.js';
import { parallelismFlags } from '../../src/cli/parallelism.js';
import { TRAINING_OPTIONS } from '../../src/cli/commands/shared.js';

const p = (argv: string[], cores: number, backend: 'wasm' | 'cpu' = 'wasm') => parallelismFlags(parseArgs(argv, TRAINING_OPTIONS), backend, cores);

describe('--jobs / --threads (compare and tune)', () => {
  it('defaults: jobs first (up to 2), leftover cores as threads (up to 2)', () => {
    expect(p([], 1)).toEqual({ jobs: 1, threads: 1 });
    expect(p([], 2)).toEqual({ jobs: 2, threads: 1 });
    expect(p([], 4)).toEqual({ jobs: 2, threads: 2 });
    expect(p([], 16)).toEqual({ jobs: 2, threads: 2 });
  });

  it('one flag given: the other fills the cores', () => {
    expect(p(['--jobs', '1'], 2)).toEqual({ jobs: 1, threads: 2 });
    expect(p(['--jobs', '3'], 2)).toEqual({ jobs: 3, threads: 1 });
    expect(p(['--threads', '2'], 2)).toEqual({ jobs: 1, threads: 2 });
    expect(p(['--threads', '1'], 2)).toEqual({ jobs: 2, threads: 1 });
    expect(p(['--threads', '2'], 8)).toEqual({ jobs: 4, threads: 2 });
  });

  it('both given: as given', () => {
    expect(p(['--jobs', '2', '--threads', '2'], 2)).toEqual({ jobs: 2, threads: 2 });
  });

  it('cpu backend: always 1 thread; --threads is an error there', () => {
    expect(p([], 4, 'cpu')).toEqual({ jobs: 2, threads: 1 });
    expect(() => p(['--threads', '2'], 4, 'cpu')).toThrow(/--threads: only the wasm backend/);
  });

  it('rejects bad values, naming the flag', () => {
    expect(() => p(['--threads', '0'], 2)).toThrow(/threads/);
    expect(() => p(['--jobs', 'x'], 2)).toThrow(/jobs/);
  });
});
