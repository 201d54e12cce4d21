import * as tf from '@tensorflow/tfjs-core';
import { isNode } from '../env.js';
import { importOptional } from './importOptional.js';
import { guardProcessListeners } from './processListeners.js';

export type BackendName = 'wasm' | 'cpu' | 'webgl' | 'webgpu';

export interface BackendOptions {
  /**
   * XNNPACK threads for `wasm`. In Node this needs rootfree's worker shim (falls back to 1 thread
   * with a warning when it cannot start); in a browser tfjs-wasm uses threads only on a
   * cross-origin-isolated page. Default: in Node `ROOTFREE_WASM_THREADS` when set, else
   * min(2, available cores); in browsers 1. A process can initialise only one wasm build: ask for
   * threads in the first `useBackend` call, before any tensor exists; once wasm runs
   * single-threaded, later explicit requests warn and continue with 1 (the default stays quiet).
   * Range: positive integers. See docs/THREADS.md.
   */
  threads?: number;
  /** Called with warnings instead of `console.warn`. */
  onWarning?: (message: string) => void;
  /**
   * Register rootfree's wasm gradient kernels (default true). `false` keeps tfjs's stock kernels,
   * e.g. to benchmark stock tfjs-wasm against the patched gradients; it also removes the wasm
   * gradient kernels if an earlier call registered them.
   */
  kernels?: boolean;
}

/** The package that registers each backend; loaded on demand so importing rootfree loads none. */
const BACKEND_PACKAGES: Record<BackendName, string> = {
  wasm: '@tensorflow/tfjs-backend-wasm',
  cpu: '@tensorflow/tfjs-backend-cpu',
  webgl: '@tensorflow/tfjs-backend-webgl',
  webgpu: '@tensorflow/tfjs-backend-webgpu',
};


let silenced = false;
function silenceNodeBanner(): void {
  if (silenced) return;
  silenced = true;
  // tfjs prints "Hi, looks like you are running TensorFlow.js in Node.js" once; it is noise for a CLI.
  // PROD silences tfjs warnings. (Not IS_TEST: that turns on a per-kernel leak check which
  // misfires on customGrad ops, e.g. fused.matMul, so tf.layers Dense could not train.)
  if (isNode) tf.env().set('PROD', true);
}

async function ensureRegistered(name: BackendName): Promise<void> {
  if (tf.findBackendFactory(name)) return;
  const pkg = BACKEND_PACKAGES[name];
  let reason = '';
  try {
    await importOptional(pkg);
  } catch (err) {
    reason = ` (${(err as Error).message})`;
  }
  if (!tf.findBackendFactory(name)) {
    throw new Error(
      `useBackend('${name}'): no '${name}' backend is registered and ${pkg} could not be loaded${reason}. ` +
        `Install ${pkg} (the same version as @tensorflow/tfjs-core) and import it in your app before calling useBackend('${name}').`,
    );
  }
}

/**
 * Selects and initialises a tfjs backend. Loads the backend's package when nothing registered it
 * yet (Node; in a bundle, import the backend yourself). On `wasm` it also registers rootfree's
 * faster gradient kernels (conv, pooling, transposes, reductions). Without this call rootfree
 * runs on whatever backend tfjs chose.
 */
export async function useBackend(name: BackendName = 'wasm', options: BackendOptions = {}): Promise<BackendName> {
  if (!(name in BACKEND_PACKAGES)) {
    throw new RangeError(`useBackend: expected one of ${Object.keys(BACKEND_PACKAGES).join(', ')}, got ${JSON.stringify(name)}`);
  }
  silenceNodeBanner();
  const warn = options.onWarning ?? ((m: string) => console.warn(`rootfree: ${m}`));
  const explicit = options.threads !== undefined;
  if (explicit && (!Number.isInteger(options.threads) || options.threads! < 1)) {
    throw new RangeError(`threads: expected a positive integer, got ${options.threads}`);
  }
  // The wasm module initialises inside one of the calls below (see processListeners.ts).
  const listeners = name === 'wasm' && isNode ? guardProcessListeners() : null;
  try {
    if (name === 'wasm' && (explicit ? options.threads! > 1 : isNode)) {
      // Must precede any other wasm initialisation: one wasm build per process. The Node shim sits
      // behind the `#wasm-threads` import condition, so browser bundles never see node: modules.
      const { setupWasmThreads, defaultWasmThreads } = await import('#wasm-threads');
      const threads = options.threads ?? defaultWasmThreads();
      if (threads > 1) await setupWasmThreads(threads, warn, explicit);
    }
    await ensureRegistered(name);
    if (tf.getBackend() !== name || !tf.findBackend(name)) {
      const ok = await tf.setBackend(name);
      if (!ok) throw new Error(`backend '${name}' could not be initialised${isNode && (name === 'webgl' || name === 'webgpu') ? ' (not available in Node)' : ''}`);
    }
    await tf.ready();
  } finally {
    listeners?.restore();
  }
  if (options.kernels === false) {
    const { unregisterWasmGradientKernels } = await import('./gradients/index.js');
    unregisterWasmGradientKernels();
    const { unregisterReluGradKernel } = await import('./reluGradKernel.js');
    unregisterReluGradKernel(name);
    return name;
  }
  const { registerRootfreeKernels } = await import('./kernels.js');
  registerRootfreeKernels(name);
  if (name === 'wasm') {
    // Idempotent; re-registers after a `kernels: false` call in the same process.
    const { registerWasmGradientKernels } = await import('./gradients/index.js');
    registerWasmGradientKernels();
    const { registerReluGradKernel } = await import('./reluGradKernel.js');
    registerReluGradKernel(name);
  }
  return name;
}
