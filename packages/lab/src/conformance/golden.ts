import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** One golden trajectory file (format: shared/vectors/README.md §1). */
export interface GoldenCase {
  format_version: number;
  case_id: string;
  optimizer: string;
  dtype: string;
  hyperparameters: Record<string, unknown>;
  batch_size: number | null;
  params: Array<{ name: string; shape: number[]; init: number[] }>;
  steps: Array<{
    step: number;
    grads: number[][];
    params_after: number[][];
    params_after_float64_run?: number[][];
    state_after?: Record<string, unknown>;
  }>;
  check?: { suggested_tolerance?: Record<string, { atol: number; rtol: number }> };
}

export function loadGolden(file: string): GoldenCase {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new Error(`${file}: not a readable JSON golden file (${(e as Error).message})`);
  }
  const c = parsed as GoldenCase;
  if (c?.format_version !== 1 || typeof c.case_id !== 'string' || !Array.isArray(c.params) || !Array.isArray(c.steps)) {
    throw new Error(`${file}: not a format_version 1 golden file (needs case_id, params, steps)`);
  }
  for (const p of c.params) {
    const n = p.shape.reduce((a, b) => a * b, 1);
    if (p.init.length !== n) throw new Error(`${file}: param '${p.name}' has ${p.init.length} values for shape [${p.shape}]`);
  }
  return c;
}

/** Expands a file or folder argument to the sorted list of golden JSON files. */
export function goldenFiles(path: string): string[] {
  const st = statSync(path);
  if (st.isFile()) return [path];
  return readdirSync(path)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => join(path, f));
}
