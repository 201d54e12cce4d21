// `npm run demo`: builds the demo into packages/demo/dist (esbuild, from the library's built dist)
// and serves it on 127.0.0.1, printing the URL. `buildDemo(out)` is also used by the browser test.
import { copyFileSync, cpSync, existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, '..', '..');

export async function buildDemo(out) {
  if (!existsSync(join(ROOT, 'packages/rootfree/dist/index.js'))) throw new Error('packages/rootfree/dist is missing: run `npm run build -w rootfree` first');
  rmSync(out, { recursive: true, force: true });
  mkdirSync(join(out, 'wasm'), { recursive: true });
  await esbuild.build({
    entryPoints: [join(HERE, 'src/main.ts')],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    outfile: join(out, 'main.js'),
    logLevel: 'warning',
    tsconfigRaw: '{}',
  });
  copyFileSync(join(HERE, 'index.html'), join(out, 'index.html'));
  cpSync(join(HERE, 'data'), join(out, 'data'), { recursive: true });
  const wasmDir = join(ROOT, 'node_modules/@tensorflow/tfjs-backend-wasm/dist');
  for (const f of readdirSync(wasmDir).filter((f) => f.endsWith('.wasm'))) copyFileSync(join(wasmDir, f), join(out, 'wasm', f));
  return out;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { serve } = await import('../../test/browser/serve.mjs');
  const out = await buildDemo(join(HERE, 'dist'));
  const port = Number(process.env.PORT ?? 0);
  const server = await serve({ '/': out }, port);
  console.log(`rootfree demo: ${server.url}  (Ctrl-C to stop)`);
}
