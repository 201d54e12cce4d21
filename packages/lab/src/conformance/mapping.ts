import type { RootfreeOptimizer } from 'rootfree';
import { AdamW, RFAdamW, RFRMSprop, RMSprop, SGD } from 'rootfree';
import { IFShampoo } from 'rootfree';
import { Shampoo } from 'rootfree';
import type { GoldenCase } from './golden.js';

/** Builds the rootfree optimizer equivalent to a golden case, or says why it cannot. */
export type CaseFactory = (c: GoldenCase) => RootfreeOptimizer<any>;

const factories: Record<string, CaseFactory> = {};

/** Kronecker methods register their mappings here (one place per reference class). */
export function registerCaseFactory(referenceClass: string, f: CaseFactory): void {
  factories[referenceClass] = f;
}

export function factoryFor(referenceClass: string): CaseFactory | undefined {
  return factories[referenceClass];
}

const h = (c: GoldenCase) => c.hyperparameters as Record<string, any>;
const dtypeOf = (v: unknown) => (v === undefined || v === null ? 'float32' : String(v).replace('torch.', '').replace('float64', 'float32'));

registerCaseFactory('MyRmsProp', (c) => {
  const p = h(c);
  return new RFRMSprop({
    lr: p.lr,
    alpha: p.alpha,
    damping: p.eps ?? 1e-4,
    weightDecay: p.weight_decay ?? 0,
    momentum: p.momentum ?? 0,
    batchAveraged: p.batch_averaged ?? true,
    batchSize: p.batch_size ?? c.batch_size ?? 1,
    stateDtype: dtypeOf(p.cast_dtype) as 'float32',
    dummyInit: p.dummy_init ?? false,
    dummyScaling: p.dummy_scaling ?? false,
    nonFinite: 'none',
  });
});

registerCaseFactory('MyAdamW', (c) => {
  const p = h(c);
  return new RFAdamW({
    lr: p.lr,
    beta1: p.betas[0],
    beta2: p.betas[1],
    damping: p.eps ?? 1e-4,
    weightDecay: p.weight_decay ?? 0,
    batchAveraged: p.batch_averaged ?? true,
    batchSize: p.batch_size ?? c.batch_size ?? 1,
    biasCorrection: p.bias_correction ?? false,
    stateDtype: dtypeOf(p.cast_dtype) as 'float32',
    dummyInit: p.dummy_init ?? false,
    dummyScaling: p.dummy_scaling ?? false,
    nonFinite: 'none',
  });
});

registerCaseFactory('torch.optim.AdamW', (c) => {
  const p = h(c);
  return new AdamW({ lr: p.lr, beta1: p.betas[0], beta2: p.betas[1], epsilon: p.eps, weightDecay: p.weight_decay, amsgrad: p.amsgrad ?? false, nonFinite: 'none' });
});

registerCaseFactory('torch.optim.SGD', (c) => {
  const p = h(c);
  return new SGD({ lr: p.lr, momentum: p.momentum ?? 0, dampening: p.dampening ?? 0, weightDecay: p.weight_decay ?? 0, nesterov: p.nesterov ?? false, nonFinite: 'none' });
});

registerCaseFactory('torch.optim.RMSprop', (c) => {
  const p = h(c);
  return new RMSprop({ lr: p.lr, alpha: p.alpha, epsilon: p.eps, weightDecay: p.weight_decay ?? 0, momentum: p.momentum ?? 0, centered: p.centered ?? false, nonFinite: 'none' });
});

/** The goldens replay singd's block-diagonal transpose quirk (SPEC §3.2): use the `Ref` variant. */
const refStructure = (s: unknown): unknown =>
  typeof s === 'string' ? s.replace(/^(block\d+diagonal)$/i, '$1Ref')
  : Array.isArray(s) ? s.map(refStructure)
  : s && typeof s === 'object' ? Object.fromEntries(Object.entries(s).map(([k, v]) => [k, refStructure(v)]))
  : s;

/** [SF] SIRFShampoo: same names except `preconditioner_dtypes`; float64 runs map to float32. */
registerCaseFactory('SIRFShampoo', (c) => {
  const p = h(c);
  const dt = p.preconditioner_dtypes;
  return new IFShampoo({
    lr: p.lr,
    beta2: p.beta2,
    alpha1: p.alpha1,
    alpha2: p.alpha2,
    lam: p.lam,
    kappa: p.kappa ?? 0,
    T: p.T ?? 1,
    structures: refStructure(p.structures ?? 'dense') as string,
    preconditionerDtypes: typeof dt === 'object' && dt !== null ? Object.fromEntries(Object.entries(dt).map(([k, v]) => [k, Array.isArray(v) ? v.map(dtypeOf) : dtypeOf(v)])) : dtypeOf(dt),
    batchSize: p.batch_size ?? c.batch_size ?? 1,
    nonFinite: 'none',
  });
});

/** Meta Distributed Shampoo (vendored by the paper; SPEC §5). Factors are float32 tensors; roots float64. */
registerCaseFactory('DistributedShampoo', (c) => {
  const p = h(c);
  const grafting = String(p.grafting_type ?? 'GraftingType.ADAGRAD').replace('GraftingType.', '').toLowerCase();
  return new Shampoo({
    lr: p.lr,
    beta1: p.betas?.[0] ?? 0.9,
    beta2: p.betas?.[1] ?? 1,
    epsilon: p.epsilon ?? 1e-12,
    momentum: p.momentum ?? 0,
    weightDecay: p.weight_decay ?? 0,
    maxPreconditionerDim: p.max_preconditioner_dim ?? 1024,
    preconditionFrequency: p.precondition_frequency ?? 1,
    startPreconditioningStep: p.start_preconditioning_step ?? -1,
    exponentOverride: p.exponent_override ?? 0,
    exponentMultiplier: p.exponent_multiplier ?? 1,
    nesterov: p.use_nesterov ?? false,
    biasCorrection: p.use_bias_correction ?? true,
    decoupledWeightDecay: p.use_decoupled_weight_decay ?? true,
    grafting: grafting as 'none',
    graftingEpsilon: p.grafting_epsilon ?? 1e-3,
    graftingBeta2: p.grafting_beta2 ?? 1,
    mergeDims: p.use_merge_dims ?? true,
    preconditionerPrecision: String(p.preconditioner_dtype ?? 'torch.float32').replace('torch.', '') as 'float32',
    nonFinite: 'none',
  });
});
