import * as tf from '@tensorflow/tfjs-core';
import type { ParamInfo } from '../types.js';
import { OptionError } from '../validate.js';

/**
 * A parameter-combination rule ([SF] `PreconditionerGroup`, SPEC §2.7): which parameters share
 * one preconditioner and how they form the preconditioned tensor. The tensor is squeezed
 * afterwards (size-1 axes dropped; a scalar becomes a length-1 vector), so rules need not.
 */
export interface CombineRule {
  readonly name: string;
  /** Groups (indices into `params`) this rule claims; `params` are the still unclaimed ones. */
  identify(params: readonly ParamInfo[]): number[][];
  /** Shape of `group(...)` for these parameters. */
  shape(params: readonly ParamInfo[]): number[];
  /** Combines the tensors (parameter order as returned by `identify`). */
  group(tensors: tf.Tensor[], params: readonly ParamInfo[]): tf.Tensor;
  /** Inverse of `group`: `grouped` has shape `shape(params)`. */
  ungroup(grouped: tf.Tensor, params: readonly ParamInfo[]): tf.Tensor[];
}

export type CombineRuleSpec = 'perParameter' | 'denseWeightBias' | 'flattenEmbedding' | CombineRule;

/** Each parameter alone (the [SF] default). */
export const perParameter: CombineRule = {
  name: 'perParameter',
  identify: (params) => params.map((_, i) => [i]),
  shape: ([p]) => p.shape.slice(),
  group: ([t]) => t,
  ungroup: (g, [p]) => [tf.reshape(g, p.shape)],
};

const KERNEL = /^(.*)\/kernel(_\d+)?$/;
const BIAS = /^(.*)\/bias(_\d+)?$/;

/**
 * Dense-layer kernel and bias as one matrix ([SF] `LinearWeightBias`). tfjs kernels are
 * [in, out] (PyTorch's weight transposed), so the bias is appended as an extra **row**:
 * `[W; b]` of shape [in + 1, out], the transpose of PyTorch's `[W | b]`. Kronecker
 * preconditioning is equivariant under transposition (the two factors swap), so the math is
 * that of [SF]. Pairs are found by variable name (`<layer>/kernel`, `<layer>/bias`, same
 * uniquifying suffix) and shape (kernel 2-D, bias of length out).
 */
export const denseWeightBias: CombineRule = {
  name: 'denseWeightBias',
  identify(params) {
    const out: number[][] = [];
    const used = new Set<number>();
    params.forEach((k, i) => {
      const mk = KERNEL.exec(k.name);
      if (!mk || k.shape.length !== 2) return;
      const j = params.findIndex((b, jj) => {
        const mb = BIAS.exec(b.name);
        return !used.has(jj) && !!mb && mb[1] === mk[1] && mb[2] === mk[2] && b.shape.length === 1 && b.shape[0] === k.shape[1];
      });
      if (j < 0) return;
      used.add(j);
      out.push([i, j]);
    });
    return out;
  },
  shape: ([k]) => [k.shape[0] + 1, k.shape[1]],
  group: ([w, b], [k]) => tf.concat([w, tf.reshape(b, [1, k.shape[1]])], 0),
  ungroup(g, [k, b]) {
    const [w, bias] = tf.split(g, [k.shape[0], 1], 0);
    return [w, tf.reshape(bias, b.shape)];
  },
};

const EMBEDDING = /\/embeddings(_\d+)?$/;

/**
 * Embedding tables flattened to one vector ([SF] `FlattenEmbedding`); meant for a diagonal
 * structure (`structures: { 1: 'diagonal' }` in a parameter group), since a dense factor is (V·D)².
 */
export const flattenEmbedding: CombineRule = {
  name: 'flattenEmbedding',
  identify: (params) => params.flatMap((p, i) => (EMBEDDING.test(p.name) ? [[i]] : [])),
  shape: ([p]) => [p.shape.reduce((a, b) => a * b, 1)],
  group: ([t]) => tf.reshape(t, [-1]),
  ungroup: (g, [p]) => [tf.reshape(g, p.shape)],
};

const BUILT_IN: Record<string, CombineRule> = { perParameter, denseWeightBias, flattenEmbedding };

export function resolveRules(v: unknown): CombineRule[] {
  const list = Array.isArray(v) ? v : [v];
  if (list.length === 0) throw new OptionError('combineParams', v, 'at least one rule');
  return list.map((r, i) => {
    const where = `combineParams[${i}]`;
    if (typeof r === 'string') {
      const rule = BUILT_IN[r];
      if (!rule) throw new OptionError(where, r, `one of ${Object.keys(BUILT_IN).map((n) => `'${n}'`).join(' | ')} or a rule object`);
      return rule;
    }
    const ok = r && typeof r === 'object' && typeof r.name === 'string' && ['identify', 'shape', 'group', 'ungroup'].every((f) => typeof r[f] === 'function');
    if (!ok) throw new OptionError(where, r, 'a built-in rule name or an object { name, identify, shape, group, ungroup }');
    return r as CombineRule;
  });
}

/**
 * Applies the rules in priority order (each sees only the parameters earlier rules left) and
 * throws an error naming every parameter no rule claims.
 */
export function partitionParams(params: ParamInfo[], rules: CombineRule[]): number[][] {
  const claimed = new Array<boolean>(params.length).fill(false);
  const units: number[][] = [];
  for (const rule of rules) {
    const free = params.map((_, i) => i).filter((i) => !claimed[i]);
    for (const local of rule.identify(free.map((i) => params[i]))) {
      const global = local.map((k) => free[k]);
      if (global.length === 0 || global.some((g) => g === undefined || claimed[g]) || new Set(global).size !== global.length) continue;
      global.forEach((g) => (claimed[g] = true));
      units.push(global);
    }
  }
  const lost = params.filter((_, i) => !claimed[i]).map((p) => p.name);
  if (lost.length) {
    throw new Error(
      `IFShampoo: no parameter-combination rule claims: ${lost.join(', ')} (rules: ${rules.map((r) => r.name).join(', ')}; add 'perParameter' as the last rule to precondition the rest one by one)`,
    );
  }
  return units;
}

/** The rule that formed a unit: the first one whose `identify` claims exactly these parameters. */
export function ruleForUnit(params: readonly ParamInfo[], rules: CombineRule[]): CombineRule {
  const want = params.map((_, i) => i).join(',');
  const rule = rules.find((r) => r.identify(params).some((g) => g.join(',') === want));
  if (!rule) throw new Error(`IFShampoo: no parameter-combination rule claims the unit ${params.map((p) => p.name).join('+')}`);
  return rule;
}

/** Shape after dropping size-1 axes ([SF] squeeze; a scalar becomes [1]). */
export function squeezeShape(shape: number[]): number[] {
  const dims = shape.filter((d) => d !== 1);
  return dims.length ? dims : [1];
}
