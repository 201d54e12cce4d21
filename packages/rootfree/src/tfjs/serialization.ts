import type * as tf from '@tensorflow/tfjs-core';
import type { ParamGroupSpec } from './driverOptions.js';

/** Observers (functions by nature) that belong to the running process, not to a saved model. */
const RUNTIME_ONLY = new Set(['onInverseRoot']);

/**
 * The optimizer's config for `model.save`: the options exactly as the user passed them, with
 * parameter-group patterns made safe for tfjs's camelCasing of strings on load.
 */
export function configOf(rawOptions: Record<string, unknown>, className: string): tf.serialization.ConfigDict {
  const cfg: tf.serialization.ConfigDict = {};
  for (const [k, v] of Object.entries(rawOptions)) {
    if (RUNTIME_ONLY.has(k)) continue;
    if (typeof v === 'function') {
      const hint = k === 'lr' ? "use a schedule object ({ type: 'cosine', ... })" : 'use a serialisable value (number, string, object)';
      throw new Error(`${className}.getConfig: option '${k}' is a function and cannot be serialised; ${hint}`);
    }
    cfg[k] = v as tf.serialization.ConfigDictValue;
  }
  if (Array.isArray(rawOptions.paramGroups)) {
    // tfjs camelCases every string on load (`a_b` -> `aB`); `\x5f` is '_' to RegExp and survives.
    cfg.paramGroups = (rawOptions.paramGroups as ParamGroupSpec[]).map((g) => ({
      match: escapeUnderscores(g.match),
      options: g.options as tf.serialization.ConfigDict,
    }));
  }
  return cfg;
}

/**
 * Writes every '_' of a RegExp source as `\x5f` (same match, no underscore), so tfjs's
 * camelCasing of string values on load (`a_b` -> `aB`) cannot change the pattern. An escaped
 * `\_` becomes `\x5f` too; other escapes are copied unchanged.
 */
export function escapeUnderscores(source: string): string {
  let out = '';
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    if (c === '\\' && i + 1 < source.length) {
      const next = source[++i];
      out += next === '_' ? '\\x5f' : c + next;
    } else {
      out += c === '_' ? '\\x5f' : c;
    }
  }
  return out;
}
