import * as tf from '@tensorflow/tfjs-core';
import { FINITE_KERNEL, FUSED_KERNEL, GPU_BACKENDS } from './names.js';
import { webglFinite, webglFused } from './webgl.js';
import { webgpuFinite, webgpuFused } from './webgpu.js';

/**
 * Registers the fused update and non-finite check kernels for 'webgl' or 'webgpu' (idempotent;
 * false for other backends). Nothing here imports a GPU backend package: the kernels receive the
 * backend object from the engine, so a bundle without webgl/webgpu carries no reference to them.
 */
export function registerGpuKernels(backend: string): boolean {
  if (!GPU_BACKENDS.includes(backend)) return false;
  const funcs = backend === 'webgl' ? { fused: webglFused, finite: webglFinite } : { fused: webgpuFused, finite: webgpuFinite };
  if (tf.getKernel(FUSED_KERNEL, backend) === undefined) {
    tf.registerKernel({ kernelName: FUSED_KERNEL, backendName: backend, kernelFunc: funcs.fused as unknown as tf.KernelFunc });
  }
  if (tf.getKernel(FINITE_KERNEL, backend) === undefined) {
    tf.registerKernel({ kernelName: FINITE_KERNEL, backendName: backend, kernelFunc: funcs.finite as unknown as tf.KernelFunc });
  }
  return true;
}

/** Whether the active backend runs rootfree's GPU programs (registering them on first use). */
export function gpuKernelsActive(): boolean {
  return registerGpuKernels(tf.getBackend());
}

let disabled = false;

/** Turns the fused GPU update programs off/on (tests compare them with the composite path). */
export function setGpuFused(on: boolean): void {
  disabled = !on;
}

/** Whether fused GPU updates run on the active backend. */
export function gpuFusedActive(): boolean {
  return !disabled && gpuKernelsActive();
}
