import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { packageDir } from '../data/packages.js';
import { sha256 } from './hash.js';

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

/** The rootfree repository the lab runs from, or null (an npm install, or no git): never a user's enclosing repository. */
export function gitInfo(): GitInfo | null {
  if (gitCache !== undefined) return gitCache;
  const root = git(['rev-parse', '--show-toplevel'], LAB_DIR);
  const commit = root && existsSync(join(root, 'packages', 'lab', 'package.json')) ? git(['rev-parse', 'HEAD'], root) : undefined;
  gitCache = root && commit ? { commit, dirty: (git(['status', '--porcelain', '--untracked-files=no'], root) ?? '') !== '', root } : null;
  return gitCache;
}

export interface CodeVersion {
  'rootfree-lab': string;
  rootfree: string;
  /** Git commit of the checkout, null when not run from one. */
  commit: string | null;
}

let codeCache: CodeVersion | undefined;

/** What identifies the code in a run key: both package versions and the commit when available. */
export function codeVersion(): CodeVersion {
  codeCache ??= { 'rootfree-lab': version(LAB_DIR), rootfree: version(packageDir('rootfree')), commit: gitInfo()?.commit ?? null };
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
