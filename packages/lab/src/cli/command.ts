import type { OptionsSpec, ParsedArgs } from './args.js';

/** A CLI command: declares its options (parsed strictly by main) and returns the process exit code. */
export interface Command {
  name: string;
  summary: string;
  usage: string;
  options: OptionsSpec;
  /** Whether the command takes positional arguments (files, directories). */
  positionals?: boolean;
  run(args: ParsedArgs): Promise<number>;
}
