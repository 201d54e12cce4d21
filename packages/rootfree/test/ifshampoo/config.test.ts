import { describe, expect, it } from 'vitest';
import { IFShampoo } from '../../src/index.js';
import type { CombineRule } from '../../src/optim/ifShampoo/combine.js';

describe('IFShampoo configuration guards', () => {
  it('rejects combineParams inside a param group, naming the group', () => {
    expect(() => new IFShampoo({ paramGroups: [{ match: 'bias', options: { combineParams: ['perParameter'] } }] })).toThrow(
      /paramGroups\[0\]\.options\.combineParams: expected no per-group value/,
    );
  });

  it('refuses to serialise custom combination rules instead of saving a config that cannot load', () => {
    const mine = { name: 'mine', identify: () => [], shape: (p) => p[0].shape, group: (t) => t[0], ungroup: (g) => [g] } as CombineRule;
    expect(() => new IFShampoo({ combineParams: [mine, 'perParameter'] }).getConfig()).toThrow(/custom rule 'mine'/);
    expect(new IFShampoo({ combineParams: ['denseWeightBias', 'perParameter'] }).getConfig()).toEqual({ combineParams: ['denseWeightBias', 'perParameter'] });
  });

  it('names the option in the error for function-valued T', () => {
    expect(() => new IFShampoo({ T: (t: number) => t % 3 === 0 }).getConfig()).toThrow(/option 'T' is a function.*serialisable value/);
  });
});
