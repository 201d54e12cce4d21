import { Shampoo, type GraftingType, type LargeDimMethod } from 'rootfree';
import { checkMappedKeys, MappingError, registerCaseFactory } from '../registry.js';
import { h, requireValue } from './common.js';

/** Reference `GraftingType` member → rootfree `grafting`. */
const GRAFTING: Record<string, GraftingType> = {
  NONE: 'none', SGD: 'sgd', ADAGRAD: 'adagrad', RMSPROP: 'rmsprop', ADAM: 'adam',
  ADAGRAD_NORMALIZED: 'adagradNormalized', RMSPROP_NORMALIZED: 'rmspropNormalized', ADAM_NORMALIZED: 'adamNormalized',
  LARS: 'lars', LAMB: 'lamb',
};

/** Reference `LargeDimMethod` member → rootfree `largeDimMethod`. */
const LARGE_DIM: Record<string, LargeDimMethod> = { BLOCKING: 'blocking', ADAGRAD: 'adagrad', DIAGONAL: 'diagonal' };

function member<T>(c: { optimizer: string }, key: string, raw: unknown, table: Record<string, T>, fallback: string): T {
  const name = String(raw ?? fallback).replace(/^\w+\./, '');
  const v = table[name];
  if (v === undefined) throw new MappingError(`${c.optimizer} ${key}=${JSON.stringify(raw)} not mapped`);
  return v;
}

/**
 * Meta Distributed Shampoo (vendored by the paper; SPEC §5, v2/README §3). Factors are float32
 * tensors with float64 roots. `use_merge_dims` only matters under BLOCKING (the reference never
 * merges under ADAGRAD or DIAGONAL); `max_grad_norm` is the driver's global-norm clipping.
 */
registerCaseFactory('DistributedShampoo', (c) => {
  checkMappedKeys(c, [
    'lr', 'betas', 'epsilon', 'momentum', 'weight_decay', 'max_preconditioner_dim', 'precondition_frequency', 'start_preconditioning_step',
    'exponent_override', 'exponent_multiplier', 'use_nesterov', 'use_bias_correction', 'use_decoupled_weight_decay', 'grafting_type',
    'grafting_epsilon', 'grafting_beta2', 'large_dim_method', 'use_merge_dims', 'preconditioner_dtype', 'num_trainers_per_group',
    'use_dtensor', 'max_grad_norm', 'use_protected_eigh',
  ]);
  requireValue(c, 'num_trainers_per_group', [1, -1]);
  requireValue(c, 'use_protected_eigh', [true]);
  const p = h(c);
  const largeDimMethod = member(c, 'large_dim_method', p.large_dim_method, LARGE_DIM, 'BLOCKING');
  return new Shampoo({
    lr: p.lr,
    beta1: p.betas?.[0] ?? 0.9,
    beta2: p.betas?.[1] ?? 1,
    epsilon: p.epsilon ?? 1e-12,
    momentum: p.momentum ?? 0,
    weightDecay: p.weight_decay ?? 0,
    maxPreconditionerDim: p.max_preconditioner_dim ?? 1024,
    largeDimMethod,
    mergeDims: largeDimMethod === 'blocking' && (p.use_merge_dims ?? true),
    preconditionFrequency: p.precondition_frequency ?? 1,
    startPreconditioningStep: p.start_preconditioning_step ?? -1,
    exponentOverride: p.exponent_override ?? 0,
    exponentMultiplier: p.exponent_multiplier ?? 1,
    nesterov: p.use_nesterov ?? false,
    biasCorrection: p.use_bias_correction ?? true,
    decoupledWeightDecay: p.use_decoupled_weight_decay ?? true,
    grafting: member(c, 'grafting_type', p.grafting_type, GRAFTING, 'ADAGRAD'),
    graftingEpsilon: p.grafting_epsilon ?? 1e-3,
    graftingBeta2: p.grafting_beta2 ?? 1,
    preconditionerPrecision: String(p.preconditioner_dtype ?? 'torch.float32').replace('torch.', '') as 'float32',
    ...(p.max_grad_norm === null || p.max_grad_norm === undefined ? {} : { clipGradNorm: p.max_grad_norm }),
    nonFinite: 'none',
  });
});
