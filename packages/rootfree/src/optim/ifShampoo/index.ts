export { ifShampooMethod } from './method.js';
export { resolveIFShampoo, perRank, type IFShampooOptions, type IFShampooUserOptions, type PerRank, type UpdateSchedule } from './options.js';
export { perParameter, denseWeightBias, flattenEmbedding, partitionParams, squeezeShape, type CombineRule, type CombineRuleSpec } from './combine.js';
export { isUpdateStep, paperUpdateSteps, floorLog4 } from './schedule.js';
