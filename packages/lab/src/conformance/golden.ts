import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** A tolerance `|a − b| <= atol + rtol·|b|`; null where a file says the precision cannot meet one. */
export type Tolerance = { atol: number; rtol: number } | null;

/** One golden trajectory file (format: shared/vectors/README.md §1, v2/README.md, v3/README.md). */
export interface GoldenCase {
  format_version: number;
  /** Extensions of format 1 a reader must understand to run the file (v3: `layer_io`). */
  format_extensions?: string[];
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
  check?: { suggested_tolerance?: Record<string, Tolerance | string | number | undefined> };
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

/**
 * Expands a file or folder argument to golden JSON files: a folder's own `*.json` files (sorted),
 * then each subfolder's, recursively and in sorted order (`vectors/` → top level, `v2/`, `v3/`).
 * README and other non-JSON files are ignored.
 */
export function goldenFiles(path: string): string[] {
  const st = statSync(path);
  if (st.isFile()) return [path];
  const entries = readdirSync(path).sort();
  const files = entries.filter((f) => f.endsWith('.json') && statSync(join(path, f)).isFile()).map((f) => join(path, f));
  const dirs = entries.filter((f) => !f.startsWith('.') && statSync(join(path, f)).isDirectory());
  return [...files, ...dirs.flatMap((d) => goldenFiles(join(path, d)))];
}

/** Whether a case's reference ran in bf16 (`dtype` other than float64); such files carry `params_after_float64_run`. */
export function isBf16Case(c: GoldenCase): boolean {
  return c.dtype !== 'float64';
}

/**
 * The tolerance the file itself gives a float32 implementation (rootfree), from the key the file
 * uses: `float32` for float64 cases; for bf16 cases (run in bf16 and compared with
 * `params_after_float64_run`) `bf16` (v3) or `bf16_vs_params_after_float64_run` (top level, v2).
 * `{ key, tol: null }`: the file says this precision cannot meet a tolerance. `undefined`: no key.
 */
export function fileTolerance(c: GoldenCase): { key: string; tol: Tolerance } | undefined {
  const st = c.check?.suggested_tolerance ?? {};
  const keys = isBf16Case(c) ? ['bf16', 'bf16_vs_params_after_float64_run'] : ['float32'];
  for (const key of keys) {
    if (!(key in st)) continue;
    const v = st[key];
    if (v === null) return { key, tol: null };
    if (v && typeof v === 'object' && typeof v.atol === 'number' && typeof v.rtol === 'number') return { key, tol: { atol: v.atol, rtol: v.rtol } };
  }
  return undefined;
}
