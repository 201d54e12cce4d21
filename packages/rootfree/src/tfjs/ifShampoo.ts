import * as tf from '@tensorflow/tfjs-core';
import { ifShampooMethod, type IFShampooOptions, type IFShampooUserOptions } from '../optim/ifShampoo/index.js';
import { OptionError } from '../optim/validate.js';
import { RootfreeOptimizer, type DriverOptions } from './RootfreeOptimizer.js';
import { registerOptimizerClass } from './register.js';

/** Options of {@link IFShampoo}: method options (SPEC §2, [SF] names) plus the driver options. */
export type IFShampooConfig = IFShampooUserOptions & DriverOptions;

/**
 * IF-Shampoo, the inverse- and root-free Shampoo of the paper, with SIRFShampoo's structured
 * factors, per-factor precisions and parameter-combination rules (SPEC §2). Batch size B comes
 * from `batchSize` (constructor or `applyGradients(..., { batchSize })`) or from `model.fit`.
 *
 * ```ts
 * model.compile({ optimizer: new IFShampoo({ lr: 1e-3, beta2: 1e-2, T: 2, structures: { 2: ['dense', 'diagonal'] } }), loss: 'meanSquaredError' });
 * ```
 */
export class IFShampoo extends RootfreeOptimizer<IFShampooOptions> {
  static get className(): string {
    return 'RootfreeIFShampoo';
  }
  constructor(options: IFShampooConfig = {}) {
    // Which parameters form one preconditioned tensor is decided once for the whole model, so a
    // per-group rule could disagree with the partition; reject it instead of half-honouring it.
    // Shapes are checked (OptionError) by the driver; only well-formed groups are looked into here.
    const groups: unknown = options?.paramGroups;
    (Array.isArray(groups) ? groups : []).forEach((g, i) => {
      if (g?.options && typeof g.options === 'object' && 'combineParams' in g.options) {
        throw new OptionError(`paramGroups[${i}].options.combineParams`, g.options.combineParams, 'no per-group value (set combineParams at the top level)');
      }
    });
    super(ifShampooMethod, options as Record<string, unknown>);
  }

  override getConfig(): tf.serialization.ConfigDict {
    const rules = this.rawOptionsValue('combineParams');
    const list = rules === undefined ? [] : Array.isArray(rules) ? rules : [rules];
    const custom = list.find((r) => typeof r !== 'string');
    if (custom) {
      throw new Error(`IFShampoo.getConfig: combineParams contains the custom rule '${(custom as { name?: string }).name}', whose functions cannot be serialised; save the optimizer weights only, and rebuild the optimizer with the same rule before setWeights`);
    }
    return super.getConfig();
  }
}

/** The [SF] release's name for the same optimizer. */
export const SIRFShampoo = IFShampoo;

registerOptimizerClass(IFShampoo as unknown as tf.serialization.SerializableConstructor<tf.serialization.Serializable>);
