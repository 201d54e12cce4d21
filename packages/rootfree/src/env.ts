/**
 * Environment facts without Node typings: the library's main path must build and run in browsers,
 * where `process` does not exist (bundlers no longer polyfill it).
 */
const proc = (globalThis as { process?: { versions?: { node?: string }; env?: Record<string, string | undefined> } }).process;

export const isNode = typeof proc?.versions?.node === 'string';

/** An environment variable in Node; undefined elsewhere. */
export function envVar(name: string): string | undefined {
  return proc?.env?.[name];
}
