import * as tf from '@tensorflow/tfjs-core';
import { conv2dKernels } from './conv2d.js';
import { depthwiseKernels } from './depthwise.js';
import { einsumKernels } from './einsum.js';
import { matMulKernels } from './matmul.js';
import { poolKernels } from './pool.js';
import { reduceKernels } from './reduce.js';
import { segmentKernels } from './segment.js';
import { sliceKernels } from './slice.js';
import { transposeKernels } from './transpose.js';
import { stockKernels } from './util.js';

/**
 * wasm kernels that tfjs-wasm lacks (Conv2DBackpropFilter, depthwise backprops, UnsortedSegmentSum,
 * Einsum) or runs on a slow path (transposed/batched matmul, Conv2DBackpropInput, MaxPoolGrad,
 * Slice/SplitV/Unpack, Sum/Mean over leading axes, axis-swap Transposes).
 * Registered for the `wasm` backend name only, so every other backend keeps its stock kernels and
 * gradients.
 */
export const wasmKernelConfigs: readonly tf.KernelConfig[] = [
  ...matMulKernels,
  ...conv2dKernels,
  ...depthwiseKernels,
  ...segmentKernels,
  ...einsumKernels,
  ...poolKernels,
  ...sliceKernels,
  ...reduceKernels,
  ...transposeKernels,
];

const active = new Set<string>();

/** Names of the rootfree wasm kernels currently registered. */
export function activeWasmGradientKernels(): string[] {
  return [...active];
}

/**
 * Idempotent. `only` restricts to some kernel names (benchmarks: "stock plus the one kernel a CNN
 * needs to train"). Works before or after the wasm backend initialises: an overridden stock
 * kernel's `setupFunc` (its cwrap binding) is carried over so it still runs at backend init.
 */
export function registerWasmGradientKernels(only?: readonly string[]): void {
  for (const config of wasmKernelConfigs) {
    const name = config.kernelName;
    if (active.has(name) || (only && !only.includes(name))) continue;
    const stock = tf.getKernel(name, 'wasm');
    if (stock) {
      stockKernels.set(name, stock);
      tf.unregisterKernel(name, 'wasm');
    }
    tf.registerKernel({ ...config, setupFunc: stock?.setupFunc });
    active.add(name);
  }
}

/** Restores tfjs-wasm's stock kernels (for stock-vs-patched benchmarks and tests). */
export function unregisterWasmGradientKernels(): void {
  for (const config of wasmKernelConfigs) {
    const name = config.kernelName;
    if (!active.has(name)) continue;
    if (tf.getKernel(name, 'wasm')) tf.unregisterKernel(name, 'wasm');
    const stock = stockKernels.get(name);
    if (stock) tf.registerKernel(stock);
    stockKernels.delete(name);
    active.delete(name);
  }
}
