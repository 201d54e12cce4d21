import * as tf from '@tensorflow/tfjs-core';
import { AdamW, RFAdamW, RFRMSprop, RMSprop, SGD } from 'rootfree';
import { storageAccess } from 'rootfree/internal';
import { E } from 'rootfree/internal';
import { runSimd, setFusedSimd } from 'rootfree/internal';
import { median, timeVariants, type Sampling, type Variant } from './lib.js';

/** The memory floor: STREAM-like kernels over plain Float32Arrays in this process. */
export interface FloorResult {
  n: number;
  /** ms per triad a[i] = b[i] + s·c[i] (12 B/element moved). */
  triadMs: number[];
  /** ms per `Float32Array.set` copy (8 B/element). */
  copyMs: number[];
  /** ms per triad as a wasm SIMD loop over the tfjs heap (wasm backend only). */
  simdTriadMs?: number[];
  triadGBps: number;
  copyGBps: number;
  simdTriadGBps?: number;
}

export function benchFloor(n: number, s: Sampling): FloorResult {
  const a = new Float32Array(n);
  const b = new Float32Array(n).fill(1);
  const c = new Float32Array(n).fill(2);
  let scalar = 0.5;
  const triad = (): void => {
    const k = scalar;
    for (let i = 0; i < n; i++) a[i] = b[i] + k * c[i];
    scalar = a[n >> 1] * 1e-9 + 0.5; // a data dependency the JIT cannot drop
  };
  const copy = (): void => {
    a.set(b);
  };
  const variants: Variant[] = [{ name: 'triad', run: triad }, { name: 'copy', run: copy }];
  // The same triad compiled to f32x4 and run on three tfjs tensors in the wasm heap: the floor
  // the fused SIMD kernels compete with.
  const acc = storageAccess();
  const heap = acc?.memory ? [tf.zeros([n]), tf.ones([n]), tf.ones([n])] : [];
  if (heap.length) {
    const spans = heap.map((t) => acc!.read(t)!);
    const prog = { buffers: 3, params: 1, body: [E.store(0, E.add(E.load(1), E.mul(E.param(0), E.load(2))))] };
    variants.push({ name: 'simdTriad', run: () => void runSimd(acc!, 'bench-triad', () => prog, n, spans, [0.5]) });
  }
  const t = timeVariants(variants, s);
  heap.forEach((x) => x.dispose());
  return {
    n,
    triadMs: t.triad,
    copyMs: t.copy,
    triadGBps: (12 * n) / (median(t.triad) * 1e6),
    copyGBps: (8 * n) / (median(t.copy) * 1e6),
    ...(t.simdTriad ? { simdTriadMs: t.simdTriad, simdTriadGBps: (12 * n) / (median(t.simdTriad) * 1e6) } : {}),
  };
}

type OptLike = { applyGradients(g: Array<{ name: string; tensor: tf.Tensor }>): void; dispose(): void };

export interface DiagonalMethod {
  id: string;
  label: string;
  /** Bytes one step must move per parameter: reads of p, g and state, writes of p and state. */
  bytesPerParam: number;
  make: (fused: boolean, extra?: Record<string, unknown>) => OptLike;
  baseline?: { label: string; make: () => OptLike };
}

const LR = 1e-3;
export const DIAGONAL_METHODS: DiagonalMethod[] = [
  {
    id: 'sgd-momentum',
    label: 'SGD momentum 0.9',
    bytesPerParam: 20,
    make: (fused, x = {}) => new SGD({ lr: LR, momentum: 0.9, fused, nonFinite: 'none', ...x }),
    baseline: { label: 'tf.train.momentum', make: () => tf.train.momentum(LR, 0.9) },
  },
  {
    id: 'adamw',
    label: 'AdamW',
    bytesPerParam: 28,
    make: (fused, x = {}) => new AdamW({ lr: LR, weightDecay: 0.01, fused, nonFinite: 'none', ...x }),
    baseline: { label: 'tf.train.adam', make: () => tf.train.adam(LR) },
  },
  { id: 'rmsprop', label: 'RMSprop', bytesPerParam: 20, make: (fused, x = {}) => new RMSprop({ lr: LR, fused, nonFinite: 'none', ...x }) },
  { id: 'rfrmsprop', label: 'RF-RMSprop momentum 0.9', bytesPerParam: 28, make: (fused, x = {}) => new RFRMSprop({ lr: LR, momentum: 0.9, batchSize: 128, fused, nonFinite: 'none', ...x }) },
  { id: 'rfrmsprop-bf16', label: 'RF-RMSprop momentum 0.9, bf16 state', bytesPerParam: 28, make: (fused, x = {}) => new RFRMSprop({ lr: LR, momentum: 0.9, batchSize: 128, stateDtype: 'bf16', fused, nonFinite: 'none', ...x }) },
  { id: 'rfadamw', label: 'RF-AdamW', bytesPerParam: 28, make: (fused, x = {}) => new RFAdamW({ lr: LR, batchSize: 128, fused, nonFinite: 'none', ...x }) },
  { id: 'rfadamw-bf16', label: 'RF-AdamW, bf16 state', bytesPerParam: 28, make: (fused, x = {}) => new RFAdamW({ lr: LR, batchSize: 128, stateDtype: 'bf16', fused, nonFinite: 'none', ...x }) },
];

export type Layout = 'one' | 'x200';

export interface DiagonalGroup {
  method: string;
  label: string;
  bytesPerParam: number;
  params: number;
  layout: Layout;
  /** ms per step, every sample, per variant: fused, composite, baseline (tf.train.*), fusedChecked. */
  samples: Record<string, number[]>;
  baselineLabel?: string;
}

let uid = 0;
function problem(params: number, layout: Layout): { vars: tf.Variable[]; grads: Array<{ name: string; tensor: tf.Tensor }> } {
  const sizes = layout === 'one' ? [params] : Array.from({ length: 200 }, () => params / 200);
  const vars = sizes.map((n) => {
    const t = tf.randomNormal([n], 0, 0.1, 'float32', 1);
    const v = tf.variable(t, true, `bench_diag_${++uid}`);
    t.dispose(); // the variable must be the only owner of its storage for in-place updates
    return v;
  });
  const grads = vars.map((v) => ({ name: v.name, tensor: tf.randomNormal(v.shape, 0, 1e-2, 'float32', 2) }));
  return { vars, grads };
}

/**
 * One group: the same parameters and gradients stepped by the fused path, the composite path
 * and the tfjs built-in (separate copies so every variant keeps its own state), alternating.
 */
export function benchDiagonalGroup(m: DiagonalMethod, params: number, layout: Layout, s: Sampling, opts: { composite: boolean; baseline: boolean; checked: boolean; jsLoop?: boolean }): DiagonalGroup {
  const made: Array<{ opt: OptLike; vars: tf.Variable[]; grads: Array<{ name: string; tensor: tf.Tensor }> }> = [];
  const variants: Variant[] = [];
  const add = (name: string, opt: OptLike): void => {
    const p = problem(params, layout);
    made.push({ opt, ...p });
    variants.push({ name, run: () => opt.applyGradients(p.grads) });
  };
  add('fused', m.make(true));
  if (opts.jsLoop) {
    // The fused update as scalar JS loops instead of wasm SIMD (wasm only; the cpu path is always JS).
    const p = problem(params, layout);
    const opt = m.make(true);
    made.push({ opt, ...p });
    variants.push({
      name: 'fusedJs',
      run: () => {
        setFusedSimd(false);
        try {
          opt.applyGradients(p.grads);
        } finally {
          setFusedSimd(true);
        }
      },
    });
  }
  if (opts.composite) add('composite', m.make(false));
  if (opts.baseline && m.baseline) add('baseline', m.baseline.make());
  if (opts.checked) {
    // The default NaN/Inf policy ('throw') adds a read pass over the gradients.
    add('fusedChecked', m.make(true, { nonFinite: 'throw' }));
  }
  try {
    const samples = timeVariants(variants, s);
    return { method: m.id, label: m.label, bytesPerParam: m.bytesPerParam, params, layout, samples, baselineLabel: m.baseline?.label };
  } finally {
    for (const x of made) {
      x.opt.dispose();
      x.vars.forEach((v) => v.dispose());
      x.grads.forEach((g) => g.tensor.dispose());
    }
  }
}
