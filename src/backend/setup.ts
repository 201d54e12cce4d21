import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';

export type BackendName = 'wasm' | 'cpu' | 'webgl' | 'webgpu';

export interface BackendOptions {
  /**
   * XNNPACK threads for `wasm` (Node: needs the experimental worker shim; falls back to 1 thread
   * with a warning when it cannot start). Default 1. A process can initialise only one wasm build:
   * ask for threads in the first `useBackend` call, before any tensor exists; once wasm runs
   * single-threaded, later requests warn and continue with 1.
   */
  threads?: number;
  /** Called with warnings instead of `console.warn`. */
  onWarning?: (message: string) => void;
  /**
   * Register rootfree's kernels (default true). `false` keeps tfjs's stock kernels, e.g. to
   * benchmark stock tfjs-wasm against the patched gradients; it also removes the wasm gradient
   * kernels if an earlier call registered them.
   */
  kernels?: boolean;
}

const isNode = typeof process !== 'undefined' && !!process.versions?.node;

let silenced = false;
function silenceNodeBanner(): void {
  if (silenced) return;
  silenced = true;
  // tfjs prints "Hi, looks like you are running TensorFlow.js in Node.js" once; it is noise for a CLI.
  // PROD silences tfjs warnings. (Not IS_TEST: that turns on a per-kernel leak check which
  // misfires on customGrad ops, e.g. fused.matMul, so tf.layers Dense could not train.)
  tf.env().set('PROD', true);
}

/**
 * Selects and initialises a tfjs backend, registering rootfree's kernels for it.
 * `wasm` is the Node default: XNNPACK SIMD matmul is ~30x the pure-JS `cpu` backend.
 */
export async function useBackend(name: BackendName = 'wasm', options: BackendOptions = {}): Promise<BackendName> {
  silenceNodeBanner();
  const warn = options.onWarning ?? ((m: string) => console.warn(`rootfree: ${m}`));
  const threads = options.threads ?? 1;
  if (!Number.isInteger(threads) || threads < 1) {
    throw new RangeError(`threads: expected a positive integer, got ${threads}`);
  }
  if (name === 'wasm' && threads > 1) {
    // Must precede any other wasm initialisation: one wasm build per process (wasmThreads.ts).
    const { setupWasmThreads } = await import('./wasmThreads.js');
    await setupWasmThreads(threads, warn);
  }
  if (tf.getBackend() !== name || !tf.findBackend(name)) {
    const ok = await tf.setBackend(name);
    if (!ok) throw new Error(`backend '${name}' could not be initialised${isNode && (name === 'webgl' || name === 'webgpu') ? ' (not available in Node)' : ''}`);
  }
  await tf.ready();
  if (options.kernels === false) {
    const { unregisterWasmGradientKernels } = await import('./gradients/index.js');
    unregisterWasmGradientKernels();
    return name;
  }
  const { registerRootfreeKernels } = await import('./kernels.js');
  registerRootfreeKernels(name);
  if (name === 'wasm') {
    // Idempotent; re-registers after a `kernels: false` call in the same process.
    const { registerWasmGradientKernels } = await import('./gradients/index.js');
    registerWasmGradientKernels();
  }
  return name;
}
