// The CLI from source, for tests that start coordinators and workers as processes (run with `node --import tsx` from the repo root).
import { main } from '../../../src/cli/main.js';

main(process.argv.slice(2)).then(
  (code) => process.exit(code ?? 0),
  (err: Error) => {
    console.error(`rootfree: ${err.message}`);
    process.exit(1);
  },
);
