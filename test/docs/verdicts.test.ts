/**
 * docs/REPRODUCTION.md's verdicts must regenerate from results/: every directory in
 * results/verdicts/ is listed in results/verdicts/commands.txt with the `rootfree report`
 * arguments that made it, is named in REPRODUCTION.md, and running those arguments today gives
 * the committed numbers (summary.json's tasks) and the committed terminal table (<name>.txt).
 * A change to the statistics, to a run directory or to a command's flags fails here.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { parseArgs } from '../../packages/lab/src/cli/args.js';
import { command } from '../../packages/lab/src/cli/commands/report.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const VERDICTS = join(ROOT, 'results', 'verdicts');

function listed(): Array<{ name: string; args: string[] }> {
  return readFileSync(join(VERDICTS, 'commands.txt'), 'utf8')
    .split('\n')
    .filter((l) => l.trim() && !l.startsWith('#'))
    .map((l) => {
      const i = l.indexOf(':');
      return { name: l.slice(0, i).trim(), args: l.slice(i + 1).trim().split(/\s+/) };
    });
}

/** Run directories (`dir` or `dir=opt,...`) are relative to the repository root; flag values are not paths. */
const rooted = (args: string[]) => args.map((a) => (!a.startsWith('-') && existsSync(join(ROOT, a.split('=')[0])) ? join(ROOT, a) : a));
const withoutReportsLine = (s: string) => s.split('\n').filter((l) => !l.startsWith('reports:')).join('\n').trim();

describe('results/verdicts regenerate', () => {
  afterEach(() => vi.restoreAllMocks());
  const commands = listed();

  it('lists every verdict directory once, and REPRODUCTION.md names each', () => {
    const dirs = readdirSync(VERDICTS).filter((d) => statSync(join(VERDICTS, d)).isDirectory());
    expect(commands.map((c) => c.name).sort()).toEqual(dirs.sort());
    expect(new Set(commands.map((c) => c.name)).size).toBe(commands.length);
    const doc = readFileSync(join(ROOT, 'docs', 'REPRODUCTION.md'), 'utf8');
    expect(commands.filter((c) => !doc.includes(`results/verdicts/${c.name}`)).map((c) => c.name)).toEqual([]);
  });

  for (const c of commands) {
    it(`${c.name}: rootfree report ${c.args.join(' ')}`, async () => {
      const out = mkdtempSync(join(tmpdir(), `rootfree-verdict-${c.name}-`));
      const log = vi.spyOn(console, 'log').mockImplementation(() => {});
      expect(await command.run(parseArgs([...rooted(c.args), '--out', out], command.options, true))).toBe(0);
      const printed = log.mock.calls.map((x) => String(x[0])).join('\n');
      const committed = JSON.parse(readFileSync(join(VERDICTS, c.name, 'summary.json'), 'utf8')) as { tasks: unknown };
      const now = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as { tasks: unknown };
      expect(now.tasks).toEqual(committed.tasks);
      const txt = join(VERDICTS, `${c.name}.txt`);
      expect(existsSync(txt), txt).toBe(true);
      expect(withoutReportsLine(printed)).toBe(withoutReportsLine(readFileSync(txt, 'utf8')));
    });
  }
});
