import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from 'rootfree';
import { lstsqProblem, relativeL2, runOne, type HalfprecProblem } from '../../src/harness/halfprec/index.js';

const STEPS = 60;

describe('halfprec: SINGD (bf16 factors) and Muon (bf16 Newton–Schulz) on the seeded least-squares problem', () => {
  let problem: HalfprecProblem;
  beforeAll(async () => {
    await useBackend('wasm');
    problem = lstsqProblem(0);
  });
  afterAll(() => problem.dispose());

  it.each(['singd', 'muon'] as const)('%s trains in fp32 and bf16 and the bf16 run stays near the fp32 one', (method) => {
    const fp32 = runOne(problem, method, 'fp32', STEPS);
    const bf16 = runOne(problem, method, 'bf16', STEPS);
    expect(fp32.failure).toBeNull();
    expect(bf16.failure).toBeNull();
    expect(fp32.finalLoss).toBeLessThan(0.5 * fp32.initialLoss);
    expect(bf16.finalLoss).toBeLessThan(0.5 * bf16.initialLoss);
    // bf16 changes the trajectory (so the precision option reaches the method) but not by much.
    const d = relativeL2(bf16.trajectory[STEPS - 1], fp32.trajectory[STEPS - 1]);
    expect(d).toBeGreaterThan(0);
    expect(d).toBeLessThan(0.2);
  }, 120_000);
});
