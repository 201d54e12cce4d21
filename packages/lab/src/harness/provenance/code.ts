import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { packageDir } from '../data/packages.js';
import { hashFiles, sha256 } from './hash.js';

/** The lab package's directory (src/ or dist/ sit one level below it). */
export const LAB_DIR = fileURLToPath(new URL('../../../', import.meta.url));

function git(args: string[], cwd: string): string | undefined {
  try {
    return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return undefined;
  }
}

function version(dir: string): string {
  return (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string }).version;
}

export interface GitInfo {
  commit: string;
  /** Tracked files differ from the commit (untracked files, e.g. run outputs, do not count). */
  dirty: boolean;
  root: string;
}

let gitCache: GitInfo | null | undefined;

/**
 * The rootfree repository the lab runs from, or null: only when this lab package IS the checkout's
 * `packages/lab` — never a repository that merely encloses a copy of it (an npm install inside a
 * user's project, or a frozen snapshot of the build kept inside the checkout, whose code is not
 * the checkout's HEAD).
 */
export function gitInfo(): GitInfo | null {
  if (gitCache !== undefined) return gitCache;
  const root = git(['rev-parse', '--show-toplevel'], LAB_DIR);
  const isCheckout = !!root && resolve(root, 'packages', 'lab') === resolve(LAB_DIR);
  const commit = isCheckout ? git(['rev-parse', 'HEAD'], root) : undefined;
  gitCache = root && commit ? { commit, dirty: (git(['status', '--porcelain', '--untracked-files=no'], root) ?? '') !== '', root } : null;
  return gitCache;
}

export interface CodeVersion {
  'rootfree-lab': string;
  rootfree: string;
  /**
   * 16 hex digits of SHA-256 over the JavaScript this process runs (every `.js` file under the lab's
   * and the library's `dist/`, with its path): identifies a build wherever it is copied, and
   * changes with any code change, committed or not. Null when the lab runs from its TypeScript
   * sources (tests), where {@link commit} identifies the code instead.
   */
  build: string | null;
  /** Git commit of the checkout when the lab runs from its sources there; null otherwise. */
  commit: string | null;
}

/** `.js` files under `dir`, recursively, as paths relative to `dir` (with /), in a fixed order. */
function jsFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const byName = (a: { name: string }, b: { name: string }) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
  return readdirSync(dir, { withFileTypes: true })
    .sort(byName)
    .flatMap((e) => (e.isDirectory() ? jsFiles(join(dir, e.name)).map((f) => `${e.name}/${f}`) : e.name.endsWith('.js') ? [e.name] : []));
}

/** 16 hex digits of {@link hashFiles} over the `.js` files of each package's `dist/`, named `<package>/<path>`. */
export function buildHash(packages: Record<string, string>): string {
  const files = Object.entries(packages).flatMap(([name, dir]) => jsFiles(join(dir, 'dist')).map((f) => ({ name: `${name}/${f}`, path: join(dir, 'dist', f) })));
  return hashFiles(files).slice(0, 16);
}

/** True when this module was loaded from the lab's compiled `dist/` (not from `src/` through a TypeScript loader). */
export const RUNS_FROM_DIST = fileURLToPath(import.meta.url).startsWith(join(LAB_DIR, 'dist') + sep);

let codeCache: CodeVersion | undefined;

/**
 * What identifies the code in a run key: both package versions and the build hash (compiled code),
 * or the checkout's commit when running from sources. Not the commit for compiled code: a frozen
 * copy of a build must keep its keys (and so resume its runs) while the checkout moves on.
 */
export function codeVersion(): CodeVersion {
  if (!codeCache) {
    const lib = packageDir('rootfree');
    codeCache = {
      'rootfree-lab': version(LAB_DIR),
      rootfree: version(lib),
      build: RUNS_FROM_DIST ? buildHash({ 'rootfree-lab': LAB_DIR, rootfree: lib }) : null,
      commit: RUNS_FROM_DIST ? null : (gitInfo()?.commit ?? null),
    };
  }
  return codeCache;
}

/** SHA-256 of the nearest package-lock.json above the lab package (the repository's, or the installing project's). */
export function lockfileHash(): { path: string; sha256: string } | null {
  let dir = dirname(LAB_DIR);
  for (;;) {
    const p = join(dir, 'package-lock.json');
    if (existsSync(p)) return { path: p, sha256: sha256(readFileSync(p)) };
    const up = dirname(dir);
    if (up === dir) return null;
    dir = up;
  }
}

export function packageVersion(name: string): string | null {
  try {
    return version(packageDir(name));
  } catch {
    return null;
  }
}
