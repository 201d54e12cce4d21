import * as tf from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

export type TensorInfo = tf.TensorInfo;
export type Attrs = Record<string, unknown>;
export type Backend = BackendWasm;
export type KernelArgs = { inputs: Record<string, TensorInfo>; backend: Backend; attrs: Attrs };

/**
 * Stock wasm kernels that rootfree overrides, captured before the override so the override can
 * still call them (e.g. the XNNPACK NN matmul behind our transposed-matmul kernel).
 */
export const stockKernels = new Map<string, tf.KernelConfig>();

/**
 * Runs a wasm kernel function directly (below the engine: no tape, no tensor tracking). Callers
 * own the returned TensorInfo and release intermediates with `release`.
 */
export function run(backend: Backend, name: string, inputs: Record<string, TensorInfo>, attrs: Attrs = {}): TensorInfo {
  const config = stockKernels.get(name) ?? tf.getKernel(name, 'wasm');
  if (!config) throw new Error(`rootfree: wasm kernel '${name}' is not registered`);
  const out = config.kernelFunc({ inputs: inputs as tf.NamedTensorInfoMap, backend: backend as unknown as tf.KernelBackend, attrs: attrs as tf.NamedAttrMap });
  return (Array.isArray(out) ? out[0] : out) as TensorInfo;
}

/** The stock kernel's outputs for the same call: the fallback of an override for cases it does not handle. */
export function stockOutputs(name: string, args: KernelArgs): TensorInfo | TensorInfo[] {
  const config = stockKernels.get(name) ?? tf.getKernel(name, 'wasm');
  if (!config) throw new Error(`rootfree: wasm kernel '${name}' is not registered`);
  return config.kernelFunc(args as unknown as Parameters<tf.KernelFunc>[0]) as TensorInfo | TensorInfo[];
}

export function release(backend: Backend, ...infos: TensorInfo[]): void {
  for (const t of infos) backend.disposeData(t.dataId);
}

/** Shares storage with `x` (refcounted like the stock Reshape kernel). */
export function reshape(backend: Backend, x: TensorInfo, shape: number[]): TensorInfo {
  return run(backend, 'Reshape', { x }, { shape });
}

/**
 * Runs the kernel registered now (rootfree's when active, which fall back to stock themselves),
 * not the captured stock one as `run` does: for kernels rootfree overrides only for speed.
 */
function runRegistered(backend: Backend, name: string, inputs: Record<string, TensorInfo>, attrs: Attrs): TensorInfo {
  const config = tf.getKernel(name, 'wasm') ?? stockKernels.get(name);
  if (!config) throw new Error(`rootfree: wasm kernel '${name}' is not registered`);
  const out = config.kernelFunc({ inputs: inputs as tf.NamedTensorInfoMap, backend: backend as unknown as tf.KernelBackend, attrs: attrs as tf.NamedAttrMap });
  return (Array.isArray(out) ? out[0] : out) as TensorInfo;
}

export function transpose(backend: Backend, x: TensorInfo, perm: number[]): TensorInfo {
  return runRegistered(backend, 'Transpose', { x }, { perm });
}

/** Swaps the last two axes. */
export function transposeLast2(backend: Backend, x: TensorInfo): TensorInfo {
  const r = x.shape.length;
  const perm = [...Array(r).keys()];
  perm[r - 2] = r - 1;
  perm[r - 1] = r - 2;
  return transpose(backend, x, perm);
}

export function slice(backend: Backend, x: TensorInfo, begin: number[], size: number[]): TensorInfo {
  return runRegistered(backend, 'Slice', { x }, { begin, size });
}

export function pad(backend: Backend, x: TensorInfo, paddings: Array<[number, number]>): TensorInfo {
  return run(backend, 'PadV2', { x }, { paddings, constantValue: 0 });
}

/** A heap view; take it only after every allocation of the kernel (growth detaches views). */
export function view(backend: Backend, x: TensorInfo): Float32Array | Int32Array | Uint8Array {
  return backend.typedArrayFromHeap(x) as Float32Array | Int32Array | Uint8Array;
}

/**
 * Runs the `cpu` backend's kernel on copies of the inputs: the correct-but-slow path for cases the
 * wasm-native implementations do not cover (unusual layouts, equations).
 */
export function viaCpu(name: string, backend: Backend, inputs: Record<string, TensorInfo>, attrs: Attrs): TensorInfo {
  const cpu = tf.findBackend('cpu') as tf.KernelBackend | null;
  const config = tf.getKernel(name, 'cpu');
  if (!cpu || !config) throw new Error(`rootfree: no cpu fallback for '${name}'`);
  const cpuInputs: Record<string, TensorInfo> = {};
  const owned: TensorInfo[] = [];
  try {
    for (const [k, t] of Object.entries(inputs)) {
      const values = backend.readSync(t.dataId) as backend_util_TypedArray;
      const info = { dataId: cpu.write(values.slice(), t.shape, t.dtype), shape: t.shape, dtype: t.dtype };
      cpuInputs[k] = info;
      owned.push(info);
    }
    const res = config.kernelFunc({ inputs: cpuInputs as tf.NamedTensorInfoMap, backend: cpu, attrs: attrs as tf.NamedAttrMap });
    const out = (Array.isArray(res) ? res[0] : res) as TensorInfo;
    const values = cpu.readSync(out.dataId) as backend_util_TypedArray;
    cpu.disposeData(out.dataId);
    return backend.makeOutput(out.shape, out.dtype, undefined, values);
  } finally {
    for (const t of owned) cpu.disposeData(t.dataId);
  }
}

type backend_util_TypedArray = Float32Array | Int32Array | Uint8Array;

export interface Conv2DGeometry {
  batch: number; inH: number; inW: number; inC: number;
  outH: number; outW: number; outC: number;
  kH: number; kW: number; sH: number; sW: number;
  padTop: number; padLeft: number;
}

export function conv2dGeometry(
  xShape: [number, number, number, number],
  filterShape: [number, number, number, number],
  strides: number | [number, number],
  pad: unknown,
  dimRoundingMode: unknown,
  depthwise: boolean,
): Conv2DGeometry {
  const info = tf.backend_util.computeConv2DInfo(
    xShape, filterShape, strides, 1, pad as 'same', dimRoundingMode as 'round' | undefined, depthwise, 'channelsLast');
  return {
    batch: info.batchSize, inH: info.inHeight, inW: info.inWidth, inC: info.inChannels,
    outH: info.outHeight, outW: info.outWidth, outC: info.outChannels,
    kH: info.filterHeight, kW: info.filterWidth, sH: info.strideHeight, sW: info.strideWidth,
    padTop: info.padInfo.top, padLeft: info.padInfo.left,
  };
}
