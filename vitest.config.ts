import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const src = (p: string): string => fileURLToPath(new URL(`./packages/rootfree/src/${p}`, import.meta.url));

export default defineConfig({
  resolve: {
    // Tests run the library from source; the built package is what the consumer suite tests.
    alias: [
      { find: /^rootfree$/, replacement: src('index.ts') },
      { find: /^rootfree\/internal$/, replacement: src('internal.ts') },
      { find: /^#wasm-threads$/, replacement: src('backend/wasmThreads.ts') },
    ],
  },
  test: {
    include: ['packages/*/test/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // The suite runs two forks on two cores: keep each single-threaded (the library's Node default
    // is 2 wasm threads). Thread tests ask for their thread counts explicitly, in child processes.
    env: { ROOTFREE_WASM_THREADS: '1' },
    pool: 'forks',
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
  },
});
