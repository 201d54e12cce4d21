/**
 * Registers rootfree's kernels (rounding, fused optimizer updates, missing wasm gradients) for a
 * backend. Each module registers idempotently.
 */
import { registerBatchNormKernels } from './batchNormKernel.js';
import { registerReluGradKernel } from './reluGradKernel.js';
import { registerRoundKernel } from './roundKernel.js';
import { registerFusedKernels } from './fusedKernels.js';
import { registerWasmGradientKernels } from './gradients/index.js';
import { registerGpuKernels } from './gpu/register.js';

const registered = new Set<string>();

export function registerRootfreeKernels(backend: string): void {
  if (registered.has(backend)) return;
  registered.add(backend);
  registerRoundKernel(backend);
  registerFusedKernels(backend);
  registerBatchNormKernels(backend);
  registerReluGradKernel(backend);
  registerGpuKernels(backend);
  if (backend === 'wasm') registerWasmGradientKernels();
}
