/**
 * Imports an optional peer (a tfjs backend) by a name bundlers cannot see: a literal
 * `import('@tensorflow/tfjs-backend-wasm')` would make every bundle of rootfree fail to build
 * when that backend is not installed. In a browser bundle the import fails at run time, and the
 * caller's error tells the user to import the backend themselves.
 */
export function importOptional(specifier: string): Promise<unknown> {
  return import(/* webpackIgnore: true */ /* @vite-ignore */ specifier);
}
