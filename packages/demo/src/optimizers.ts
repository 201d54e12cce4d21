import { AdamW, IFShampoo, RFAdamW, RFRMSprop, SGD, Shampoo, type RootfreeOptimizer } from 'rootfree';

export type Precision = 'float32' | 'bfloat16';

/** The demo's optimizers; `bf16` says what the bf16 setting changes for each. */
export const CHOICES: Array<{ name: string; bf16: string; make: (p: Precision, batch: number) => RootfreeOptimizer<any> }> = [
  { name: 'SGD', bf16: 'no state to round (runs in fp32)', make: (_p, b) => new SGD({ lr: 0.3, momentum: 0.9, batchSize: b }) },
  { name: 'AdamW', bf16: 'no bf16 option (runs in fp32)', make: (_p, b) => new AdamW({ lr: 0.01, weightDecay: 1e-4, batchSize: b }) },
  { name: 'RF-RMSProp', bf16: 'state v and momentum in bf16', make: (p, b) => new RFRMSprop({ lr: 0.01, momentum: 0.9, alpha: 0.99, damping: 1e-3, stateDtype: p, batchSize: b }) },
  { name: 'RF-AdamW', bf16: 'moments and denominator in bf16', make: (p, b) => new RFAdamW({ lr: 0.01, beta2: 0.99, damping: 1e-3, stateDtype: p, batchSize: b }) },
  { name: 'IF-Shampoo', bf16: 'Kronecker factors in bf16', make: (p, b) => new IFShampoo({ lr: 0.05, alpha1: 0.9, beta2: 0.01, lam: 1e-3, T: 2, preconditionerDtypes: p, batchSize: b }) },
  {
    name: 'Shampoo',
    bf16: 'factors and Newton inverse roots in bf16',
    make: (p, b) =>
      new Shampoo({ lr: 0.05, beta1: 0.9, beta2: 0.99, epsilon: 1e-4, preconditionFrequency: 2, startPreconditioningStep: 2, rootMethod: 'newton', newtonMaxIterations: 50, newtonTolerance: 1e-5, preconditionerPrecision: p, batchSize: b }),
  },
];
