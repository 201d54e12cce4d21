import { useBackend, type BackendName } from 'rootfree';
import { goldenFiles, loadGolden } from '../../conformance/golden.js';
import { runCase } from '../../conformance/runner.js';
import '../../tfjsSetup.js';
import { stringFlag, type ParsedArgs } from '../args.js';
import type { Command } from '../command.js';

export const command: Command = {
  name: 'conformance',
  summary: 'Replays golden trajectories of the official PyTorch code and compares every parameter after every step.',
  usage: 'rootfree conformance <file-or-folder>... [--backend wasm|cpu]',
  async run(args: ParsedArgs): Promise<number> {
    if (args.positionals.length === 0) throw new Error(`missing <file-or-folder>\nusage: ${this.usage}`);
    const backend = stringFlag(args, 'backend', 'wasm');
    if (backend !== 'wasm' && backend !== 'cpu') throw new Error(`--backend: expected wasm or cpu, got '${backend}'`);
    await useBackend(backend as BackendName);
    let passed = 0;
    let failed = 0;
    for (const file of args.positionals.flatMap(goldenFiles)) {
      const r = runCase(loadGolden(file));
      console.log(r.line);
      if (r.status === 'PASS') passed++;
      if (r.status === 'FAIL') failed++;
    }
    console.log(`${passed} passed, ${failed} failed`);
    return failed > 0 ? 1 : 0;
  },
};
