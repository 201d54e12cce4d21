import * as tf from '@tensorflow/tfjs-core';
import { SINGD, type KfacLayerSpec } from 'rootfree';
import type { GoldenCase } from './golden.js';

/** Same shapes as runner.ts's CaseResult / RunOptions (kept here so the two files import one way only). */
export interface LayerIoResult {
  caseId: string;
  status: 'PASS' | 'FAIL' | 'SKIP';
  maxAbsErr: number;
  line: string;
}

/**
 * Golden files with the `layer_io` extension (v3 README §2): SINGD trajectories whose steps also
 * carry each layer's input and output gradient. The replay is TensorFlow.js-native: weights,
 * gradients and layer data are transposed to tfjs layouts (Dense kernel [in, out], Conv2D filter
 * [kh, kw, in/G, out], NHWC activations), fed through `SINGD.setLayerStatistics`, and the
 * parameters are transposed back for the comparison.
 */

/** The extensions this reader understands. */
export const KNOWN_EXTENSIONS = ['layer_io'];

interface LayerEntry {
  name: string;
  kind: 'Linear' | 'Conv2d';
  config: Record<string, any>;
  weight: number;
  bias: number | null;
  input_shape: number[];
  output_shape: number[];
}

interface LayerIoStep {
  layer: string;
  updates_preconditioner: boolean;
  input: number[];
  grad_output: number[];
}

export interface LayerIoCase extends GoldenCase {
  format_extensions?: string[];
  layers: LayerEntry[];
  steps: Array<GoldenCase['steps'][number] & { layer_io: LayerIoStep[] }>;
}

export function hasLayerIo(c: GoldenCase): c is LayerIoCase {
  return ((c as LayerIoCase).format_extensions ?? []).includes('layer_io');
}

/** PyTorch → tfjs permutation of a weight (and its inverse for the comparison). */
const toTfjsPerm = (rank: number) => (rank === 2 ? [1, 0] : rank === 4 ? [2, 3, 1, 0] : [0]);
const fromTfjsPerm = (rank: number) => (rank === 2 ? [1, 0] : rank === 4 ? [3, 2, 0, 1] : [0]);
/** NCHW → NHWC for conv activations; identity otherwise. */
const activation = (flat: number[], shape: number[], conv: boolean): tf.Tensor =>
  tf.tidy(() => (conv ? tf.transpose(tf.tensor(flat, shape, 'float32'), [0, 2, 3, 1]) : tf.tensor(flat, shape, 'float32')));

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const dtype = (v: unknown): string => (v === null || v === undefined ? 'float32' : String(v).replace('torch.', '').replace('float64', 'float32'));

/** The singd constructor arguments (one group's) in rootfree's names. */
function singdOptions(p: Record<string, any>): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  const map: Record<string, string> = { lr: 'lr', momentum: 'momentum', damping: 'damping', alpha1: 'alpha1', weight_decay: 'weightDecay', T: 'T', lr_cov: 'lrCov', kfac_approx: 'kfacApprox', kfac_like: 'kfacLike', normalize_lr_cov: 'normalizeLrCov' };
  for (const [k, v] of Object.entries(map)) if (k in p) o[v] = p[k];
  if ('loss_average' in p) o.lossAverage = p.loss_average ?? 'none';
  // The goldens replay singd's block-diagonal transpose quirk (v3 README §7.1): the `Ref` variant.
  if ('structures' in p) o.structures = (p.structures as string[]).map((s) => s.replace(/^(block\d+diagonal)$/i, '$1Ref'));
  if ('preconditioner_dtype' in p) o.preconditionerDtypes = (p.preconditioner_dtype as unknown[]).map(dtype);
  return o;
}

export function buildSingd(c: LayerIoCase, varNames: string[]): SINGD {
  const { param_groups: groups, init_grad_scale: scale, ...top } = c.hyperparameters as Record<string, any>;
  if (scale !== undefined && scale !== 1) throw new Error(`${c.case_id}: init_grad_scale ${scale} (gradient scaling is not supported)`);
  const opt = new SINGD({
    ...singdOptions(top),
    nonFinite: 'none',
    paramGroups: ((groups ?? []) as Array<Record<string, any>>).map((g) => ({
      match: `^(${(g.params as string[]).map((n) => escapeRe(varNames[c.params.findIndex((q) => q.name === n)])).join('|')})$`,
      options: singdOptions(g),
    })),
  });
  for (const l of c.layers) opt.registerLayer(layerSpec(l, varNames));
  return opt;
}

function layerSpec(l: LayerEntry, varNames: string[]): KfacLayerSpec {
  const spec: KfacLayerSpec = { name: l.name, kind: l.kind === 'Linear' ? 'dense' : 'conv2d', weight: varNames[l.weight], bias: l.bias === null ? null : varNames[l.bias] };
  if (l.kind === 'Conv2d') {
    const cfg = l.config;
    const padding = typeof cfg.padding === 'string' ? cfg.padding : (cfg.padding as [number, number]);
    Object.assign(spec, { strides: cfg.stride, padding, dilation: cfg.dilation, groups: cfg.groups ?? 1 });
  }
  return spec;
}

/** A stored parameter as the replay presents it (the shape of conf's `ParamView`). */
export interface LayerIoView {
  name: string;
  shape: number[];
  toRootfree(values: readonly number[]): number[];
  fromRootfree(values: ArrayLike<number>): number[];
}

function permuted(values: ArrayLike<number>, shape: number[], perm: number[]): number[] {
  const t = tf.tensor(Array.from(values), shape, 'float32');
  const p = tf.transpose(t, perm);
  const out = Array.from(p.dataSync());
  tf.dispose([t, p]);
  return out;
}

/** PyTorch-layout parameter ↔ tfjs-layout variable named `<prefix><name>`. */
function tfjsView(p: GoldenCase['params'][number], prefix: string): LayerIoView {
  const to = toTfjsPerm(p.shape.length);
  const shape = to.map((a) => p.shape[a]);
  return {
    name: prefix + p.name,
    shape,
    toRootfree: (v) => permuted(v, p.shape, to),
    fromRootfree: (v) => permuted(v, shape, fromTfjsPerm(p.shape.length)),
  };
}

/**
 * The mapping of a `layer_io` SINGD case: the optimizer (hyper-parameters, groups, registered
 * layers), the parameter views, and what to feed before each step (the statistics of the layers
 * whose `updates_preconditioner` is true). Shaped like conf's `CaseSetup` so that it can be
 * registered with `registerCaseFactory('SINGD', …, { extensions: ['layer_io'] })`.
 */
export function singdLayerIoSetup(c: LayerIoCase, prefix: string): { optimizer: SINGD; views: LayerIoView[]; beforeStep(step: Record<string, unknown>): void } {
  const views = c.params.map((p) => tfjsView(p, prefix));
  const optimizer = buildSingd(c, views.map((v) => v.name));
  const layers = new Map(c.layers.map((l) => [l.name, l]));
  return {
    optimizer,
    views,
    beforeStep(step) {
      for (const io of step.layer_io as LayerIoStep[]) {
        if (!io.updates_preconditioner) continue;
        const l = layers.get(io.layer);
        if (!l) throw new Error(`${c.case_id}: layer_io names unknown layer '${io.layer}'`);
        const input = activation(io.input, l.input_shape, l.kind === 'Conv2d');
        const gradOutput = activation(io.grad_output, l.output_shape, l.kind === 'Conv2d');
        try {
          optimizer.setLayerStatistics(io.layer, { input, gradOutput });
        } finally {
          tf.dispose([input, gradOutput]);
        }
      }
    },
  };
}

/**
 * Replays a `layer_io` file: per step, the statistics, then the gradients, `applyGradients`, and
 * the comparison |a − b| <= atol + rtol·|b| (float32 tolerance; bf16 cases: the file's bf16
 * tolerance against `params_after_float64_run`).
 */
export function runLayerIoCase(c: LayerIoCase, options: { atol?: number; rtol?: number } = {}): LayerIoResult {
  const unknown = (c.format_extensions ?? []).filter((e) => !KNOWN_EXTENSIONS.includes(e));
  if (unknown.length) return { caseId: c.case_id, status: 'SKIP', maxAbsErr: NaN, line: `SKIP ${c.case_id} unknown format extension(s) ${unknown.join(', ')}` };
  if (c.optimizer !== 'SINGD') return { caseId: c.case_id, status: 'SKIP', maxAbsErr: NaN, line: `SKIP ${c.case_id} layer_io for optimizer ${c.optimizer} not built` };
  const bf16 = c.dtype !== 'float64';
  const tol = bf16 ? (c.check?.suggested_tolerance?.bf16 ?? { atol: 2e-2, rtol: 0 }) : { atol: 2e-5, rtol: 1e-5 };
  const atol = options.atol ?? tol.atol;
  const rtol = options.rtol ?? tol.rtol;
  const setup = singdLayerIoSetup(c, `golden${++cases}_`);
  const { optimizer: opt, views } = setup;
  const vars = c.params.map((p, i) => {
    const init = tf.tensor(views[i].toRootfree(p.init), views[i].shape, 'float32');
    const v = tf.variable(init, true, views[i].name);
    init.dispose();
    return v;
  });
  let maxErr = 0;
  let failure: string | null = null;
  try {
    for (const s of c.steps) {
      setup.beforeStep(s as unknown as Record<string, unknown>);
      const grads = vars.map((v, i) => ({ name: v.name, tensor: tf.tensor(views[i].toRootfree(s.grads[i]), views[i].shape, 'float32') }));
      opt.applyGradients(grads, { batchSize: c.batch_size ?? undefined });
      tf.dispose(grads.map((g) => g.tensor));
      const want = bf16 && s.params_after_float64_run ? s.params_after_float64_run : s.params_after;
      for (let i = 0; i < vars.length && !failure; i++) {
        const got = views[i].fromRootfree(vars[i].dataSync());
        for (let k = 0; k < got.length; k++) {
          const err = Math.abs(got[k] - want[i][k]);
          if (!(err <= maxErr)) maxErr = Number.isNaN(err) ? Infinity : Math.max(maxErr, err);
          if (!(err <= atol + rtol * Math.abs(want[i][k]))) {
            failure = `FAIL ${c.case_id} step=${s.step} param=${c.params[i].name}[${k}] got=${got[k]} want=${want[i][k]} abs_err=${err.toExponential(2)}`;
            break;
          }
        }
      }
      if (failure) break;
    }
  } finally {
    vars.forEach((v) => v.dispose());
    opt.dispose();
  }
  if (failure) return { caseId: c.case_id, status: 'FAIL', maxAbsErr: maxErr, line: failure };
  return { caseId: c.case_id, status: 'PASS', maxAbsErr: maxErr, line: `PASS ${c.case_id} max_abs_err=${maxErr.toExponential(2)}` };
}

let cases = 0;
