import type { RootfreeOptimizer } from '../tfjs/RootfreeOptimizer.js';
import { AdamW, RFAdamW, RFRMSprop, RMSprop, SGD } from '../tfjs/optimizers.js';
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
