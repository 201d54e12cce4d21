/**
 * tfjs-wasm's Emscripten glue, when it initialises in Node, adds process-wide
 * `uncaughtException` and `unhandledRejection` listeners that rethrow. Rethrowing inside such a
 * listener makes Node exit with code 7 ("internal exception handler failure") and print the whole
 * minified module source instead of the error, for every unhandled error in the process, wasm-
 * related or not. A library must not change how the host process reports errors, so `useBackend`
 * removes exactly the listeners that appeared while the wasm module initialised.
 */
type Listener = (...args: unknown[]) => void;
interface ProcessEvents {
  listeners(event: string): Listener[];
  removeListener(event: string, l: Listener): void;
}

const EVENTS = ['uncaughtException', 'unhandledRejection'] as const;

function proc(): ProcessEvents | null {
  const p = (globalThis as { process?: Partial<ProcessEvents> }).process;
  return p && typeof p.listeners === 'function' && typeof p.removeListener === 'function' ? (p as ProcessEvents) : null;
}

/** Snapshot of the current listeners; `restore()` removes every listener added since. */
export function guardProcessListeners(): { restore(): void } {
  const p = proc();
  if (!p) return { restore: () => undefined };
  const before = new Map(EVENTS.map((e) => [e, new Set(p.listeners(e))]));
  return {
    restore() {
      for (const e of EVENTS) {
        for (const l of p.listeners(e)) if (!before.get(e)!.has(l)) p.removeListener(e, l);
      }
    },
  };
}
