import * as tf from '@tensorflow/tfjs-core';
import { channelSimd, heapOffset } from './channelSimd.js';

/*
 * ReLU's gradient as one kernel, `RootfreeReluGrad` (dy, x → dy·step(x)), on cpu and wasm. tfjs
 * records Step, Cast and Multiply for it: three full-tensor passes and two temporaries after every
 * ReLU of a conv net. The registered Relu gradient uses the kernel where the active backend has it
 * and tfjs's own formula elsewhere. Same values as tfjs's formula, NaN cases included: dy·0 for
 * x ≤ 0 (so an infinite or NaN dy still gives NaN), NaN for NaN x. On wasm the loop runs as
 * wasm SIMD (channelSimd.ts): the JS loop's per-element branch cost ~8 ns per element.
 */
export const RELU_GRAD = 'RootfreeReluGrad';
const BACKENDS = ['cpu', 'wasm'];

function reluGradKernel({ inputs, backend }: { inputs: tf.NamedTensorInfoMap; backend: unknown }): tf.TensorInfo {
  const { dy, x } = inputs as Record<string, tf.TensorInfo>;
  const b = backend as any;
  const n = tf.util.sizeFromShape(x.shape);
  let out: tf.TensorInfo;
  let dyv: Float32Array;
  let xv: Float32Array;
  let dx: Float32Array;
  let start = 0;
  if (typeof b?.makeOutput === 'function' && typeof b?.typedArrayFromHeap === 'function') {
    out = b.makeOutput(x.shape, 'float32');
    const simd = channelSimd(b);
    if (simd) {
      start = n & ~3;
      simd.reluGrad(start, heapOffset(b, dy), heapOffset(b, x), heapOffset(b, out));
    }
    // Views after the allocation: it may grow the heap.
    dyv = b.typedArrayFromHeap(dy);
    xv = b.typedArrayFromHeap(x);
    dx = b.typedArrayFromHeap(out);
  } else {
    dyv = b.data.get(dy.dataId).values;
    xv = b.data.get(x.dataId).values;
    dx = new Float32Array(n);
    out = b.makeTensorInfo(x.shape, 'float32', dx);
  }
  for (let i = start; i < n; i++) {
    const v = xv[i];
    dx[i] = dyv[i] * (v > 0 ? 1 : v === v ? 0 : NaN);
  }
  return out;
}

/** Registers the kernel for cpu/wasm (idempotent) and, once, the Relu gradient that uses it. */
export function registerReluGradKernel(backend: string): boolean {
  if (!BACKENDS.includes(backend)) return false;
  if (tf.getKernel(RELU_GRAD, backend) === undefined) {
    tf.registerKernel({ kernelName: RELU_GRAD, backendName: backend, kernelFunc: reluGradKernel as unknown as tf.KernelFunc });
  }
  const current = tf.getGradient(tf.Relu);
  if (current?.gradFunc !== reluGradFunc) tf.registerGradient({ kernelName: tf.Relu, inputsToSave: ['x'], gradFunc: reluGradFunc });
  return true;
}

export function unregisterReluGradKernel(backend: string): void {
  if (tf.getKernel(RELU_GRAD, backend) !== undefined) tf.unregisterKernel(RELU_GRAD, backend);
}

function reluGradFunc(dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]): Record<string, () => tf.Tensor> {
  const g = dy as tf.Tensor;
  const [x] = saved;
  const fused = x.dtype === 'float32' && g.dtype === 'float32' && tf.getKernel(RELU_GRAD, tf.getBackend()) !== undefined;
  return {
    x: () => (fused
      ? (tf.engine().runKernel(RELU_GRAD, { dy: g, x } as unknown as tf.NamedTensorMap) as tf.Tensor)
      : tf.mul(g, tf.cast(tf.step(x), 'float32'))),
  };
}
