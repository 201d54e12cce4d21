import { Muon, MuonWithAuxAdam } from 'rootfree';
import type { GoldenCase } from '../golden.js';
import { registerCaseFactory } from '../registry.js';

/**
 * KellerJordan/Muon (v3 README §5): the goldens hold PyTorch-layout weights, so the aspect scale
 * reads them as 'torch'. `ns_dtype` says where Newton–Schulz ran: bf16 in the reference itself,
 * float64 (→ float32 here) in the shimmed float64 goldens.
 */
const h = (c: GoldenCase) => c.hyperparameters as Record<string, any>;

function common(p: Record<string, any>) {
  return {
    nesterov: p.nesterov ?? true,
    nsSteps: p.ns_steps ?? 5,
    nsCoefficients: p.ns_coefficients ?? [3.4445, -4.775, 2.0315],
    nsEps: p.ns_eps ?? 1e-7,
    nsPrecision: String(p.ns_dtype ?? 'torch.bfloat16') === 'torch.bfloat16' ? 'bfloat16' : 'float32',
    weightLayout: 'torch' as const,
    nonFinite: 'none' as const,
  };
}

registerCaseFactory('SingleDeviceMuon', (c) => {
  const p = h(c);
  return new Muon({ lr: p.lr ?? 0.02, momentum: p.momentum ?? 0.95, weightDecay: p.weight_decay ?? 0, ...common(p) });
});

/**
 * Parameter groups by variable name: the stored name, after a prefix ending in '_' and before an
 * optional '_<suffix>' (the runner's names are `golden_<case>_<i>_<name>_<suffix>`).
 */
export const goldenVarPattern = (names: string[]) => `(^|_)(${names.map((n) => n.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')})(_[a-z0-9]+)?$`;

registerCaseFactory('SingleDeviceMuonWithAuxAdam', (c) => {
  const p = h(c);
  const groups = (p.param_groups ?? []) as Array<Record<string, any>>;
  return new MuonWithAuxAdam({
    ...common(p),
    useMuon: true,
    paramGroups: groups.map((g) => ({
      match: goldenVarPattern(g.params),
      options: g.use_muon
        ? { useMuon: true, lr: g.lr ?? 0.02, momentum: g.momentum ?? 0.95, weightDecay: g.weight_decay ?? 0 }
        : { useMuon: false, adam: { lr: g.lr ?? 3e-4, beta1: g.betas?.[0] ?? 0.9, beta2: g.betas?.[1] ?? 0.95, epsilon: g.eps ?? 1e-10, weightDecay: g.weight_decay ?? 0 } },
    })),
  });
});
