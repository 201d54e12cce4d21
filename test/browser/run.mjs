// `npm run test:browser`: bundles test/browser/page.ts with esbuild from the library's built dist
// (so this also proves rootfree bundles for the browser), serves it on 127.0.0.1, and runs it in
// Debian's headless Chromium (SwiftShader for webgl and webgpu) through puppeteer-core. Then the
// demo page is loaded, trained a few steps on webgl and screenshotted (docs/img/demo.png).
// Prints one line per check and 'N passed, M failed'; exits 1 on any failure.
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import puppeteer from 'puppeteer-core';
import { serve } from './serve.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const SUITE_TIMEOUT_MS = Number(process.env.ROOTFREE_BROWSER_TIMEOUT_MS ?? 40 * 60_000);
const DEMO_TIMEOUT_MS = 5 * 60_000;

export function chromiumPath() {
  const candidates = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'].filter(Boolean);
  const found = candidates.find((p) => existsSync(p));
  if (!found) throw new Error(`no Chromium found (tried ${candidates.join(', ')}); install Debian's 'chromium' or set CHROMIUM_PATH`);
  return found;
}

/** SwiftShader for webgl (ANGLE) and webgpu (Dawn's Vulkan SwiftShader adapter), headless. */
export const CHROMIUM_ARGS = [
  '--headless=new',
  '--no-sandbox',
  '--use-angle=swiftshader',
  '--enable-unsafe-swiftshader',
  '--enable-unsafe-webgpu',
  '--enable-features=Vulkan,WebGPU',
  '--use-webgpu-adapter=swiftshader',
  '--disable-dev-shm-usage',
];

export function vectorsDir() {
  if (process.env.ROOTFREE_VECTORS) {
    const dir = resolve(process.env.ROOTFREE_VECTORS);
    if (!existsSync(dir)) throw new Error(`ROOTFREE_VECTORS=${dir} does not exist`);
    return dir;
  }
  const tried = [resolve(ROOT, '..', 'shared', 'vectors')];
  try {
    const url = execFileSync('git', ['-C', ROOT, 'config', '--get', 'remote.origin.url'], { encoding: 'utf8' }).trim();
    const origin = url.startsWith('file://') ? fileURLToPath(url) : url;
    if (isAbsolute(origin)) tried.push(resolve(origin, '..', 'shared', 'vectors'));
  } catch {
    // no origin: only the first place counts
  }
  const found = tried.find((d) => existsSync(d));
  if (!found) throw new Error(`golden vectors not found in ${tried.join(', ')}; set ROOTFREE_VECTORS=<folder>`);
  return found;
}

function withTimeout(promise, ms, what) {
  let timer;
  const limit = new Promise((_, fail) => (timer = setTimeout(() => fail(new Error(`${what} timed out after ${ms / 1000} s`)), ms)));
  return Promise.race([promise, limit]).finally(() => clearTimeout(timer));
}

/**
 * The page reuses the lab's golden-file helpers (tolerances, parameter views), whose module also
 * reads files with node:fs in functions the page never calls: those imports become stubs that throw.
 */
const nodeStub = {
  name: 'node-stub',
  setup(build) {
    build.onResolve({ filter: /^node:/ }, (a) => ({ path: a.path, namespace: 'node-stub' }));
    build.onLoad({ filter: /.*/, namespace: 'node-stub' }, () => ({
      contents: 'const no = () => { throw new Error("not in a browser"); }; export const readFileSync = no, readdirSync = no, statSync = no, join = no, dirname = no, resolve = no; export default {};',
      loader: 'js',
    }));
  },
};

async function buildSuite(out) {
  if (!existsSync(join(ROOT, 'packages/rootfree/dist/index.js'))) throw new Error('packages/rootfree/dist is missing: run `npm run build -w rootfree` first');
  await esbuild.build({
    entryPoints: [join(ROOT, 'test/browser/page.ts')],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    outfile: join(out, 'page.js'),
    logLevel: 'warning',
    // `rootfree` resolves through node_modules to the built package (its exports map → dist).
    conditions: ['browser'],
    // Not the repo's tsconfig: its paths point `rootfree` at the sources; a user bundles the package.
    tsconfigRaw: '{}',
    plugins: [nodeStub],
  });
  writeFileSync(join(out, 'index.html'), '<!doctype html><meta charset="utf-8"><title>rootfree browser tests</title><link rel="icon" href="data:,"><script type="module" src="page.js"></script>\n');
  mkdirSync(join(out, 'wasm'));
  const wasmDir = join(ROOT, 'node_modules/@tensorflow/tfjs-backend-wasm/dist');
  for (const f of readdirSync(wasmDir).filter((f) => f.endsWith('.wasm'))) copyFileSync(join(wasmDir, f), join(out, 'wasm', f));
}

async function main() {
  const vectors = vectorsDir();
  // Top level, v2/ (diagonal methods, IF-Shampoo, Distributed Shampoo) and v3/ (SINGD, Muon).
  const sets = (process.env.ROOTFREE_BROWSER_VECTOR_SETS ?? '.,v2,v3').split(',').filter(Boolean);
  const files = process.env.ROOTFREE_BROWSER_VECTORS === '0' ? [] : sets.flatMap((set) =>
    readdirSync(join(vectors, set)).filter((f) => f.endsWith('.json')).map((f) => (set === '.' ? `vectors/${f}` : `vectors/${set}/${f}`)),
  );
  const out = mkdtempSync(join(tmpdir(), 'rootfree-browser-'));
  const demoOut = join(out, 'demo');
  let server = null;
  let browser = null;
  const results = [];
  try {
    await buildSuite(out);
    const demo = process.env.ROOTFREE_BROWSER_DEMO !== '0';
    if (demo) await (await import('../../packages/demo/build.mjs')).buildDemo(demoOut);
    server = await serve({ '/vectors/': vectors, '/demo/': demoOut, '/': out });
    browser = await puppeteer.launch({ executablePath: chromiumPath(), headless: true, args: CHROMIUM_ARGS, protocolTimeout: SUITE_TIMEOUT_MS + 60_000 });
    const page = await browser.newPage();
    page.on('pageerror', (e) => console.log(`[page error] ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warn') console.log(`[page ${m.type()}] ${m.text()}`);
    });
    const only = process.env.ROOTFREE_BROWSER_OPTIMIZERS;
    await withTimeout(page.goto(only ? `${server.url}?optimizers=${encodeURIComponent(only)}` : server.url, { waitUntil: 'load' }), 60_000, 'loading the test page');
    await withTimeout(page.waitForFunction(() => typeof window.rootfreeSuite === 'function', { timeout: 60_000 }), 70_000, 'the test bundle');
    const backends = (process.env.ROOTFREE_BROWSER_BACKENDS ?? 'cpu,wasm,webgl,webgpu').split(',').filter(Boolean);
    // cpu first: the others are compared with it where the lab's mapping has gaps.
    const checks = backends.length === 0 ? [] : await withTimeout(
      page.evaluate((config) => window.rootfreeSuite(config), { backends, vectors: files, wasmPath: `${server.url}wasm/` }),
      SUITE_TIMEOUT_MS,
      'the browser suite',
    );
    results.push(...checks);
    await page.close();
    if (demo) results.push(...(await demoChecks(browser, `${server.url}demo/`)));
  } catch (e) {
    results.push({ backend: '-', name: 'browser run', ok: false, detail: e instanceof Error ? e.message : String(e) });
  } finally {
    await browser?.close().catch(() => undefined);
    await server?.close();
    rmSync(out, { recursive: true, force: true });
  }
  for (const r of results) console.log(`${r.ok ? 'PASS' : 'FAIL'} [${r.backend}] ${r.name}: ${r.detail}`);
  const failed = results.filter((r) => !r.ok).length;
  console.log(`\nbrowser: ${results.length - failed} passed, ${failed} failed`);
  process.exit(failed === 0 && results.length > 0 ? 0 : 1);
}

/** Loads the demo, trains a few steps on webgl, checks the curves moved, saves the screenshot. */
async function demoChecks(browser, url) {
  const page = await browser.newPage();
  const checks = [];
  const add = (name, ok, detail) => checks.push({ backend: 'webgl', name: `demo: ${name}`, ok, detail });
  try {
    await page.setViewport({ width: 1280, height: 900 });
    await withTimeout(page.goto(`${url}?backend=webgl&task=spiral&precision=bfloat16&steps=40&autostart=1`, { waitUntil: 'load' }), 60_000, 'loading the demo');
    const state = await withTimeout(
      page.waitForFunction(() => window.demoState && window.demoState.done && window.demoState, { timeout: DEMO_TIMEOUT_MS, polling: 500 }).then((h) => h.jsonValue()),
      DEMO_TIMEOUT_MS + 10_000,
      'the demo training',
    );
    add('runs on webgl', state.backend === 'webgl', `backend ${state.backend}`);
    for (const run of state.runs) {
      const pts = run.loss.length;
      const moved = pts >= 2 && run.loss[0] !== run.loss[pts - 1];
      add(`${run.name} curve updates`, moved || run.failed, `${pts} loss points, first ${run.loss[0]?.toFixed(4)}, last ${run.loss[pts - 1]?.toFixed(4)}${run.failed ? `, failed: ${run.failed}` : ''}`);
    }
    const ifs = state.runs.find((r) => r.name === 'IF-Shampoo');
    const sh = state.runs.find((r) => r.name === 'Shampoo');
    add('IF-Shampoo trains in bf16', !!ifs && !ifs.failed && ifs.loss[ifs.loss.length - 1] < ifs.loss[0], ifs ? `loss ${ifs.loss[0]?.toFixed(4)} → ${ifs.loss[ifs.loss.length - 1]?.toFixed(4)}` : 'missing');
    add('Shampoo (Newton root) fails in bf16', !!sh && !!sh.failed, sh ? `failed: ${sh.failed || 'no'}` : 'missing');
    // fp32 on the same page: both Kronecker methods train, so the bf16 failure is bf16's.
    await withTimeout(page.goto(`${url}?backend=webgl&task=spiral&precision=float32&steps=20&optimizers=IF-Shampoo,Shampoo&autostart=1`, { waitUntil: 'load' }), 60_000, 'loading the demo (fp32)');
    const fp32 = await withTimeout(
      page.waitForFunction(() => window.demoState && window.demoState.done && window.demoState, { timeout: DEMO_TIMEOUT_MS, polling: 500 }).then((h) => h.jsonValue()),
      DEMO_TIMEOUT_MS + 10_000,
      'the demo training (fp32)',
    );
    for (const run of fp32.runs) add(`${run.name} trains in fp32`, !run.failed && run.loss[run.loss.length - 1] < run.loss[0], `loss ${run.loss[0]?.toFixed(4)} → ${run.loss[run.loss.length - 1]?.toFixed(4)}${run.failed ? `, failed: ${run.failed}` : ''}`);
    // The screenshot shows the bf16 run (the paper's point).
    await withTimeout(page.goto(`${url}?backend=webgl&task=spiral&precision=bfloat16&steps=40&autostart=1`, { waitUntil: 'load' }), 60_000, 'reloading the demo');
    await withTimeout(page.waitForFunction(() => window.demoState && window.demoState.done, { timeout: DEMO_TIMEOUT_MS, polling: 500 }), DEMO_TIMEOUT_MS + 10_000, 'the demo training (again)');
    const png = join(ROOT, 'docs/img/demo.png');
    mkdirSync(dirname(png), { recursive: true });
    await page.screenshot({ path: png });
    add('screenshot saved', existsSync(png), png);
  } catch (e) {
    add('demo', false, e instanceof Error ? e.message : String(e));
  } finally {
    await page.close().catch(() => undefined);
  }
  return checks;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
