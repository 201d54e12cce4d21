import * as tf from '@tensorflow/tfjs-core';
import { adamwMethod, type AdamWOptions } from '../optim/adamw.js';
import { rfAdamWMethod, type RFAdamWOptions } from '../optim/rfAdamW.js';
import { rfRmspropMethod, type RFRMSpropOptions } from '../optim/rfRmsprop.js';
import { rmspropMethod, type RMSpropOptions } from '../optim/rmsprop.js';
import { sgdMethod, type SGDOptions } from '../optim/sgd.js';
import type { LrSchedule } from '../optim/schedules.js';
import { RootfreeOptimizer, type DriverOptions } from './RootfreeOptimizer.js';
import { registerOptimizerClass } from './register.js';

/** Spellings `parsePrecision` accepts besides the canonical names (`bf16`, `torch.bfloat16`, ...). */
export type PrecisionAlias = 'bf16' | 'fp16' | 'fp32' | 'f16' | 'f32' | 'half' | 'torch.bfloat16' | 'torch.float16' | 'torch.float32';

/** User-facing options: every method option optional, plus the driver options. */
export type UserOptions<O> = { [K in keyof O]?: K extends 'stateDtype' ? O[K] | PrecisionAlias : O[K] } & DriverOptions & { lr?: LrSchedule };

/** torch.optim.SGD semantics as a tfjs optimizer. */
export class SGD extends RootfreeOptimizer<SGDOptions> {
  static get className(): string {
    return 'RootfreeSGD';
  }
  constructor(options: UserOptions<SGDOptions> = {}) {
    super(sgdMethod, options as Record<string, unknown>);
  }
}

/** torch.optim.AdamW semantics (decoupled weight decay) as a tfjs optimizer. */
export class AdamW extends RootfreeOptimizer<AdamWOptions> {
  static get className(): string {
    return 'RootfreeAdamW';
  }
  constructor(options: UserOptions<AdamWOptions> = {}) {
    super(adamwMethod, options as Record<string, unknown>);
  }
}

/** torch.optim.RMSprop semantics (ε outside the root) as a tfjs optimizer. */
export class RMSprop extends RootfreeOptimizer<RMSpropOptions> {
  static get className(): string {
    return 'RootfreeRMSprop';
  }
  constructor(options: UserOptions<RMSpropOptions> = {}) {
    super(rmspropMethod, options as Record<string, unknown>);
  }
}

/** Root-free RMSProp (the paper's RF-RMSProp). */
export class RFRMSprop extends RootfreeOptimizer<RFRMSpropOptions> {
  static get className(): string {
    return 'RootfreeRFRMSprop';
  }
  constructor(options: UserOptions<RFRMSpropOptions> = {}) {
    super(rfRmspropMethod, options as Record<string, unknown>);
  }
}

/** Root-free AdamW (the paper code's RF-AdamW). */
export class RFAdamW extends RootfreeOptimizer<RFAdamWOptions> {
  static get className(): string {
    return 'RootfreeRFAdamW';
  }
  constructor(options: UserOptions<RFAdamWOptions> = {}) {
    super(rfAdamWMethod, options as Record<string, unknown>);
  }
}

for (const cls of [SGD, AdamW, RMSprop, RFRMSprop, RFAdamW]) registerOptimizerClass(cls as unknown as tf.serialization.SerializableConstructor<tf.serialization.Serializable>);
