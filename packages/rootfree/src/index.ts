/**
 * rootfree: square-root-free adaptive optimizers for TensorFlow.js.
 * Importing this module registers the optimizer classes for `tf.loadLayersModel`, makes `model.fit`
 * of an already loaded tfjs-layers report each batch's size to rootfree optimizers (constructing
 * an optimizer does it for one loaded later), and registers the rounding kernel on cpu and wasm.
 * It loads no backend and does not change which backend tfjs uses.
 */
import { installFitBatchSize } from './tfjs/fitBatchSize.js';
import { registerRoundKernel } from './backend/roundKernel.js';

export { useBackend, type BackendName, type BackendOptions } from './backend/setup.js';
export { roundTensor, roundArray, matMulP, parsePrecision, PRECISIONS, toBf16Bits, fromBf16Bits, toFp16Bits, fromFp16Bits, type Precision } from './precision/index.js';
export { SGD, AdamW, RMSprop, RFRMSprop, RFAdamW, type UserOptions } from './tfjs/optimizers.js';
export { Shampoo } from './tfjs/shampoo.js';
export type { ShampooOptions, GraftingType, ShampooPrecision, LargeDimMethod, InverseRootInfo, GpuRoot } from './optim/shampoo.js';
export { eigh, EighError, matrixInverseRoot, newtonInverseRoot64, newtonInverseRootTf, mergeSmallDims, modeProduct, type EighResult, type InverseRootOptions, type RootMethod } from './linalg/index.js';
export { IFShampoo, SIRFShampoo, type IFShampooConfig } from './tfjs/ifShampoo.js';
export { perParameter, denseWeightBias, flattenEmbedding, paperUpdateSteps, type IFShampooOptions, type CombineRule, type PerRank, type UpdateSchedule } from './optim/ifShampoo/index.js';
export { SINGD, type SINGDConfig, type LayerStatistics } from './tfjs/singd.js';
export type { SINGDOptions, SINGDUserOptions, KfacApprox, LossAverage } from './optim/singd/options.js';
export type { KfacLayerSpec, Padding2D } from './optim/singd/layers.js';
export { Muon, MuonWithAuxAdam, type MuonConfig } from './tfjs/muon.js';
export type { MuonOptions, MuonUserOptions, AuxAdamOptions, WeightLayout } from './optim/muon/options.js';
export { RootfreeOptimizer, type ApplyOptions, type DriverOptions, type NonFinitePolicy, type ParamGroupSpec } from './tfjs/RootfreeOptimizer.js';
export type { NamedTensor } from './tfjs/gradients.js';
export { evaluateSchedule, type LrSchedule, type ScheduleSpec } from './optim/schedules.js';
export { OptionError } from './optim/validate.js';
export { NonFiniteError } from './errors.js';
export { StateError } from './tfjs/stateIO.js';
export type { SGDOptions } from './optim/sgd.js';
export type { AdamWOptions } from './optim/adamw.js';
export type { RMSpropOptions } from './optim/rmsprop.js';
export type { RFRMSpropOptions } from './optim/rfRmsprop.js';
export type { RFAdamWOptions } from './optim/rfAdamW.js';

installFitBatchSize();
registerRoundKernel('cpu');
registerRoundKernel('wasm');
