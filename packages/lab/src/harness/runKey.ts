import { dataIdentity, type DataIdentity } from './data/files.js';
import { canonicalJson, sha256 } from './provenance/hash.js';
import { codeVersion, type CodeVersion } from './provenance/code.js';
import type { RunJob } from './compare/jobs.js';
import { getTask } from './tasks.js';

/**
 * The full configuration of a run: everything in its job that can change the result (task,
 * resolved budget with every override, optimizer, hyper-parameters, seed, precision, backend,
 * and any field added to RunJob later), the data's source and content hash, and the code version.
 */
export type RunKeyConfig = Omit<RunJob, 'outDir' | 'resume' | 'budgetName' | 'dataSource'> & { data: DataIdentity; code: CodeVersion };

/** Fields of a RunJob that say where or how a run executes, not what it computes. */
const NOT_IN_KEY = ['outDir', 'resume', 'budgetName', 'dataSource'] as const;

export function runKeyConfig(job: RunJob): RunKeyConfig {
  const rest: Record<string, unknown> = { ...job };
  for (const k of NOT_IN_KEY) delete rest[k];
  for (const [k, v] of Object.entries(rest)) if (v === undefined) delete rest[k];
  return { ...(rest as Omit<RunJob, (typeof NOT_IN_KEY)[number]>), data: dataIdentity(getTask(job.task).dataset, job.dataSource), code: codeVersion() };
}

/** 16 hex digits of SHA-256 over the canonical JSON of the configuration. */
export function runKey(config: RunKeyConfig): string {
  return sha256(canonicalJson(config)).slice(0, 16);
}

export function runKeyOf(job: RunJob): { key: string; config: RunKeyConfig } {
  const config = runKeyConfig(job);
  return { key: runKey(config), config };
}

/** `path: old → new` for every leaf that differs (what the terminal says when a result is not reused). */
export function configDiff(before: unknown, after: unknown, path = ''): string[] {
  const isObj = (x: unknown): x is Record<string, unknown> => !!x && typeof x === 'object' && !Array.isArray(x);
  if (isObj(before) && isObj(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    return keys.flatMap((k) => configDiff(before[k], after[k], path ? `${path}.${k}` : k));
  }
  if (canonicalJson(before) === canonicalJson(after)) return [];
  const show = (x: unknown) => (x === undefined ? '(none)' : typeof x === 'string' && x.length > 20 && /^[0-9a-f]+$/.test(x) ? x.slice(0, 12) : JSON.stringify(x));
  return [`${path}: ${show(before)} → ${show(after)}`];
}
