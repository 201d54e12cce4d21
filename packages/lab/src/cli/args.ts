/** Minimal flag parser: `--key value`, `--key=value`, boolean `--flag`, positionals. */
export interface ParsedArgs {
  positionals: string[];
  flags: Record<string, string | boolean>;
}

export function parseArgs(argv: string[]): ParsedArgs {
  const out: ParsedArgs = { positionals: [], flags: {} };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) {
      out.positionals.push(a);
      continue;
    }
    const eq = a.indexOf('=');
    if (eq > 0) {
      out.flags[a.slice(2, eq)] = a.slice(eq + 1);
    } else if (i + 1 < argv.length && !argv[i + 1].startsWith('--')) {
      out.flags[a.slice(2)] = argv[++i];
    } else {
      out.flags[a.slice(2)] = true;
    }
  }
  return out;
}

export function stringFlag(args: ParsedArgs, name: string, fallback: string): string {
  const v = args.flags[name];
  if (v === undefined) return fallback;
  if (typeof v !== 'string') throw new Error(`--${name} needs a value`);
  return v;
}

export function intFlag(args: ParsedArgs, name: string, fallback: number, min = 0): number {
  const v = args.flags[name];
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new Error(`--${name}: expected an integer >= ${min}, got ${JSON.stringify(v)}`);
  return n;
}
