import * as rootfree from 'rootfree';
import type { InverseRootInfo, LrSchedule } from 'rootfree';

/**
 * Hyper-parameters in the paper's vocabulary (SPEC §1.5, §2.10), mapped per optimizer below.
 * momentum: heavy-ball (SGD, RF-RMSProp, IF-Shampoo α1) or first-moment EMA (AdamW/RF-AdamW β1,
 * Shampoo's gradient filtering β1); lrCov: preconditioner learning rate β2 (= 1 − beta2 / 1 − alpha);
 * damping: λ / ε; alpha2: IF-Shampoo's Riemannian momentum; T: matrix-preconditioner update interval.
 */
export interface Hp {
  lr: number;
  momentum: number;
  weightDecay: number;
  lrCov?: number;
  damping?: number;
  alpha2?: number;
  T?: number;
}

export type HpName = keyof Hp;

export interface BuildContext {
  lr: LrSchedule;
  batchSize: number;
  /** Storage precision of optimizer state ('float32' or 'bfloat16'). */
  precision: 'float32' | 'bfloat16';
  /** Receives Shampoo's inverse-root reports (the run logs them per epoch). */
  onInverseRoot?: (info: InverseRootInfo) => void;
}

interface Entry {
  label: string;
  /** Exported class name in src/index.ts (looked up at run time so optimizers still being written cost nothing). */
  className: string;
  /** The hyper-parameters this optimizer uses (what `tune` searches). */
  uses: HpName[];
  /** momentum is heavy-ball (a sum of past gradients): the step scales like lr/(1 − momentum). */
  heavyBall?: boolean;
  options(h: Hp, c: BuildContext): Record<string, unknown>;
}

/** The optimizer table: adding an optimizer is one entry. */
export const OPTIMIZERS: Record<string, Entry> = {
  sgd: { label: 'SGD', className: 'SGD', uses: ['lr', 'momentum', 'weightDecay'], heavyBall: true, options: (h, c) => ({ lr: c.lr, momentum: h.momentum, weightDecay: h.weightDecay }) },
  adamw: {
    label: 'AdamW',
    className: 'AdamW',
    uses: ['lr', 'momentum', 'lrCov', 'damping', 'weightDecay'],
    options: (h, c) => ({ lr: c.lr, beta1: h.momentum, beta2: 1 - h.lrCov!, epsilon: h.damping, weightDecay: h.weightDecay }),
  },
  rfrmsprop: {
    label: 'RF-RMSProp',
    className: 'RFRMSprop',
    uses: ['lr', 'momentum', 'lrCov', 'damping', 'weightDecay'],
    heavyBall: true,
    options: (h, c) => ({ lr: c.lr, momentum: h.momentum, alpha: 1 - h.lrCov!, damping: h.damping, weightDecay: h.weightDecay, batchSize: c.batchSize, stateDtype: c.precision }),
  },
  rfadamw: {
    label: 'RF-AdamW',
    className: 'RFAdamW',
    uses: ['lr', 'momentum', 'lrCov', 'damping', 'weightDecay'],
    options: (h, c) => ({ lr: c.lr, beta1: h.momentum, beta2: 1 - h.lrCov!, damping: h.damping, weightDecay: h.weightDecay, batchSize: c.batchSize, stateDtype: c.precision }),
  },
  ifshampoo: {
    label: 'IF-Shampoo',
    className: 'IFShampoo',
    uses: ['lr', 'momentum', 'lrCov', 'alpha2', 'damping', 'weightDecay'],
    heavyBall: true,
    options: (h, c) => ({
      lr: c.lr,
      alpha1: h.momentum,
      beta2: h.lrCov,
      alpha2: h.alpha2,
      lam: h.damping,
      kappa: h.weightDecay,
      T: h.T ?? 2,
      batchSize: c.batchSize,
      preconditionerDtypes: c.precision,
    }),
  },
  shampoo: {
    label: 'Shampoo',
    className: 'Shampoo',
    uses: ['lr', 'momentum', 'lrCov', 'damping', 'weightDecay'],
    options: shampooOptions,
  },
  // KFAC curvature from the Dense/Conv2D layers' inputs and output gradients (the harness attaches
  // the model, see train/run.ts); α₂ of the table is SINGD's Riemannian momentum α₁; other
  // parameters (BatchNorm) take the same momentum step unpreconditioned.
  singd: {
    label: 'SINGD',
    className: 'SINGD',
    uses: ['lr', 'momentum', 'lrCov', 'alpha2', 'damping', 'weightDecay'],
    options: (h, c) => ({
      lr: c.lr,
      momentum: h.momentum,
      lrCov: h.lrCov,
      alpha1: h.alpha2,
      damping: h.damping,
      weightDecay: h.weightDecay,
      T: h.T ?? 2,
      preconditionerDtypes: c.precision,
    }),
  },
  // Muon for conv filters and dense kernels, the reference's AdamW (lr/10, its default ratio
  // 0.02 : 2e-3 here) for biases and BatchNorm; Newton–Schulz in the run's precision.
  muon: {
    label: 'Muon',
    className: 'MuonWithAuxAdam',
    uses: ['lr', 'momentum', 'weightDecay'],
    options: (h, c) => ({
      lr: c.lr,
      momentum: h.momentum,
      weightDecay: h.weightDecay,
      nsPrecision: c.precision,
      adam: { lr: scaleSchedule(c.lr, 0.1), weightDecay: h.weightDecay },
    }),
  },
  // Same method and hyper-parameters, inverse roots by the coupled Newton iteration (SPEC §5.5):
  // the root PyTorch can run in half precision, where the eigen root (float64 here) cannot.
  'shampoo-newton': {
    label: 'Shampoo (Newton root)',
    className: 'Shampoo',
    uses: ['lr', 'momentum', 'lrCov', 'damping', 'weightDecay'],
    // 50 iterations / 1e-5 as in `rootfree halfprec` (docs/HALFPREC.md): float32 stalls above 1e-6.
    options: (h, c) => ({ ...shampooOptions(h, c), rootMethod: 'newton', newtonMaxIterations: 50, newtonTolerance: 1e-5 }),
  },
  // Claim 4's fair Newton configuration (docs/REPRODUCTION.md): a tolerance the bf16 iteration can
  // reach (1e-5 is below bf16 resolution, so every refresh ran all iterations; on fmnist-mlp the
  // bf16 residual floors at 2⁻⁶, so 2⁻⁷ = one ulp at 1 still runs to the cap: 2⁻⁵ it is) and a
  // relative ε (1e-2·‖L‖_F: an absolute ε below the factor's bf16 rounding step vanishes).
  // Shampoo's other tuned values; its damping (an absolute ε) is not used.
  'shampoo-newton-fair': {
    label: 'Shampoo (Newton root, bf16-matched tol., relative ε)',
    className: 'Shampoo',
    uses: ['lr', 'momentum', 'lrCov', 'weightDecay'],
    options: (h, c) => ({ ...shampooOptions(h, c), rootMethod: 'newton', newtonMaxIterations: 50, newtonTolerance: 2 ** -5, epsilon: 1e-2, relativeEpsilon: true }),
  },
};

/** The schedule `s` times `f` (numbers, schedule specs and functions alike). */
export function scaleSchedule(s: LrSchedule, f: number): LrSchedule {
  if (typeof s === 'number') return s * f;
  if (typeof s === 'function') return (step: number) => s(step) * f;
  const out = { ...s, value: s.value * f } as Record<string, unknown>;
  for (const k of ['minValue', 'warmupInit']) if (typeof out[k] === 'number') out[k] = (out[k] as number) * f;
  return out as unknown as LrSchedule;
}

/** SPEC §5.1: the paper's DistributedShampoo configuration (no grafting, no bias correction, decoupled decay). */
function shampooOptions(h: Hp, c: BuildContext): Record<string, unknown> {
  return {
    lr: c.lr,
    beta1: h.momentum,
    beta2: 1 - h.lrCov!,
    epsilon: h.damping,
    weightDecay: h.weightDecay,
    preconditionFrequency: h.T ?? 2,
    largeDimMethod: 'adagrad',
    grafting: 'none',
    biasCorrection: false,
    decoupledWeightDecay: true,
    preconditionerPrecision: c.precision === 'bfloat16' ? 'bfloat16' : 'float32',
    ...(c.onInverseRoot ? { onInverseRoot: c.onInverseRoot } : {}),
  };
}

export const DEFAULT_OPTIMIZERS = ['sgd', 'adamw', 'rfrmsprop', 'rfadamw', 'ifshampoo', 'shampoo'];

/** Heavy-ball momentum (SGD, RF-RMSProp, IF-Shampoo α1), where lr/(1 − momentum) is the effective step size. */
export function heavyBall(name: string): boolean {
  return OPTIMIZERS[name]?.heavyBall === true;
}

export function optimizerLabel(name: string): string {
  return OPTIMIZERS[name]?.label ?? name;
}

/** Whether the optimizer's class is exported by this build (IF-Shampoo/Shampoo may still be in progress). */
export function optimizerAvailable(name: string): boolean {
  const e = OPTIMIZERS[name];
  return !!e && typeof (rootfree as Record<string, unknown>)[e.className] === 'function';
}

export function checkOptimizerName(name: string): void {
  if (!OPTIMIZERS[name]) throw new Error(`unknown optimizer '${name}'; known: ${Object.keys(OPTIMIZERS).join(', ')}`);
  if (!optimizerAvailable(name)) throw new Error(`optimizer '${name}' (${OPTIMIZERS[name].className}) is not exported by this build of rootfree yet`);
}

/** Every rootfree optimizer is a RootfreeOptimizer: `applyGradients(grads, { batchSize })`, `learningRate`. */
export type HarnessOptimizer = rootfree.RootfreeOptimizer<{ lr: LrSchedule }>;

export function buildOptimizer(name: string, h: Hp, c: BuildContext): HarnessOptimizer {
  checkOptimizerName(name);
  const e = OPTIMIZERS[name];
  const Cls = (rootfree as Record<string, unknown>)[e.className] as new (o: Record<string, unknown>) => HarnessOptimizer;
  return new Cls(e.options(h, c));
}
