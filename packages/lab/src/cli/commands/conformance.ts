import { useBackend } from 'rootfree';
import { goldenFiles, loadGolden } from '../../conformance/golden.js';
import { runCase } from '../../conformance/runner.js';
import '../../tfjsSetup.js';
import { UsageError, type ParsedArgs } from '../args.js';
import { parseBackendFlag } from './shared.js';
import type { Command } from '../command.js';

export const command: Command = {
  name: 'conformance',
  summary: 'Replays golden trajectories of the official PyTorch code and compares every parameter after every step.',
  usage: 'rootfree conformance <file-or-folder>... [--backend wasm|cpu]   (folders include their subfolders; exit 1 on any FAIL)',
  positionals: true,
  options: { backend: { type: 'string', value: 'wasm|cpu', description: 'tfjs backend; default wasm' } },
  async run(args: ParsedArgs): Promise<number> {
    if (args.positionals.length === 0) throw new UsageError(`missing <file-or-folder>\nusage: ${this.usage}`);
    const backend = parseBackendFlag(args);
    await useBackend(backend);
    const counts = { PASS: 0, FAIL: 0, SKIP: 0, REPORT: 0 };
    const files = [...new Set(args.positionals.flatMap(goldenFiles))];
    for (const file of files) {
      let line: string;
      let status: keyof typeof counts;
      try {
        const r = runCase(loadGolden(file));
        [line, status] = [r.line, r.status];
      } catch (e) {
        // A file that is not a golden case, or an unexpected error: reported, and the run goes on.
        [line, status] = [`FAIL ${file} ${(e as Error).message}`, 'FAIL'];
      }
      console.log(line);
      counts[status]++;
    }
    console.log(`${counts.PASS} passed, ${counts.FAIL} failed, ${counts.REPORT} reported, ${counts.SKIP} skipped (${files.length} files)`);
    return counts.FAIL > 0 ? 1 : 0;
  },
};
