export { eigh, EighError, type EighOptions, type EighResult } from './eigh.js';
export { matrixInverseRoot, eigenInverseRoot, type InverseRootOptions, type RootMethod, type EigenRootResult } from './inverseRoot.js';
export { newtonInverseRoot64, newtonInverseRootTf, type NewtonOptions, type NewtonResult64, type NewtonResultTf } from './newton.js';
export { mergeSmallDims, modeGrams, multiModeProduct, modeProduct } from './modeProduct.js';
export { matmul64, matpow64, identity64, spectralCompose64, frobeniusNorm64, maxAbsDiff64, maxAbsDiffIdentity64 } from './dense64.js';
