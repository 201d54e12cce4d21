import * as tf from '@tensorflow/tfjs-core';
import { roundArray } from '../precision/array.js';
import type { Precision } from '../precision/types.js';

/**
 * `RootfreeRound` (attr `precision`): bf16/fp16 round-to-nearest-even over the backend's own
 * float32 storage, one pass at memory speed (TFJS-FINDINGS §3, §5). Uses backend internals:
 * `data.get(dataId).values` on `cpu`, the wasm heap at the tensor's `memoryOffset` on `wasm`.
 */
export const ROUND_KERNEL = 'RootfreeRound';

export interface RoundAttrs {
  precision: Precision;
}

function isWasmBackend(b: any): boolean {
  return typeof b?.makeOutput === 'function' && typeof b?.typedArrayFromHeap === 'function';
}

function isCpuBackend(b: any): boolean {
  return typeof b?.makeTensorInfo === 'function' && typeof b?.data?.get === 'function';
}

function roundKernelFunc({ inputs, backend, attrs }: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap }): tf.TensorInfo {
  const x = inputs.x as tf.TensorInfo;
  const precision = (attrs as unknown as RoundAttrs).precision;
  if (x.dtype !== 'float32') throw new TypeError(`${ROUND_KERNEL}: expected a float32 tensor, got ${x.dtype}`);
  const b = backend as any;
  if (isWasmBackend(b)) {
    // Allocate first: malloc may grow the heap and detach earlier views of it.
    const out = b.makeOutput(x.shape, 'float32') as tf.TensorInfo;
    if (tf.util.sizeFromShape(x.shape) > 0) {
      roundArray(b.typedArrayFromHeap(x) as Float32Array, precision, b.typedArrayFromHeap(out) as Float32Array);
    }
    return out;
  }
  if (isCpuBackend(b)) {
    const values = b.data.get(x.dataId).values as ArrayLike<number>;
    // cpu's int32/bool → float32 cast relabels the source array instead of converting it.
    const src = values instanceof Float32Array ? values : Float32Array.from(values);
    return b.makeTensorInfo(x.shape, 'float32', roundArray(src, precision)) as tf.TensorInfo;
  }
  throw new Error(`${ROUND_KERNEL}: backend storage is neither cpu- nor wasm-like`);
}

/** Backends whose storage layout the kernel understands. */
export const ROUND_KERNEL_BACKENDS: readonly string[] = ['cpu', 'wasm'];

let gradientRegistered = false;

/**
 * Registers the kernel for `backend` (no-op for backends other than cpu/wasm, or when already
 * registered). Its gradient is the identity (straight-through), like the Veltkamp composite's.
 */
export function registerRoundKernel(backend: string): boolean {
  if (!ROUND_KERNEL_BACKENDS.includes(backend)) return false;
  if (!gradientRegistered) {
    gradientRegistered = true;
    if (tf.getGradient(ROUND_KERNEL) === undefined) {
      tf.registerGradient({ kernelName: ROUND_KERNEL, gradFunc: (dy: tf.Tensor | tf.Tensor[]) => ({ x: () => (dy as tf.Tensor).clone() }) });
    }
  }
  if (tf.getKernel(ROUND_KERNEL, backend) === undefined) {
    tf.registerKernel({ kernelName: ROUND_KERNEL, backendName: backend, kernelFunc: roundKernelFunc as unknown as tf.KernelFunc });
  }
  return true;
}

export function hasRoundKernel(backend: string = tf.getBackend()): boolean {
  return tf.getKernel(ROUND_KERNEL, backend) !== undefined;
}

/** Runs the kernel on the active backend (it must be registered there). */
export function roundWithKernel(x: tf.Tensor, precision: Precision): tf.Tensor {
  return tf.engine().runKernel(ROUND_KERNEL, { x } as unknown as tf.NamedTensorMap, { precision } as unknown as tf.NamedAttrMap) as tf.Tensor;
}
