import { describe, expect, it } from 'vitest';
import { structureClass } from '../../src/structures/index.js';

const CANONICAL = ['dense', 'diagonal', 'block30diagonal', 'block3diagonal', 'block30diagonalRef', 'hierarchical15x15', 'hierarchical3x2', 'trilToeplitz', 'triuToeplitz',
  'trilTopLeftDiagonal', 'trilBottomRightDiagonal', 'triuTopLeftDiagonal', 'triuBottomRightDiagonal'];

describe('structureClass names', () => {
  it('parses every canonical name back to the same kind, without underscores', () => {
    for (const name of CANONICAL) {
      const cls = structureClass(name);
      expect(cls.kind).toBe(name);
      expect(cls.kind).not.toContain('_');
      expect(structureClass(cls.kind).kind).toBe(name);
    }
  });
  it('is case-insensitive and accepts the reference spellings', () => {
    expect(structureClass('TRILTOEPLITZ').kind).toBe('trilToeplitz');
    expect(structureClass('triltoeplitz').kind).toBe('trilToeplitz');
    expect(structureClass('hierarchical15_15').kind).toBe('hierarchical15x15');
    expect(structureClass('Block30Diagonal').kind).toBe('block30diagonal');
    expect(structureClass('block7diagonal').kind).toBe('block7diagonal');
  });
  it('referenceCompat selects the block-diagonal reference transpose and leaves others alone', () => {
    expect(structureClass('block30diagonal', { referenceCompat: true }).kind).toBe('block30diagonalRef');
    expect(structureClass('hierarchical15x15', { referenceCompat: true }).kind).toBe('hierarchical15x15');
    expect(structureClass('diagonal', { referenceCompat: true }).kind).toBe('diagonal');
  });
  it('rejects unknown names and invalid parameters', () => {
    for (const bad of ['block0diagonal', 'hierarchical0x3', 'toeplitz', 'blockdiagonal', 'hierarchical15', '']) {
      expect(() => structureClass(bad)).toThrow(RangeError);
    }
  });
});
