import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Repository root (this file is packages/lab/test/conformance/vectors.ts). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');

/**
 * The golden vectors live next to the checkout (`<repo>/../shared/vectors`). A missing folder is
 * an error, not a skip: a green run must mean the goldens were actually replayed.
 */
export function vectorsDir(): string {
  if (process.env.ROOTFREE_VECTORS) {
    const dir = resolve(process.env.ROOTFREE_VECTORS);
    if (!existsSync(dir)) throw new Error(`ROOTFREE_VECTORS=${dir} does not exist`);
    return dir;
  }
  const tried = [resolve(REPO_ROOT, '..', 'shared', 'vectors')];
  // A clone of a local checkout (CI: `git clone /work/main /tmp/x`): next to the origin checkout.
  const origin = gitOrigin();
  if (origin) tried.push(resolve(origin, '..', 'shared', 'vectors'));
  const found = tried.find((d) => existsSync(d));
  if (!found) {
    throw new Error(`golden vectors not found; looked in ${tried.join(', ')} (../shared/vectors relative to the repo root ${REPO_ROOT} or to its local origin). Set ROOTFREE_VECTORS=<folder> to point at them.`);
  }
  return found;
}

function gitOrigin(): string | null {
  try {
    const url = execFileSync('git', ['-C', REPO_ROOT, 'config', '--get', 'remote.origin.url'], { encoding: 'utf8' }).trim();
    const path = url.startsWith('file://') ? fileURLToPath(url) : url;
    return isAbsolute(path) && existsSync(path) ? path : null;
  } catch {
    return null;
  }
}
