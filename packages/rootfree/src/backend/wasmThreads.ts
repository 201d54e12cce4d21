/// <reference types="node" />
/**
 * Experimental multi-threaded XNNPACK for tfjs-wasm in Node (TFJS-FINDINGS §1.2–1.3).
 *
 * tfjs hard-codes `WASM_HAS_MULTITHREAD_SUPPORT=false` in Node because Emscripten's pthread pool
 * hands `blob:` URLs to `worker_threads`, which refuses them. The shim, active only while the wasm
 * backend initialises:
 *  - records the text of every Blob built from strings, so `URL.createObjectURL` can write the
 *    pthread worker script and the main script to temporary `.cjs` files and return their paths
 *    (the worker file starts with a prelude that does the same mapping inside the worker);
 *  - makes `os.cpus()` report ≥ 2×threads cores, because the C++ side caps the pool at
 *    `emscripten_num_logical_cores()/2`;
 *  - sets the flag and `setThreadsCount`.
 *
 * A process can initialise only one wasm flavour: this must run before anything initialises the
 * `wasm` backend. It relies on tfjs-wasm 4.22 internals (bundle variable names, Emscripten
 * behaviour), so every failure degrades to the stock single-threaded build with a warning.
 */
import * as tf from '@tensorflow/tfjs-core';
import { getThreadsCount, setThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

const MAIN_SCRIPT_MARK = 'var WasmBackendModuleThreadedSimd';
const INIT_TIMEOUT_MS = 30_000;

/**
 * The main script is the factory's source cut out of the Node bundle; inside a worker it runs
 * without the bundle's CommonJS scope, so recreate the names it closes over.
 */
function mainPrelude(mainPath: string): string {
  return [
    "var require$$0 = require('fs'), require$$1 = require('path'), require$$3 = require('perf_hooks'), require$$4 = require('os');",
    'var commonjsGlobal = globalThis;',
    `var _scriptDir = ${JSON.stringify(mainPath)};`,
  ].join('\n');
}

/**
 * Runs first in every pthread worker: maps the main-script Blob to its file, and reports errors
 * over a BroadcastChannel instead of letting them reach the main thread as uncaught exceptions
 * (Emscripten rethrows worker errors there, which would kill the process).
 */
function workerPrelude(mainPath: string, channel: string): string {
  return [
    `URL.createObjectURL = function () { return ${JSON.stringify(mainPath)}; };`,
    'URL.revokeObjectURL = function () {};',
    "process.on('uncaughtException', function (e) {",
    `  var ch = new BroadcastChannel(${JSON.stringify(channel)});`,
    '  ch.postMessage(String(e && e.stack || e)); ch.close();',
    '});',
    '',
  ].join('\n');
}

/** Most threads the default asks for: two measured correct (test/harness/threads.test.ts in the lab). */
const DEFAULT_THREADS_MAX = 2;

/**
 * The `threads` of `useBackend('wasm')` when the caller gives none: `ROOTFREE_WASM_THREADS` when
 * set, else min(2, available cores). Throws on a malformed variable, naming it.
 */
export function defaultWasmThreads(): number {
  const raw = process.env.ROOTFREE_WASM_THREADS;
  if (raw !== undefined && raw !== '') {
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 1) throw new RangeError(`ROOTFREE_WASM_THREADS: expected a positive integer, got ${JSON.stringify(raw)}`);
    return n;
  }
  const cores = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
  return Math.max(1, Math.min(DEFAULT_THREADS_MAX, cores));
}

/** Test hook: inject a failure into the shim to exercise the single-thread fallback. */
export const threadsShimFault: { kind: null | 'worker' | 'setup' } = { kind: null };

const isNode = typeof process !== 'undefined' && !!process.versions?.node;

function wasmInitialised(): boolean {
  return (tf.engine() as unknown as { registry: Record<string, unknown> }).registry.wasm != null;
}

/** Threads the wasm backend actually uses, or null when it is not initialised. */
export function wasmThreadsInUse(): number | null {
  try {
    return getThreadsCount();
  } catch {
    return null;
  }
}

interface Shim {
  dir: string;
  /** Rejects when a pthread worker reports an error. */
  failed: Promise<never>;
  restore(): void;
  cleanup(): void;
  /** Stops the workers the failed initialisation started, so they cannot keep the process alive. */
  terminateWorkers(): void;
}

function installShim(threads: number): Shim {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `rootfree-wasm-threads-${process.pid}-`));
  const mainPath = path.join(dir, 'tfjs-backend-wasm-threaded-simd.main.cjs');
  const workerPath = path.join(dir, 'tfjs-backend-wasm-threaded-simd.worker.cjs');
  const texts = new WeakMap<Blob, string>();
  const OriginalBlob = globalThis.Blob;
  const originalCreate = URL.createObjectURL;
  const originalRevoke = URL.revokeObjectURL;
  const originalCpus = os.cpus;
  const osModule = (os as unknown as { default?: typeof os }).default ?? os;
  const channelName = `rootfree-wasm-threads:${dir}`;
  const channel = new BroadcastChannel(channelName);
  const failed = new Promise<never>((_, reject) => {
    channel.onmessage = (e: MessageEvent) => reject(new Error(`pthread worker failed: ${String(e.data).split('\n')[0]}`));
  });
  failed.catch(() => undefined);
  (channel as unknown as { unref?: () => void }).unref?.();
  // Emscripten reads worker_threads.Worker when the module instantiates; record its workers.
  const workerThreads = require('node:worker_threads') as typeof import('node:worker_threads');
  const OriginalWorker = workerThreads.Worker;
  const workers: Array<InstanceType<typeof OriginalWorker>> = [];
  class RecordingWorker extends OriginalWorker {
    constructor(...args: ConstructorParameters<typeof OriginalWorker>) {
      super(...args);
      workers.push(this);
    }

    /**
     * Emscripten refs a worker while its pthread runs, so that Node waits for detached threads.
     * XNNPACK's pool threads run for the life of the module and work only while the main thread
     * waits for them inside a kernel, so that ref only kept finished processes alive. Workers
     * start ref'd (initialisation waits for them) and Emscripten unrefs them once loaded.
     */
    override ref(): void {}
  }
  workerThreads.Worker = RecordingWorker;

  class RecordingBlob extends OriginalBlob {
    constructor(parts?: BlobPart[], options?: BlobPropertyBag) {
      super(parts, options);
      if (parts && parts.every((p) => typeof p === 'string')) {
        const text = (parts as string[]).join('');
        texts.set(this, text);
        if (text.startsWith(MAIN_SCRIPT_MARK)) fs.writeFileSync(mainPath, `${mainPrelude(mainPath)}\n${text}\n`);
      }
    }
  }
  globalThis.Blob = RecordingBlob as typeof Blob;
  URL.createObjectURL = (obj: Blob | MediaSource): string => {
    const text = obj instanceof OriginalBlob ? texts.get(obj) : undefined;
    if (text === undefined) return originalCreate.call(URL, obj as Blob);
    if (text.startsWith(MAIN_SCRIPT_MARK)) return mainPath;
    // The pthread worker script: inside the worker, the Blob of the main script arrives by
    // postMessage and is turned into a URL again; the prelude maps it to the file written above.
    const fault = threadsShimFault.kind === 'worker' ? "throw new Error('injected worker fault');\n" : '';
    fs.writeFileSync(workerPath, workerPrelude(mainPath, channelName) + fault + text);
    return workerPath;
  };
  URL.revokeObjectURL = (url: string): void => {
    if (url !== mainPath && url !== workerPath) originalRevoke.call(URL, url);
  };
  const cores = originalCpus.call(osModule);
  const needed = Math.max(cores.length, 2 * threads);
  const fake = (): os.CpuInfo[] => Array.from({ length: needed }, (_, i) => cores[i % cores.length]);
  osModule.cpus = fake;

  let restored = false;
  const restore = () => {
    if (restored) return;
    restored = true;
    globalThis.Blob = OriginalBlob;
    URL.createObjectURL = originalCreate;
    URL.revokeObjectURL = originalRevoke;
    osModule.cpus = originalCpus;
    workerThreads.Worker = OriginalWorker;
    channel.close();
  };
  const cleanup = () => {
    try {
      fs.rmSync(dir, { recursive: true, force: true });
    } catch {
      // best effort: a leftover temp dir is harmless
    }
  };
  const terminateWorkers = () => {
    for (const w of workers) void w.terminate();
  };
  return { dir, failed, restore, cleanup, terminateWorkers };
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
    t.unref?.();
    p.then((v) => { clearTimeout(t); resolve(v); }, (e) => { clearTimeout(t); reject(e); });
  });
}

/**
 * Initialises the `wasm` backend with `threads` XNNPACK threads when possible. Returns the thread
 * count the backend ended up with (1 after any failure, with a warning), or 0 when it left the
 * backend uninitialised for the caller to initialise single-threaded. Never throws.
 */
export async function setupWasmThreads(threads: number, warn: (m: string) => void, explicit = true): Promise<number> {
  if (wasmInitialised()) {
    const inUse = wasmThreadsInUse() ?? 1;
    // A default is only a preference: whoever initialised wasm first chose the build.
    if (inUse < threads && explicit) {
      warn(`the wasm backend is already initialised with ${inUse} thread(s); a process can initialise only one wasm build, so it continues with ${inUse}. Call useBackend('wasm', {threads}) before any other tfjs use.`);
    }
    return inUse;
  }
  if (!isNode) {
    // Browsers: tfjs detects SharedArrayBuffer support (cross-origin isolation) by itself.
    setThreadsCount(threads);
    return 0;
  }
  let shim: Shim | null = null;
  try {
    shim = installShim(threads);
    if (threadsShimFault.kind === 'setup') throw new Error('injected setup fault');
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', true);
    setThreadsCount(threads);
    const ok = await withTimeout(Promise.race([tf.setBackend('wasm'), shim.failed]), INIT_TIMEOUT_MS);
    if (!ok) throw new Error('tf.setBackend returned false');
    const got = getThreadsCount();
    if (got !== threads) warn(`wasm threads: asked for ${threads}, XNNPACK uses ${got}`);
    return got;
  } catch (e) {
    warn(`could not start ${threads} wasm threads (${(e as Error)?.message ?? e}); continuing with 1 thread`);
    if (!wasmInitialised()) shim?.terminateWorkers();
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
    setThreadsCount(1);
    if (wasmInitialised()) return wasmThreadsInUse() ?? 1;
    return 0;
  } finally {
    shim?.restore();
    // The pool of 8 pthread workers has loaded both scripts during initialisation.
    shim?.cleanup();
  }
}
