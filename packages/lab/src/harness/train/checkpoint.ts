import * as tf from '@tensorflow/tfjs-core';
import type { NamedTensor } from 'rootfree';
import { sha256 } from '../provenance/hash.js';

export interface SavedTensor {
  name: string;
  shape: number[];
  dtype: 'float32' | 'int32';
  data: string;
}

export const CHECKPOINT_VERSION = 2;

/** Everything needed to continue a run exactly: weights, optimizer state, RNG state, position. */
export interface Checkpoint {
  version: typeof CHECKPOINT_VERSION;
  /** Completed epochs. */
  epoch: number;
  step: number;
  rngState: number;
  /** Cumulative training wall-clock (s) and step count measured so far. */
  trainSeconds: number;
  /** Identity of the run configuration; a resume with a different one is refused. */
  configKey: string;
  weights: SavedTensor[];
  optimizer: SavedTensor[];
  /** SHA-256 of the checkpoint's JSON without this field (see {@link checkpointText}). */
  checksum: string;
}

/** What a checkpoint must match to be resumed (the run being resumed). */
export interface CheckpointExpectation {
  configKey: string;
  /** The budget's epochs (a checkpoint is written after epoch 1..epochs). */
  epochs: number;
  stepsPerEpoch: number;
  vars: tf.Variable[];
}

function encode(name: string, t: tf.Tensor): SavedTensor {
  const data = t.dataSync();
  const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return { name, shape: t.shape.slice(), dtype: t.dtype === 'int32' ? 'int32' : 'float32', data: Buffer.from(bytes).toString('base64') };
}

/** The values of a saved tensor (length already validated). */
export function decodeValues(s: SavedTensor): Float32Array | Int32Array {
  const buf = Buffer.from(s.data, 'base64');
  const copy = new Uint8Array(buf.length);
  copy.set(buf);
  return s.dtype === 'int32' ? new Int32Array(copy.buffer) : new Float32Array(copy.buffer);
}

function decode(s: SavedTensor): tf.Tensor {
  return tf.tensor(decodeValues(s), s.shape, s.dtype);
}

/** The checkpoint as written to disk: its JSON with the checksum of everything else appended. */
export function checkpointText(ck: Omit<Checkpoint, 'checksum'>): string {
  const { checksum: _drop, ...body } = ck as Checkpoint;
  const text = JSON.stringify(body);
  return `${text.slice(0, -1)},"checksum":"${sha256(text)}"}`;
}

/** Recomputes the checksum of a parsed checkpoint (the writer's key order is kept by JSON.parse). */
export function computeChecksum(ck: Record<string, unknown>): string {
  const { checksum: _drop, ...body } = ck;
  return sha256(JSON.stringify(body));
}

export async function makeCheckpoint(
  meta: Omit<Checkpoint, 'version' | 'weights' | 'optimizer' | 'checksum'>,
  vars: tf.Variable[],
  optimizer: tf.Optimizer,
): Promise<Omit<Checkpoint, 'checksum'>> {
  const opt = await optimizer.getWeights();
  return { version: CHECKPOINT_VERSION, ...meta, weights: vars.map((v, i) => encode(String(i), v)), optimizer: opt.map((w) => encode(w.name, w.tensor)) };
}

/** Restores weights (by position) and the optimizer state (bound lazily on its first step). */
export async function restoreCheckpoint(ck: Checkpoint, vars: tf.Variable[], optimizer: tf.Optimizer): Promise<void> {
  ck.weights.forEach((w, i) => {
    const t = decode(w);
    vars[i].assign(t);
    t.dispose();
  });
  const list: NamedTensor[] = ck.optimizer.map((w) => ({ name: w.name, tensor: decode(w) }));
  try {
    await optimizer.setWeights(list);
  } finally {
    list.forEach((w) => w.tensor.dispose());
  }
}

/**
 * After the first step of a resumed run the optimizer has bound its state: it must be exactly the
 * checkpoint's list (names, shapes, dtypes). A slot the checkpoint lacks (a truncated list) would
 * otherwise start from fresh state silently.
 */
export async function checkRestoredState(ck: Checkpoint, optimizer: tf.Optimizer, file: string): Promise<void> {
  // Entries are matched as `<unit>/<slot>` (what setWeights uses): the parameter names in the middle
  // carry tfjs's process-wide layer counters, which differ between processes.
  const id = (name: string) => name.replace(/^(\d+)\/.*\/([^/]+)$/, '$1/$2');
  const live = (await optimizer.getWeights()).map((w) => ({ name: id(w.name), tensor: w.tensor }));
  const saved = new Map(ck.optimizer.map((w) => [id(w.name), w]));
  const missing = live.filter((w) => !saved.has(w.name)).map((w) => w.name);
  if (missing.length > 0) {
    throw new Error(`${file}: corrupt checkpoint: the optimizer state list is incomplete, ${missing.length} entr${missing.length === 1 ? 'y' : 'ies'} missing (${missing.slice(0, 3).join(', ')}${missing.length > 3 ? ', …' : ''}); delete it to restart the run`);
  }
  const liveNames = new Set(live.map((w) => w.name));
  const extra = ck.optimizer.filter((w) => !liveNames.has(id(w.name))).map((w) => w.name);
  if (extra.length > 0) throw new Error(`${file}: corrupt checkpoint: optimizer state entries the optimizer does not have (${extra.slice(0, 3).join(', ')})`);
  for (const w of live) {
    const s = saved.get(w.name)!;
    if (!tf.util.arraysEqual(s.shape, w.tensor.shape)) throw new Error(`${file}: corrupt checkpoint: optimizer state '${w.name}' has shape [${s.shape}], the optimizer's is [${w.tensor.shape}]`);
  }
}
