import { parseArgs } from './args.js';
import type { Command } from './command.js';

export type { Command } from './command.js';

const commands: Record<string, () => Promise<Command>> = {
  conformance: async () => (await import('./commands/conformance.js')).command,
  halfprec: async () => (await import('./commands/halfprec.js')).command,
  compare: async () => (await import('./commands/compare.js')).command,
  tune: async () => (await import('./commands/tune.js')).command,
  report: async () => (await import('./commands/report.js')).command,
};

/** Lets command modules be added without editing the dispatcher's logic. */
export function registerCommand(name: string, load: () => Promise<Command>): void {
  commands[name] = load;
}

function help(): string {
  return [
    'rootfree: square-root-free adaptive optimizers for TensorFlow.js',
    '',
    'usage: rootfree <command> [options]',
    '',
    'commands:',
    ...Object.keys(commands).sort().map((c) => `  ${c}`),
    '',
    'Run `rootfree <command> --help` for the options of a command.',
  ].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(help());
    return name ? 0 : 1;
  }
  const load = commands[name];
  if (!load) {
    console.error(`rootfree: unknown command '${name}'\n\n${help()}`);
    return 2;
  }
  const cmd = await load();
  const args = parseArgs(rest);
  if (args.flags.help) {
    console.log(`${cmd.summary}\n\nusage: ${cmd.usage}`);
    return 0;
  }
  return cmd.run(args);
}
