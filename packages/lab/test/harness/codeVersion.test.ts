/**
 * The code identity in run keys. A copied build (a study snapshot kept inside the checkout, or an
 * install inside someone's repository) must be identified by its own code, not by the HEAD of the
 * repository around it: otherwise every commit there changes the keys, finished runs are no longer
 * reused, unfinished ones restart, and result.json names code that did not run.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { buildHash } from '../../src/harness/provenance/code.js';
import type { RunResult } from '../../src/harness/train/run.js';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');
const dirs: string[] = [];
const tmp = (p: string) => {
  const d = mkdtempSync(join(tmpdir(), p));
  dirs.push(d);
  return d;
};
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('buildHash', () => {
  it('covers the .js files of each dist/ by path and content, nothing else', () => {
    const d = tmp('rootfree-build-');
    const put = (p: string, s: string) => {
      mkdirSync(dirname(join(d, p)), { recursive: true });
      writeFileSync(join(d, p), s);
    };
    put('lab/dist/a.js', 'a');
    put('lab/dist/sub/b.js', 'b');
    put('lab/dist/a.js.map', 'map');
    put('lib/dist/c.js', 'c');
    const h = () => buildHash({ lab: join(d, 'lab'), lib: join(d, 'lib') });
    const h0 = h();
    expect(h0).toMatch(/^[0-9a-f]{16}$/);
    put('lab/dist/a.js.map', 'other map');
    put('lab/dist/a.d.ts', 'types');
    expect(h()).toBe(h0);
    put('lab/dist/sub/b.js', 'b2');
    expect(h()).not.toBe(h0);
    put('lab/dist/sub/b.js', 'b');
    expect(h()).toBe(h0);
    rmSync(join(d, 'lib/dist/c.js'));
    put('lib/dist/d.js', 'c'); // same bytes under another name
    expect(h()).not.toBe(h0);
  });
});

describe('a copied build inside another git repository (a study snapshot)', () => {
  it('keys runs by its own build, not the enclosing HEAD: a new commit there still reuses the finished run', () => {
    const root = tmp('rootfree-snaprepo-');
    const git = (...a: string[]) => execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', ...a], { cwd: root, stdio: 'ignore' });
    // The enclosing repository looks like a rootfree checkout (it has packages/lab/package.json).
    mkdirSync(join(root, 'packages', 'lab'), { recursive: true });
    writeFileSync(join(root, 'packages', 'lab', 'package.json'), '{"name":"rootfree-lab","version":"0.0.0"}');
    git('init', '-q');
    git('add', '-A');
    git('commit', '-qm', 'one');
    // The snapshot: built lab + library copied below it; dependencies linked from this repository.
    const snap = join(root, 'snap');
    for (const p of ['bin', 'dist', 'package.json']) cpSync(join(repo, 'packages', 'lab', p), join(snap, 'packages', 'lab', p), { recursive: true });
    for (const p of ['dist', 'package.json']) cpSync(join(repo, 'packages', 'rootfree', p), join(snap, 'node_modules', 'rootfree', p), { recursive: true });
    for (const n of readdirSync(join(repo, 'node_modules'))) {
      if (n !== 'rootfree' && n !== 'rootfree-lab' && !n.startsWith('.')) symlinkSync(join(repo, 'node_modules', n), join(snap, 'node_modules', n));
    }
    const out = join(root, 'out');
    writeFileSync(join(root, 'none.json'), '{}');
    const run = () =>
      execFileSync(process.execPath, [join(snap, 'packages', 'lab', 'bin', 'rootfree.js'), 'compare', '--task', 'mnist-mlp', '--optimizers', 'sgd', '--seeds', '1', '--epochs', '1', '--train-subset', '64', '--val-subset', '64', '--test-subset', '64', '--jobs', '1', '--backend', 'cpu', '--hparams', join(root, 'none.json'), '--out', out], { cwd: root, encoding: 'utf8', timeout: 120_000 });
    expect(run()).toMatch(/1 runs trained, 0 finished runs reused/);
    const dir = join(out, 'runs', 'sgd', 'seed1');
    const [key] = readdirSync(dir);
    const res = JSON.parse(readFileSync(join(dir, key, 'result.json'), 'utf8')) as RunResult;
    expect(res.config!.code).toEqual({ 'rootfree-lab': expect.any(String), rootfree: expect.any(String), build: expect.stringMatching(/^[0-9a-f]{16}$/), commit: null });
    expect(res.meta!.commit).toBeNull();
    expect(res.meta!.build).toBe(res.config!.code.build);
    git('commit', '-q', '--allow-empty', '-m', 'two');
    expect(run()).toMatch(/0 runs trained, 1 finished runs reused/);
  }, 240_000);
});
