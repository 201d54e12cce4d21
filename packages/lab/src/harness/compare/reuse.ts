import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { configDiff, type RunKeyConfig } from '../runKey.js';
import type { RunResult } from '../train/run.js';

/**
 * A finished run stored in `dir` with exactly this key, or null. A result.json whose key differs
 * (or is missing) in a key's own directory is an error: results are never reused on a guess.
 */
export function reusableResult(dir: string, key: string): RunResult | null {
  const f = join(dir, 'result.json');
  if (!existsSync(f)) return null;
  const r = JSON.parse(readFileSync(f, 'utf8')) as RunResult;
  if (r.key !== key) throw new Error(`${f}: stored key ${String(r.key)} is not the key of its directory (${key}); move it away and re-run`);
  return r;
}

/**
 * Finished results of other configurations next to `dir` (sibling key directories, and a result.json
 * directly in the parent as written before runs were keyed), newest first.
 */
function otherResults(parent: string, key: string): Array<{ path: string; config?: RunKeyConfig; mtime: number }> {
  if (!existsSync(parent)) return [];
  const files = [join(parent, 'result.json'), ...readdirSync(parent).filter((d) => d !== key).map((d) => join(parent, d, 'result.json'))];
  return files
    .filter((f) => existsSync(f))
    .map((f) => ({ path: f, config: (JSON.parse(readFileSync(f, 'utf8')) as RunResult).config, mtime: statSync(f).mtimeMs }))
    .sort((a, b) => b.mtime - a.mtime);
}

/** "not reusing <path> (differs in a: 1 → 3, …)" for the newest other result next to `dir`, or null. */
export function notReusedNote(parent: string, key: string, config: RunKeyConfig): string | null {
  const [other] = otherResults(parent, key);
  if (!other) return null;
  const diff = other.config ? configDiff(other.config, config) : ['written before runs were keyed by configuration'];
  const shown = diff.slice(0, 3).join(', ') + (diff.length > 3 ? `, +${diff.length - 3} more` : '');
  return `not reusing ${other.path} (another configuration: ${shown})`;
}
