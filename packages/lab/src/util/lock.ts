import { linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';

export interface LockInfo {
  pid: number;
  host: string;
  /** ISO time the lock was taken. */
  started: string;
  command: string;
}

export const LOCK_FILE = 'rootfree.lock';

export class LockError extends Error {
  override name = 'LockError';
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: the process exists but belongs to someone else.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readLock(path: string): LockInfo | null {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as LockInfo;
  } catch {
    return null;
  }
}

/**
 * Takes `<dir>/rootfree.lock` (created exclusively) so two processes never write one output
 * directory at once. A lock left by a dead process on this host is stale and replaced (`onStale`
 * is told); a live one, or one from another host (its pid cannot be checked), is an error naming
 * the holder. Returns the release function (also run at process exit).
 */
export function acquireLock(dir: string, command: string, onStale: (s: string) => void = () => {}): () => void {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, LOCK_FILE);
  const me: LockInfo = { pid: process.pid, host: hostname(), started: new Date().toISOString(), command };
  // Written in full to a private file, then hard-linked into place: link() fails if the lock exists,
  // and the lock never appears empty or half-written (as with create-then-write).
  const tmp = `${path}.${process.pid}.${Date.now()}`;
  writeFileSync(tmp, JSON.stringify(me));
  try {
    acquire(path, me, tmp, dir, onStale);
  } finally {
    rmSync(tmp, { force: true });
  }
  let released = false;
  const release = (): void => {
    if (released) return;
    released = true;
    process.off('exit', release);
    const held = readLock(path);
    if (held && held.pid === me.pid && held.started === me.started) rmSync(path, { force: true });
  };
  process.on('exit', release);
  return release;
}

function acquire(path: string, me: LockInfo, tmp: string, dir: string, onStale: (s: string) => void): void {
  for (let attempt = 0; ; attempt++) {
    try {
      linkSync(tmp, path);
      return;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) throw e;
      const held = readLock(path);
      if (held && held.host === me.host && Number.isInteger(held.pid) && !alive(held.pid)) {
        onStale(`removed a stale lock ${path} (pid ${held.pid} on ${held.host}, started ${held.started}, is no longer running)`);
        rmSync(path, { force: true });
        continue;
      }
      const who = held ? `pid ${held.pid} on host ${held.host} since ${held.started} (${held.command})` : 'an unreadable lock file';
      throw new LockError(
        `${dir} is in use by ${who}.\n` +
          `Wait for it to finish or use another --out. If that process is gone${held && held.host !== me.host ? ' (it ran on another host, so its pid cannot be checked here)' : ''}, delete ${path}.`,
      );
    }
  }
}
