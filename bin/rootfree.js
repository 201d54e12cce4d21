#!/usr/bin/env node
import { main } from '../dist/cli/main.js';

main(process.argv.slice(2)).then(
  (code) => process.exit(code ?? 0),
  (err) => {
    console.error(`rootfree: ${err && err.message ? err.message : err}`);
    process.exit(1);
  },
);
