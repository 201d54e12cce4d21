import { writeFileSync } from 'node:fs';
import { useBackend } from 'rootfree';
import { formatMarkdown, formatText, runHalfprecSuite, type HalfprecProblemName } from '../../harness/halfprec/index.js';
import '../../tfjsSetup.js';
import { choiceFlag, intFlag, optionalString, type ParsedArgs } from '../args.js';
import { parseBackendFlag } from './shared.js';
import type { Command } from '../command.js';

export const command: Command = {
  name: 'halfprec',
  summary:
    'Half-precision demonstration (SPEC §5.7/§6): IF-Shampoo, root-based Shampoo (eigen, Newton), SINGD and Muon (Newton–Schulz precision) with fp32, bf16 and fp16 preconditioners on one seeded problem; reports final loss, the first failure step and the distance to the fp32 trajectory.',
  usage: 'rootfree halfprec [options]',
  options: {
    steps: { type: 'string', value: 'N', description: 'optimizer steps; default 300' },
    seed: { type: 'string', value: 'S', description: 'seed of the problem; default 0' },
    problem: { type: 'string', value: 'mlp|lstsq', description: 'default lstsq' },
    backend: { type: 'string', value: 'wasm|cpu', description: 'tfjs backend; default wasm' },
    out: { type: 'string', value: 'file.json', description: 'write the report as JSON' },
    md: { type: 'string', value: 'file.md', description: 'write the table as Markdown' },
  },
  async run(args: ParsedArgs): Promise<number> {
    const steps = intFlag(args, 'steps', 300, 1);
    const seed = intFlag(args, 'seed', 0, 0);
    const problem = choiceFlag<HalfprecProblemName>(args, 'problem', 'lstsq', { lstsq: 'lstsq', mlp: 'mlp' });
    const backend = parseBackendFlag(args);
    const out = optionalString(args, 'out');
    const md = optionalString(args, 'md');
    await useBackend(backend);
    const report = await runHalfprecSuite({
      problem,
      steps,
      seed,
      onRun: (r, i, total) => {
        const status = r.failure ? `FAILED at step ${r.failure.step} (${r.failure.kind}: ${r.failure.message})` : `ok, final loss ${r.finalLoss.toExponential(4)}`;
        console.log(`[${i}/${total}] ${r.method} ${r.precision}: ${status} (${r.seconds.toFixed(1)} s)`);
      },
    });
    console.log(`\n${report.description}; ${steps} steps, seed ${seed}, ${report.backend}; initial loss ${report.initialLoss.toExponential(4)}`);
    console.log(`dist = ‖θ − θ_fp32‖/‖θ_fp32‖ against the same method's fp32 run; failure = NaN/Inf, loss > ${report.divergenceFactor}× initial, or an exception\n`);
    console.log(formatText(report.rows));
    if (out) {
      writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
      console.log(`\nwrote ${out}`);
    }
    if (md) {
      writeFileSync(md, `${formatMarkdown(report.rows)}\n`);
      console.log(`wrote ${md}`);
    }
    return 0;
  },
};
