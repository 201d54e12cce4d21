import { renameSync, writeFileSync } from 'node:fs';

/** Writes via a temporary file and a rename, so a reader never sees a half-written file. */
export function writeAtomic(path: string, text: string): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, text);
  renameSync(tmp, path);
}
