import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

export function sha256(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** SHA-256 over files, each framed by its name and length, so renaming or moving bytes between files changes it. */
export function hashFiles(files: Array<{ name: string; path: string }>): string {
  const h = createHash('sha256');
  for (const f of files) {
    const bytes = readFileSync(f.path);
    h.update(`${f.name}\0${bytes.length}\0`);
    h.update(bytes);
  }
  return h.digest('hex');
}

/** JSON with object keys sorted at every level: equal values give equal text whatever the insertion order. */
export function canonicalJson(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) =>
    x && typeof x === 'object' && !Array.isArray(x) ? Object.fromEntries(Object.entries(x as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : x,
  );
}
