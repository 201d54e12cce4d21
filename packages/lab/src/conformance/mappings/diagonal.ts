import { AdamW, RFAdamW, RFRMSprop, RMSprop, SGD } from 'rootfree';
import { checkMappedKeys, registerCaseFactory } from '../registry.js';
import { dtypeOf, h } from './common.js';

/** The paper's root-free diagonal methods ([RS] `MyRmsProp`, `MyAdamW`) and torch.optim baselines; names map one to one. */

registerCaseFactory('MyRmsProp', (c) => {
  checkMappedKeys(c, ['lr', 'alpha', 'eps', 'weight_decay', 'momentum', 'batch_averaged', 'batch_size', 'cast_dtype', 'dummy_init', 'dummy_scaling']);
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
  checkMappedKeys(c, ['lr', 'betas', 'eps', 'weight_decay', 'batch_averaged', 'batch_size', 'bias_correction', 'cast_dtype', 'dummy_init', 'dummy_scaling']);
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
  checkMappedKeys(c, ['lr', 'betas', 'eps', 'weight_decay', 'amsgrad']);
  const p = h(c);
  return new AdamW({ lr: p.lr, beta1: p.betas[0], beta2: p.betas[1], epsilon: p.eps, weightDecay: p.weight_decay, amsgrad: p.amsgrad ?? false, nonFinite: 'none' });
});

registerCaseFactory('torch.optim.SGD', (c) => {
  checkMappedKeys(c, ['lr', 'momentum', 'dampening', 'weight_decay', 'nesterov']);
  const p = h(c);
  return new SGD({ lr: p.lr, momentum: p.momentum ?? 0, dampening: p.dampening ?? 0, weightDecay: p.weight_decay ?? 0, nesterov: p.nesterov ?? false, nonFinite: 'none' });
});

registerCaseFactory('torch.optim.RMSprop', (c) => {
  checkMappedKeys(c, ['lr', 'alpha', 'eps', 'weight_decay', 'momentum', 'centered']);
  const p = h(c);
  return new RMSprop({ lr: p.lr, alpha: p.alpha, epsilon: p.eps, weightDecay: p.weight_decay ?? 0, momentum: p.momentum ?? 0, centered: p.centered ?? false, nonFinite: 'none' });
});
