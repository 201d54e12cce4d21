import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', 'runs/**', 'results/**', 'test/docs/.generated/**', '.tmp/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      // tfjs internals (backend storage, registeredVariables) are untyped; `any` is confined to adapters.
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-constant-condition': ['error', { checkLoops: false }],
    },
  },
  {
    // The consumer suite's CommonJS fixture exercises `require('rootfree')` on purpose.
    files: ['**/*.cjs'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['**/*.mjs', '**/*.js', '**/*.cjs'],
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
  },
  {
    // CommonJS on purpose (the consumer suite checks `require('rootfree')`).
    files: ['**/*.cjs'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // The library's main path runs in browsers: Node's globals and modules are not there.
    files: ['packages/rootfree/src/**/*.ts'],
    ignores: ['packages/rootfree/src/backend/wasmThreads.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['node:*'], message: 'The library must not import Node modules on its main path (see #wasm-threads for the Node-only shim).' }] }],
    },
  },
);
