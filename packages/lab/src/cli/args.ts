import { parseArgs as nodeParseArgs } from 'node:util';
import { suggestion } from '../util/didYouMean.js';

/** One command-line option: a switch (`boolean`, takes no value) or an option with a value (`string`). */
export interface OptionSpec {
  type: 'string' | 'boolean';
  short?: string;
  /** Placeholder for the value in help, e.g. `N` or `dir`. */
  value?: string;
  description: string;
}

export type OptionsSpec = Record<string, OptionSpec>;

export interface ParsedArgs {
  positionals: string[];
  /** Options as given: a string for options with a value, `true` for switches; absent when not given. */
  flags: Record<string, string | boolean | undefined>;
}

/** A mistake on the command line (exit code 2, printed without a stack). */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** Every command accepts `-h` / `--help`. */
export const HELP_OPTION: OptionsSpec = { help: { type: 'boolean', short: 'h', description: 'show this help' } };

/**
 * Parses `argv` against `options` with `node:util.parseArgs`, then applies stricter rules than its
 * strict mode: an unknown option gets a did-you-mean, an option that needs a value never takes
 * the next flag as its value, a switch never takes a value (`--resume true` is an error, not a
 * restart), and an option given twice is an error instead of "last one wins".
 */
export function parseArgs(argv: string[], options: OptionsSpec = {}, allowPositionals = false, command = 'rootfree'): ParsedArgs {
  const spec: OptionsSpec = { ...options, ...HELP_OPTION };
  const names = Object.keys(spec);
  const parsed = nodeParseArgs({
    args: argv,
    options: Object.fromEntries(Object.entries(spec).map(([k, o]) => [k, { type: o.type, ...(o.short ? { short: o.short } : {}), multiple: false }])),
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  const seen = new Set<string>();
  const tokens = parsed.tokens ?? [];
  for (const [i, t] of tokens.entries()) {
    if (t.kind === 'option') {
      const o = spec[t.name];
      if (!o) throw new UsageError(`${command}: unknown option '${t.rawName}'${suggestion(t.name, names, '--')}\nRun \`${command} --help\` for the options.`);
      if (seen.has(t.name)) throw new UsageError(`${command}: option '--${t.name}' given twice`);
      seen.add(t.name);
      if (o.type === 'boolean') {
        if (t.inlineValue) throw new UsageError(`${command}: '--${t.name}' is a switch and takes no value (got '${t.rawName}=${t.value}')`);
        const next = tokens[i + 1];
        if (!allowPositionals && next?.kind === 'positional') throw new UsageError(`${command}: '--${t.name}' is a switch and takes no value (got '${t.rawName} ${next.value}')`);
      } else {
        if (t.value === undefined) throw new UsageError(`${command}: option '--${t.name}' needs a value${o.value ? ` (${o.value})` : ''}`);
        if (!t.inlineValue && t.value.startsWith('-')) {
          throw new UsageError(`${command}: option '--${t.name}' needs a value, got the flag '${t.value}' (write --${t.name}=${t.value} if that is the value)`);
        }
        if (t.value === '') throw new UsageError(`${command}: option '--${t.name}' needs a non-empty value`);
      }
    } else if (t.kind === 'positional' && !allowPositionals) {
      throw new UsageError(`${command}: unexpected argument '${t.value}' (this command takes no positional arguments)`);
    }
  }
  return { positionals: parsed.positionals, flags: parsed.values as ParsedArgs['flags'] };
}

/** `--name <value>  description` lines for a command's help. */
export function optionsHelp(options: OptionsSpec): string {
  const rows = Object.entries({ ...options, ...HELP_OPTION }).map(([k, o]) => [`${o.short ? `-${o.short}, ` : '    '}--${k}${o.type === 'string' ? ` <${o.value ?? 'value'}>` : ''}`, o.description] as const);
  const w = Math.max(...rows.map((r) => r[0].length));
  return rows.map(([a, b]) => `  ${a.padEnd(w)}  ${b}`).join('\n');
}

export function stringFlag(args: ParsedArgs, name: string, fallback: string): string {
  const v = args.flags[name];
  if (v === undefined) return fallback;
  if (typeof v !== 'string') throw new UsageError(`--${name} needs a value`);
  return v;
}

/** The value of an option, or undefined when it was not given. */
export function optionalString(args: ParsedArgs, name: string): string | undefined {
  return args.flags[name] === undefined ? undefined : stringFlag(args, name, '');
}

export function intFlag(args: ParsedArgs, name: string, fallback: number, min = 0): number {
  const v = args.flags[name];
  if (v === undefined) return fallback;
  const n = typeof v === 'string' && /^[+-]?\d+$/.test(v.trim()) ? Number(v) : NaN;
  if (!Number.isSafeInteger(n) || n < min) throw new UsageError(`--${name}: expected an integer >= ${min}, got ${JSON.stringify(v)}`);
  return n;
}

/** One of `choices` (aliases map to their canonical value); an error names the option, the value and the choices. */
export function choiceFlag<T extends string>(args: ParsedArgs, name: string, fallback: T, choices: Record<string, T>): T {
  const v = stringFlag(args, name, fallback);
  const c = choices[v];
  if (c === undefined) throw new UsageError(`--${name}: expected one of ${Object.keys(choices).join(', ')}, got '${v}'${suggestion(v, Object.keys(choices))}`);
  return c;
}

/** A comma-separated list checked against `known` (error: the option, the bad entry and the list). */
export function listFlag(args: ParsedArgs, name: string, fallback: string[], known: string[], what: string): string[] {
  const v = args.flags[name];
  if (v === undefined) return fallback;
  const items = stringFlag(args, name, '').split(',').map((s) => s.trim().toLowerCase());
  if (items.some((s) => s === '')) throw new UsageError(`--${name}: empty entry in '${v}'`);
  for (const s of items) if (!known.includes(s)) throw new UsageError(`--${name}: unknown ${what} '${s}'${suggestion(s, known)}; known: ${known.join(', ')}`);
  const dup = items.find((s, i) => items.indexOf(s) !== i);
  if (dup) throw new UsageError(`--${name}: '${dup}' listed twice`);
  return items;
}

/** A finite number, or undefined when the flag is absent. */
export function numberFlag(args: ParsedArgs, name: string): number | undefined {
  const v = args.flags[name];
  if (v === undefined) return undefined;
  const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  if (!Number.isFinite(n)) throw new UsageError(`--${name}: expected a number, got ${JSON.stringify(v)}`);
  return n;
}
