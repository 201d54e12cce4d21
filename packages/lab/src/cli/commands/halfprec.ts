import { writeFileSync } from 'node:fs';
import { useBackend, type BackendName } from 'rootfree';
import { formatMarkdown, formatText, runHalfprecSuite, type HalfprecProblemName } from '../../harness/halfprec/index.js';
import '../../tfjsSetup.js';
import { intFlag, stringFlag, type ParsedArgs } from '../args.js';
import type { Command } from '../command.js';

export const command: Command = {
  name: 'halfprec',
  summary:
    'Half-precision demonstration (SPEC §5.7/§6): IF-Shampoo, root-based Shampoo (eigen, Newton), SINGD and Muon (Newton–Schulz precision) with fp32, bf16 and fp16 preconditioners on one seeded problem; reports final loss, the first failure step and the distance to the fp32 trajectory.',
  usage: 'rootfree halfprec [--steps N] [--seed S] [--problem mlp|lstsq] [--backend wasm|cpu] [--out file.json] [--md file.md]',
  async run(args: ParsedArgs): Promise<number> {
    const steps = intFlag(args, 'steps', 300, 1);
    const seed = intFlag(args, 'seed', 0, 0);
    const problem = stringFlag(args, 'problem', 'lstsq');
    if (problem !== 'lstsq' && problem !== 'mlp') throw new Error(`--problem: expected mlp or lstsq, got '${problem}'`);
    const backend = stringFlag(args, 'backend', 'wasm');
    if (backend !== 'wasm' && backend !== 'cpu') throw new Error(`--backend: expected wasm or cpu, got '${backend}'`);
    const out = args.flags.out === undefined ? undefined : stringFlag(args, 'out', '');
    const md = args.flags.md === undefined ? undefined : stringFlag(args, 'md', '');
    await useBackend(backend as BackendName);
    const report = await runHalfprecSuite({
      problem: problem as HalfprecProblemName,
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
