import { beforeEach, describe, expect, it, vi } from 'vitest';

// The commands' work is replaced by spies: a test that reaches them by mistake fails fast
// instead of training for minutes (the old parser started a full compare on `compare -h`).
const calls = vi.hoisted(() => ({ compare: [] as unknown[], tune: [] as unknown[] }));
vi.mock('../../src/harness/compare/compare.js', () => ({ runCompare: async (o: unknown) => void calls.compare.push(o) }));
vi.mock('../../src/harness/tune/search.js', () => ({ runTune: async (o: unknown) => void calls.tune.push(o) }));

const { main } = await import('../../src/cli/main.js');

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, (s) => out.push(s), (s) => err.push(s));
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('strict CLI', () => {
  beforeEach(() => {
    calls.compare.length = 0;
    calls.tune.length = 0;
  });

  it('rejects unknown options with a did-you-mean, and runs nothing', async () => {
    for (const [bad, good] of [['--epoch', '--epochs'], ['--optimizer', '--optimizers'], ['--seed', '--seeds']]) {
      const r = await cli('compare', bad, '1');
      expect(r.code).toBe(2);
      expect(r.err).toContain(`unknown option '${bad}'; did you mean '${good}'?`);
    }
    expect((await cli('tune', '--optimizer', 'sgd', '--optimizers', 'sgd')).err).toContain("did you mean '--optimizer'?");
    expect(calls.compare).toEqual([]);
    expect(calls.tune).toEqual([]);
  });

  it('an option without a value is an error, never a default (no packaged-data fallback for --data)', async () => {
    for (const argv of [['--data'], ['--seeds'], ['--data', '--seeds', '2'], ['--out']]) {
      const r = await cli('compare', ...argv);
      expect(r.code).toBe(2);
      expect(r.err).toMatch(new RegExp(`option '${argv[0]}' needs a value`));
    }
    expect(calls.compare).toEqual([]);
  });

  it('switches take no value: `--resume true` is an error, not a restart', async () => {
    expect((await cli('compare', '--resume', 'true')).err).toContain("'--resume' is a switch and takes no value (got '--resume true')");
    expect((await cli('compare', '--resume=false')).err).toContain("'--resume' is a switch and takes no value");
    expect((await cli('compare', '--seeds', '2', '--seeds', '3')).err).toContain("'--seeds' given twice");
    expect(calls.compare).toEqual([]);
  });

  it('passes valid options through exactly', async () => {
    const r = await cli('compare', '--epochs', '3', '--optimizers', 'sgd,RFAdamW', '--seeds', '3', '--resume', '--jobs', '2', '--data=idx:/x', '--out', 'o');
    expect(r.code).toBe(0);
    expect(calls.compare).toEqual([
      expect.objectContaining({ task: 'fmnist-cnn', optimizers: ['sgd', 'rfadamw'], seeds: 3, resume: true, budgetOverride: { epochs: 3 }, dataSource: 'idx:/x', out: 'o', jobs: 2 }),
    ]);
    await cli('tune', '--optimizer', 'adamw', '--seed', '7', '--jobs', '2', '--stage2');
    expect(calls.tune).toEqual([expect.objectContaining({ optimizer: 'adamw', seed: 7, stage2: true, dataSource: undefined })]);
  });

  it('bad values name the option and the value', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['--optimizers', 'sgd,adamx'], /--optimizers: unknown optimizer 'adamx'; did you mean 'adamw'\?; known: sgd, adamw, /],
      [['--task', 'fmnist-cnm'], /--task: unknown task 'fmnist-cnm'; did you mean 'fmnist-cnn'\?/],
      [['--precision', 'fp16'], /--precision: expected one of fp32, float32, bf16, bfloat16, got 'fp16'/],
      [['--seeds', 'two'], /--seeds: expected an integer >= 1, got "two"/],
      [['--data', 'mnist/'], /--data: expected idx:<dir>, got 'mnist\/'/],
      [['--budget', 'ful'], /--budget: expected one of quick, full, got 'ful'; did you mean 'full'\?/],
    ];
    for (const [argv, re] of cases) {
      const r = await cli('compare', ...argv);
      expect(r.code).toBe(2);
      expect(r.err).toMatch(re);
    }
    expect((await cli('tune', '--optimizer', 'sdg')).err).toMatch(/--optimizer: unknown optimizer 'sdg'; did you mean 'sgd'\?/);
    expect(calls.compare).toEqual([]);
  });

  it('-h / --help on every command prints its help (with every option) and runs nothing', async () => {
    for (const name of ['compare', 'tune', 'report', 'conformance', 'halfprec']) {
      for (const h of ['-h', '--help']) {
        const r = await cli(name, h);
        expect(r.code).toBe(0);
        expect(r.out).toContain(`usage: rootfree ${name}`);
        expect(r.out).toContain('-h, --help');
      }
    }
    const c = (await cli('compare', '-h')).out;
    for (const o of ['--epochs <E>', '--optimizers <a,b,...>', '--seeds <N>', '--resume', '--data <idx:<dir>>']) expect(c).toContain(o);
    expect(calls.compare).toEqual([]);
  });

  it('--version / -v, top-level help with one line per command, unknown command with a did-you-mean', async () => {
    const { version } = await import('../../package.json', { with: { type: 'json' } }).then((m) => m.default as { version: string });
    for (const v of ['--version', '-v']) expect(await cli(v)).toEqual({ code: 0, out: `rootfree-lab ${version}`, err: '' });
    const h = await cli('--help');
    for (const name of ['compare', 'tune', 'report', 'conformance', 'halfprec']) expect(h.out).toMatch(new RegExp(`^  ${name} +\\S.{10,}$`, 'm'));
    const u = await cli('compar');
    expect(u.code).toBe(2);
    expect(u.err).toContain("unknown command 'compar'; did you mean 'compare'?");
    expect((await cli('--versoin')).err).toContain("unknown option '--versoin'; did you mean '--version'?");
    expect((await cli('report', '--tune')).err).toContain('missing <tune-dir>');
  });
});
