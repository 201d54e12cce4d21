import * as tf from '@tensorflow/tfjs-core';
import { muonMethod } from '../optim/muon/method.js';
import type { MuonOptions, MuonUserOptions } from '../optim/muon/options.js';
import { RootfreeOptimizer, type DriverOptions } from './RootfreeOptimizer.js';
import { registerOptimizerClass } from './register.js';

/** Options of {@link Muon} / {@link MuonWithAuxAdam}: the method options plus the driver options. */
export type MuonConfig = MuonUserOptions & DriverOptions;

/**
 * Muon (KellerJordan/Muon, `SingleDeviceMuon`): the momentum of each 2-D or 4-D weight,
 * orthogonalized by a quintic Newton–Schulz iteration run in bfloat16 (or float32), scaled by
 * √max(1, out/in). Every parameter must be a matrix or a conv filter; see {@link MuonWithAuxAdam}.
 */
export class Muon extends RootfreeOptimizer<MuonOptions> {
  static get className(): string {
    return 'RootfreeMuon';
  }
  constructor(options: Omit<MuonConfig, 'useMuon' | 'adam'> = {}) {
    super(muonMethod(false), options as Record<string, unknown>);
  }
}

/**
 * `SingleDeviceMuonWithAuxAdam`: Muon for the parameters `useMuon` selects (default 'auto':
 * 2-D and 4-D weights), the reference's AdamW (`adam` options) for the others. Route heads or
 * embeddings to AdamW with a parameter group: `paramGroups: [{ match: 'dense_3|embed', options: { useMuon: false } }]`.
 */
export class MuonWithAuxAdam extends RootfreeOptimizer<MuonOptions> {
  static get className(): string {
    return 'RootfreeMuonWithAuxAdam';
  }
  constructor(options: MuonConfig = {}) {
    super(muonMethod(true), options as Record<string, unknown>);
  }
}

for (const cls of [Muon, MuonWithAuxAdam]) registerOptimizerClass(cls as unknown as tf.serialization.SerializableConstructor<tf.serialization.Serializable>);
