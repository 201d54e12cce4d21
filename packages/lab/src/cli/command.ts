import type { ParsedArgs } from './args.js';

/** A CLI command: parses its own flags from `args` and returns the process exit code. */
export interface Command {
  name: string;
  summary: string;
  usage: string;
  run(args: ParsedArgs): Promise<number>;
}
