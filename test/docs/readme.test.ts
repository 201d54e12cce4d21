/**
 * The code examples of README.md and docs/*.md are part of the API contract: every fenced ```ts
 * block that imports 'rootfree' must carry a `// readme-example: <name>` marker, and each marked
 * block is type-checked against src/ and then executed (with 'rootfree' rewritten to the src
 * entry), so an example that drifts from the API fails here.
 */
import * as tf from '@tensorflow/tfjs-core';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from 'rootfree';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const DOCS = ['README.md', 'packages/rootfree/README.md', 'docs/ifshampoo.md', 'docs/shampoo.md', 'docs/structures.md', 'docs/singd.md', 'docs/muon.md'];
const OUT = join(ROOT, 'test', 'docs', '.generated');
const MARKER = /^\s*\/\/ readme-example: ([\w-]+)\s*$/m;

interface Example {
  name: string;
  file: string;
  code: string;
}

type Check = (exports: Record<string, unknown>) => void;

/** Losses of a `model.fit` History (numbers; tfjs may also report scalar tensors). */
function fitLosses(history: unknown): number[] {
  const loss = (history as { history: { loss: Array<number | tf.Tensor> } }).history.loss;
  return loss.map((l) => (typeof l === 'number' ? l : (l.dataSync()[0] as number)));
}

function expectFalls(losses: number[], factor: number): void {
  expect(losses.length).toBeGreaterThan(1);
  expect(losses.every(Number.isFinite)).toBe(true);
  expect(losses[losses.length - 1]).toBeLessThan(factor * losses[0]);
}

const fitFalls: [string[], Check] = [['history'], ({ history }) => expectFalls(fitLosses(history), 0.5)];

/**
 * Every marked example, the variables it must define (exported by the harness) and what they must
 * show. An example added to the docs without an entry here (or removed from them) fails the suite.
 */
const EXPECTED: Record<string, [string[], Check]> = {
  quickstart: fitFalls,
  'singd-readme': fitFalls,
  'rfadamw-fit': fitFalls,
  'rfrmsprop-loop': [['losses'], ({ losses }) => expectFalls(losses as number[], 0.9)],
  'ifshampoo-fit': fitFalls,
  'shampoo-fit': fitFalls,
  'ifshampoo-embedding': fitFalls,
  'ifshampoo-custom-rule': fitFalls,
  'singd-fit': fitFalls,
  'singd-loop': [['losses'], ({ losses }) => expectFalls(losses as number[], 0.5)],
  'muon-fit': fitFalls,
};

function extractExamples(): { examples: Example[]; unmarked: string[] } {
  const examples: Example[] = [];
  const unmarked: string[] = [];
  for (const file of DOCS) {
    const text = readFileSync(join(ROOT, file), 'utf8');
    for (const m of text.matchAll(/^```(ts|typescript|js|javascript)\s*\n([\s\S]*?)^```/gm)) {
      const code = m[2];
      const name = MARKER.exec(code)?.[1];
      if (name) examples.push({ name, file, code });
      else if (/from\s+['"]rootfree['"]/.test(code)) unmarked.push(`${file}: ${code.split('\n')[0]}`);
    }
  }
  return { examples, unmarked };
}

/** The example as a module: 'rootfree' → src entry, the checked variables exported. */
function moduleSource(ex: Example, exported: string[]): string {
  const entry = relative(OUT, join(ROOT, 'packages', 'rootfree', 'src', 'index.js')).split('\\').join('/');
  const code = ex.code.replace(/(from\s+)(['"])rootfree\2/g, `$1'${entry.startsWith('.') ? entry : `./${entry}`}'`);
  return `${code}\nexport { ${exported.join(', ')} };\n`;
}

function typeErrors(files: string[]): string[] {
  const configPath = join(ROOT, 'tsconfig.json');
  const config = ts.readConfigFile(configPath, (p) => ts.sys.readFile(p));
  const parsed = ts.parseJsonConfigFileContent(config.config, ts.sys, ROOT);
  const program = ts.createProgram(files, { ...parsed.options, noEmit: true });
  return files.flatMap((f) =>
    ts.getPreEmitDiagnostics(program, program.getSourceFile(f)).map((d) => {
      const where = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start) : undefined;
      return `${relative(ROOT, d.file?.fileName ?? f)}${where ? `:${where.line + 1}` : ''}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
    }),
  );
}

const { examples, unmarked } = extractExamples();

describe('documentation examples', () => {
  const files = new Map<string, string>();

  beforeAll(async () => {
    // The examples select wasm themselves; this only lets the test measure tf.memory() first.
    await useBackend('wasm');
    rmSync(OUT, { recursive: true, force: true });
    mkdirSync(OUT, { recursive: true });
    for (const ex of examples) {
      const path = join(OUT, `${ex.name}.ts`);
      writeFileSync(path, moduleSource(ex, EXPECTED[ex.name]?.[0] ?? []));
      files.set(ex.name, path);
    }
  });

  afterAll(() => {
    rmSync(OUT, { recursive: true, force: true });
  });

  it('every example that imports rootfree is marked, names are unique and all expected examples exist', () => {
    expect(unmarked).toEqual([]);
    const names = examples.map((e) => e.name);
    expect(new Set(names).size).toBe(names.length);
    expect([...names].sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  it('the examples type-check against src/ (tsconfig.json options)', () => {
    expect(typeErrors([...files.values()])).toEqual([]);
  });

  it.each(examples.map((e) => [e.name, e.file] as const))('example %s (%s) runs and trains', async (name) => {
    const [, check] = EXPECTED[name];
    const before = tf.memory().numTensors;
    const mod = (await import(pathToFileURL(files.get(name)!).href)) as Record<string, unknown>;
    check(mod);
    // Examples are user code and may keep their data alive; this only guards against runaway leaks.
    expect(tf.memory().numTensors - before).toBeLessThan(200);
  });
});
