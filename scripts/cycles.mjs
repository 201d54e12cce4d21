// Lists import cycles among the TypeScript sources of both packages (relative imports, `import type` included).
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

const roots = process.argv.slice(2).length ? process.argv.slice(2) : ['packages/rootfree/src', 'packages/lab/src'];
const files = [];
const walk = (d) => {
  for (const f of readdirSync(d)) {
    const p = join(d, f);
    if (statSync(p).isDirectory()) walk(p);
    else if (p.endsWith('.ts') && !p.endsWith('.d.ts')) files.push(resolve(p));
  }
};
roots.forEach(walk);
const graph = new Map();
for (const f of files) {
  const src = readFileSync(f, 'utf8');
  const deps = [...src.matchAll(/(?:import|export)[^'"]*?from\s+['"](\.[^'"]+)['"]|import\(\s*['"](\.[^'"]+)['"]\s*\)/g)]
    .map((m) => resolve(dirname(f), (m[1] ?? m[2]).replace(/\.js$/, '.ts')))
    .filter((p) => graph.has(p) || files.includes(p));
  graph.set(f, deps);
}
const cycles = [];
const state = new Map();
const stack = [];
const visit = (f) => {
  state.set(f, 1);
  stack.push(f);
  for (const d of graph.get(f) ?? []) {
    if (state.get(d) === 1) cycles.push(stack.slice(stack.indexOf(d)).concat(d));
    else if (!state.has(d)) visit(d);
  }
  stack.pop();
  state.set(f, 2);
};
files.forEach((f) => state.has(f) || visit(f));
const rel = (p) => p.slice(process.cwd().length + 1);
for (const c of cycles) console.log(c.map(rel).join(' -> '));
console.log(`${cycles.length} import cycle(s) in ${files.length} files`);
process.exit(cycles.length ? 1 : 0);
