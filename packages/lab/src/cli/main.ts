import { readFileSync } from 'node:fs';
import { optionsHelp, parseArgs, UsageError } from './args.js';
import type { Command } from './command.js';
import { fitLines } from '../util/fitLines.js';
import { suggestion } from '../util/didYouMean.js';

export type { Command } from './command.js';

interface Entry {
  /** One line for the top-level help (the command module is loaded only when it runs). */
  description: string;
  load(): Promise<Command>;
}

const commands: Record<string, Entry> = {
  compare: { description: 'train every optimizer on a task with several seeds and write a comparison', load: async () => (await import('./commands/compare.js')).command },
  tune: { description: 'random search of one optimizer\'s hyper-parameters, selected on validation', load: async () => (await import('./commands/tune.js')).command },
  report: { description: 'rebuild reports from compare (or, with --tune, tune) output directories', load: async () => (await import('./commands/report.js')).command },
  conformance: { description: 'replay golden trajectories of the official PyTorch code', load: async () => (await import('./commands/conformance.js')).command },
  halfprec: { description: 'half-precision demonstration: fp32 / bf16 / fp16 preconditioners', load: async () => (await import('./commands/halfprec.js')).command },
  worker: { description: 'train the runs that tune/compare --queue put on a Redis queue', load: async () => (await import('./commands/worker.js')).command },
};

/** Lets command modules be added without editing the dispatcher's logic. */
export function registerCommand(name: string, description: string, load: () => Promise<Command>): void {
  commands[name] = { description, load };
}

export function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

export function help(): string {
  const names = Object.keys(commands).sort();
  const w = Math.max(...names.map((n) => n.length));
  return [
    'rootfree: square-root-free adaptive optimizers for TensorFlow.js (the lab CLI)',
    '',
    'usage: rootfree <command> [options]',
    '',
    'commands:',
    ...names.map((c) => `  ${c.padEnd(w)}  ${commands[c].description}`),
    '',
    'options:',
    '  -h, --help     show this help',
    '  -v, --version  print the version',
    '',
    'Run `rootfree <command> --help` for the options of a command.',
  ].join('\n');
}

export function commandHelp(cmd: Command): string {
  return `${cmd.summary}\n\nusage: ${cmd.usage}\n\noptions:\n${optionsHelp(cmd.options)}`;
}

/**
 * Runs the CLI. Returns the exit code: 0 success, 1 failure of the work, 2 a usage error
 * (printed as one message, never a stack).
 */
export async function main(argv: string[], out: (s: string) => void = console.log, err: (s: string) => void = console.error): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    (name ? out : err)(fitLines(help()).join('\n'));
    return name ? 0 : 2;
  }
  if (name === '--version' || name === '-v') {
    out(`rootfree-lab ${version()}`);
    return 0;
  }
  const entry = commands[name];
  if (!entry) {
    const option = name.startsWith('-');
    err(`rootfree: unknown ${option ? 'option' : 'command'} '${name}'${suggestion(name, option ? ['--help', '--version'] : Object.keys(commands))}\n\n${help()}`);
    return 2;
  }
  const cmd = await entry.load();
  try {
    const args = parseArgs(rest, cmd.options, cmd.positionals ?? false, `rootfree ${name}`);
    if (args.flags.help) {
      out(fitLines(commandHelp(cmd)).join('\n'));
      return 0;
    }
    return await cmd.run(args);
  } catch (e) {
    if (e instanceof UsageError) {
      err(e.message);
      return 2;
    }
    throw e;
  }
}
