#!/usr/bin/env node
// Runs the compiled CLI (dist/ is built by `npm run build`, which `npm ci` runs via `prepare`).
const fail = (message) => {
  console.error(`rootfree: ${message}`);
  process.exit(1);
};

let main;
try {
  ({ main } = await import('../dist/cli/main.js'));
} catch (err) {
  if (err && err.code === 'ERR_MODULE_NOT_FOUND' && String(err.message).includes('dist')) {
    fail(`the CLI is not built (${err.message}); run \`npm run build\` in the rootfree package first`);
  }
  throw err;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code ?? 0),
  (err) => fail(err && err.message ? err.message : String(err)),
);
