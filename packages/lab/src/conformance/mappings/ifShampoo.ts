import { IFShampoo } from 'rootfree';
import type { GoldenCase } from '../golden.js';
import { casePrefix, checkMappedKeys, MappingError, registerCaseFactory, storedView, transposedView, type ParamView } from '../registry.js';
import { dtypeOf, h, requireValue } from './common.js';

/** The goldens replay singd's block-diagonal transpose quirk (SPEC §3.2): use the `Ref` variant. */
const refStructure = (s: unknown): unknown =>
  typeof s === 'string' ? s.replace(/^(block\d+diagonal)$/i, '$1Ref')
  : Array.isArray(s) ? s.map(refStructure)
  : s && typeof s === 'object' ? Object.fromEntries(Object.entries(s).map(([k, v]) => [k, refStructure(v)]))
  : s;

const mapDtypes = (dt: unknown): unknown =>
  typeof dt === 'object' && dt !== null ? Object.fromEntries(Object.entries(dt).map(([k, v]) => [k, Array.isArray(v) ? v.map(dtypeOf) : dtypeOf(v)])) : dtypeOf(dt);

/** Per-rank lists with the rank-2 list reversed: rank-2 tensors are fed transposed, so their two factors swap. */
const swapRank2 = (v: unknown): unknown =>
  v && typeof v === 'object' && !Array.isArray(v) && Array.isArray((v as Record<string, unknown>)['2'])
    ? { ...(v as Record<string, unknown>), 2: ((v as Record<string, unknown[]>)['2']).slice().reverse() }
    : v;

/** SIRFShampoo names → IFShampoo options, for the keys present (top level or one group's overrides). */
function sirfOptions(p: Record<string, any>, transposed: boolean): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  for (const k of ['lr', 'beta2', 'alpha1', 'alpha2', 'lam', 'kappa', 'T']) if (p[k] !== undefined) o[k] = p[k];
  const swap = (v: unknown) => (transposed ? swapRank2(v) : v);
  if (p.structures !== undefined) o.structures = swap(refStructure(p.structures));
  if (p.preconditioner_dtypes !== undefined) o.preconditionerDtypes = swap(mapDtypes(p.preconditioner_dtypes));
  return o;
}

const RULES: Record<string, string> = { PerParameter: 'perParameter', LinearWeightBias: 'denseWeightBias', FlattenEmbedding: 'flattenEmbedding' };

/** `combine_params` as the file prints it (`(LinearWeightBias(), PerParameter())`, `default (PerParameter,)`). */
function combineRules(c: GoldenCase): string[] {
  const raw = h(c).combine_params;
  if (raw === undefined || raw === null) return ['perParameter'];
  const names = [...String(raw).matchAll(/[A-Z]\w*/g)].map((m) => m[0]);
  return names.map((n) => {
    if (!RULES[n]) throw new MappingError(`SIRFShampoo combine_params class '${n}' not mapped`);
    return RULES[n];
  });
}

/**
 * Variables for the parameters (v2/README §3): with LinearWeightBias every rank-2 parameter is fed
 * transposed (a tfjs kernel is [in, out]) and a Linear layer's pair is named `<layer>/kernel`,
 * `<layer>/bias`; with FlattenEmbedding a table whose layer name contains `emb` is `<layer>/embeddings`.
 */
function views(c: GoldenCase, rules: string[]): ParamView[] {
  const prefix = casePrefix();
  const byName = new Map(c.params.map((p) => [p.name, p]));
  return c.params.map((p) => {
    const layer = p.name.replace(/\.(weight|bias)$/, '');
    if (rules.includes('denseWeightBias')) {
      const w = byName.get(`${layer}.weight`);
      const b = byName.get(`${layer}.bias`);
      const pair = w && b && w.shape.length === 2 && b.shape.length === 1 && b.shape[0] === w.shape[0];
      if (pair && p === b) return storedView(p, prefix, `${layer}/bias`);
      if (p.shape.length === 2) return transposedView(p, prefix, pair ? `${layer}/kernel` : p.name);
    }
    if (rules.includes('flattenEmbedding') && /emb/i.test(layer) && p.name.endsWith('.weight')) return storedView(p, prefix, `${layer}/embeddings`);
    return storedView(p, prefix);
  });
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** [SF] SIRFShampoo: same names except `preconditioner_dtypes`; float64 runs map to float32. */
registerCaseFactory('SIRFShampoo', (c) => {
  checkMappedKeys(c, ['lr', 'beta2', 'alpha1', 'alpha2', 'lam', 'kappa', 'T', 'batch_size', 'structures', 'preconditioner_dtypes', 'combine_params', 'param_groups']);
  const p = h(c);
  const rules = combineRules(c);
  const transposed = rules.includes('denseWeightBias');
  const vs = views(c, rules);
  const groups = (p.param_groups ?? []) as Array<Record<string, any>>;
  const paramGroups = groups.map((g, i) => {
    const names = (g.params ?? []) as string[];
    const vars = names.map((n) => {
      const k = c.params.findIndex((q) => q.name === n);
      if (k < 0) throw new MappingError(`param_groups[${i}] names '${n}', which is not a parameter of the file`);
      return vs[k].name;
    });
    const { params: _params, ...overrides } = g;
    checkMappedKeys({ ...c, hyperparameters: overrides }, ['lr', 'beta2', 'alpha1', 'alpha2', 'lam', 'kappa', 'T', 'structures', 'preconditioner_dtypes']);
    return { match: `^(?:${vars.map(escape).join('|')})$`, options: sirfOptions(overrides, transposed) };
  });
  const top = sirfOptions({ kappa: 0, T: 1, structures: 'dense', ...p, preconditioner_dtypes: p.preconditioner_dtypes ?? null }, transposed);
  const optimizer = new IFShampoo({
    ...top,
    combineParams: rules,
    batchSize: p.batch_size ?? c.batch_size ?? 1,
    ...(paramGroups.length ? { paramGroups } : {}),
    nonFinite: 'none',
  } as never);
  return { optimizer, views: vs };
});

/**
 * The paper's own class ([RS] `LocalOptimizer_GGT`, v2/README §3): GGT's `beta2` is the Riemannian
 * momentum α2 and its `lr_cov` is SIRFShampoo's β2; log4 schedule capped at T, and the factor-lr
 * discount for variables named with `norm`, `proj` or `bias`. Dense factors.
 */
registerCaseFactory('LocalOptimizer_GGT', (c) => {
  checkMappedKeys(c, ['lr', 'momentum', 'damping', 'beta2', 'weight_decay', 'T', 'batch_averaged', 'lr_cov', 'batch_size', 'cast_dtype']);
  requireValue(c, 'batch_averaged', [true]);
  const p = h(c);
  const prefix = casePrefix();
  const optimizer = new IFShampoo({
    lr: p.lr,
    alpha1: p.momentum,
    alpha2: p.beta2,
    lam: p.damping,
    kappa: p.weight_decay ?? 0,
    beta2: p.lr_cov,
    T: p.T ?? 1,
    paperSchedule: true,
    discountPatterns: true,
    structures: 'dense',
    preconditionerDtypes: dtypeOf(p.cast_dtype) as 'float32',
    batchSize: p.batch_size ?? c.batch_size ?? 1,
    nonFinite: 'none',
  });
  return { optimizer, views: c.params.map((q) => storedView(q, prefix)) };
});
