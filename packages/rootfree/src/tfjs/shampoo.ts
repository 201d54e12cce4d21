import * as tf from '@tensorflow/tfjs-core';
import { shampooMethod, type ShampooOptions } from '../optim/shampoo.js';
import type { UserOptions } from './optimizers.js';
import { RootfreeOptimizer } from './RootfreeOptimizer.js';
import { registerOptimizerClass } from './register.js';

/**
 * Root-based Shampoo (Meta's Distributed Shampoo as vendored by the paper; SPEC §5) as a tfjs
 * optimizer: the honest baseline for IF-Shampoo. Inverse roots are computed in float64 JS on
 * precondition steps (one read-back per factor) on cpu/wasm, and on the device by a coupled
 * Newton iteration on webgl/webgpu (`gpuRoot`, docs/GPU.md); everything else is tfjs ops.
 */
export class Shampoo extends RootfreeOptimizer<ShampooOptions> {
  static get className(): string {
    return 'RootfreeShampoo';
  }
  constructor(options: UserOptions<ShampooOptions> = {}) {
    super(shampooMethod, options as Record<string, unknown>);
  }
}

registerOptimizerClass(Shampoo as unknown as tf.serialization.SerializableConstructor<tf.serialization.Serializable>);
