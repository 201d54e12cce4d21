import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);

/** The installed directory of an npm package (found via its package.json, not its helpers). */
export function packageDir(name: string): string {
  try {
    return dirname(require.resolve(`${name}/package.json`));
  } catch {
    // Packages with an `exports` map may hide package.json: walk up from the main entry.
    let dir = dirname(require.resolve(name));
    while (!existsSync(join(dir, 'package.json'))) {
      const up = dirname(dir);
      if (up === dir) throw new Error(`cannot locate the installed package '${name}'`);
      dir = up;
    }
    return dir;
  }
}
