/**
 * `#wasm-threads` outside Node. tfjs-wasm picks its threaded build by itself on a
 * cross-origin-isolated page (SharedArrayBuffer available); nothing can force it elsewhere.
 */
/** Browsers: 1 unless asked (tfjs-wasm sizes its own pool on isolated pages). */
export function defaultWasmThreads(): number {
  return 1;
}

export async function setupWasmThreads(threads: number, warn: (message: string) => void, explicit = true): Promise<number> {
  if (!explicit) return 1;
  const isolated = (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true;
  if (!isolated) {
    warn(`wasm threads: this page is not cross-origin isolated (COOP/COEP headers), so tfjs-wasm runs single-threaded; asked for ${threads}`);
    return 1;
  }
  warn(`wasm threads: in a browser tfjs-wasm sizes its own thread pool; call setThreadsCount(${threads}) from @tensorflow/tfjs-backend-wasm before useBackend to choose it`);
  return threads;
}
