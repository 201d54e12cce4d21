import * as tf from '@tensorflow/tfjs-core';
import { SINGD, type KfacLayerSpec } from 'rootfree';
import type { GoldenCase } from './golden.js';

/**
 * Golden files with the `layer_io` extension (v3 README §2): SINGD trajectories whose steps also
 * carry each layer's input and output gradient. The replay is TensorFlow.js-native: weights,
 * gradients and layer data are transposed to tfjs layouts (Dense kernel [in, out], Conv2D filter
 * [kh, kw, in/G, out], NHWC activations), fed through `SINGD.setLayerStatistics`, and the
 * parameters are transposed back for the comparison.
 */

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
