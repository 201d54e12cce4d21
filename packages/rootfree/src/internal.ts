/**
 * Internals for rootfree's own lab and benchmarks (`rootfree/internal`). Not a public API: names
 * and signatures here change without a major version.
 */
export { storageAccess, type StorageAccess } from './backend/fusedKernels.js';
export { roundWithKernel } from './backend/roundKernel.js';
export { fusedBatchNormTrain, registerBatchNormKernels, type BatchNormTrainResult } from './backend/batchNormKernel.js';
export { channelSimdEnabled, columnsSimdEnabled, poolSimdEnabled, transposeSimdEnabled } from './backend/channelSimd.js';
export { convGradStrategy } from './backend/gradients/conv2d.js';
export { registerWasmGradientKernels, unregisterWasmGradientKernels } from './backend/gradients/index.js';
export { E } from './optim/fused/simd.js';
export { runSimd, setFusedSimd, adamwProgram, simdKernel } from './optim/fused/programs.js';
export { adamwKernel } from './optim/fused/kernels.js';
export { roundArray, roundComposite } from './precision/index.js';
export type { Precision } from './precision/types.js';
export { structureClass } from './structures/index.js';
export { processInput, processGradOutput, gradMatrix } from './optim/singd/statistics.js';
export { resolveLayer } from './optim/singd/layers.js';
export { newtonSchulz } from './optim/muon/newtonSchulz.js';
export { setGpuFused, gpuFusedActive } from './backend/gpu/register.js';
