import * as tf from '@tensorflow/tfjs-core';
import type { ParamInfo } from '../optim/types.js';

/** `{ name, tensor }`, as `tf.Optimizer.applyGradients` takes it (tfjs-core does not export the type). */
export interface NamedTensor {
  name: string;
  tensor: tf.Tensor;
}

export type GradList = Array<{ name: string; tensor: tf.Tensor | null }>;

export function normalizeGradients(g: tf.NamedTensorMap | NamedTensor[]): GradList {
  if (Array.isArray(g)) return g.map((x) => ({ name: x.name, tensor: x.tensor ?? null }));
  if (!g || typeof g !== 'object') throw new TypeError('applyGradients: expected a tf.NamedTensorMap or NamedTensor[]');
  return Object.keys(g).map((name) => ({ name, tensor: g[name] ?? null }));
}

/** The registered variable behind a gradient, after checking the gradient. */
export function checkGradient(name: string, grad: tf.Tensor | null, owner: string): tf.Variable {
  const v = tf.engine().registeredVariables[name] as tf.Variable | undefined;
  if (!v) throw new Error(`${owner}.applyGradients: unknown variable '${name}' (not a registered tf.Variable)`);
  if (grad === null) return v;
  if (!(grad instanceof tf.Tensor)) throw new TypeError(`applyGradients: gradient of '${name}' is not a tf.Tensor${foreignHint(grad)}`);
  if (!tf.util.arraysEqual(grad.shape, v.shape)) {
    throw new Error(`applyGradients: gradient of '${name}' has shape [${grad.shape}] but the variable has shape [${v.shape}]`);
  }
  if (grad.dtype !== 'float32' || v.dtype !== 'float32') {
    throw new Error(`applyGradients: '${name}' must be float32 (variable ${v.dtype}, gradient ${grad.dtype})`);
  }
  return v;
}

/** Says when a value looks like a tensor of another copy of tfjs-core (two versions installed). */
function foreignHint(x: unknown): string {
  const t = x as { dataId?: unknown; shape?: unknown; dtype?: unknown } | null;
  if (!t || typeof t !== 'object' || t.dataId === undefined || !Array.isArray(t.shape)) return '';
  return (
    ` but a tensor of another copy of @tensorflow/tfjs-core (rootfree uses ${tf.version_core}). ` +
    'Two tfjs-core copies are installed: run `npm ls @tensorflow/tfjs-core` and make every tfjs package use one version'
  );
}

export function checkPartition(partition: number[][], info: ParamInfo[]): void {
  const claimed = new Array(info.length).fill(0);
  partition.forEach((u) => u.forEach((i) => claimed[i]++));
  const lost = info.filter((_, i) => claimed[i] === 0).map((p) => p.name);
  const twice = info.filter((_, i) => claimed[i] > 1).map((p) => p.name);
  if (lost.length) throw new Error(`no parameter-combination rule claims: ${lost.join(', ')}`);
  if (twice.length) throw new Error(`parameters claimed by more than one combination rule: ${twice.join(', ')}`);
}

/** PyTorch `clip_grad_norm_`: every gradient times min(1, max/(‖g‖₂ + 1e-6)). */
export function clipByGlobalNorm(grads: Array<tf.Tensor | null>, maxNorm: number): Array<tf.Tensor | null> {
  const present = grads.filter((g): g is tf.Tensor => g !== null);
  if (present.length === 0) return grads;
  const norm = tf.sqrt(tf.addN(present.map((g) => tf.sum(tf.square(g)))));
  const scale = tf.minimum(1, tf.div(maxNorm, tf.add(norm, 1e-6)));
  return grads.map((g) => (g === null ? null : tf.mul(g, scale)));
}
