import * as tf from '@tensorflow/tfjs-core';
import { existsSync, readFileSync } from 'node:fs';
import type { NamedTensor } from 'rootfree';

interface SavedTensor {
  name: string;
  shape: number[];
  dtype: 'float32' | 'int32';
  data: string;
}

/** Everything needed to continue a run exactly: weights, optimizer state, RNG state, position. */
export interface Checkpoint {
  version: 1;
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
}

function encode(name: string, t: tf.Tensor): SavedTensor {
  const data = t.dataSync();
  const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return { name, shape: t.shape.slice(), dtype: t.dtype === 'int32' ? 'int32' : 'float32', data: Buffer.from(bytes).toString('base64') };
}

function decode(s: SavedTensor): tf.Tensor {
  const buf = Buffer.from(s.data, 'base64');
  const copy = new Uint8Array(buf.length);
  copy.set(buf);
  const values = s.dtype === 'int32' ? new Int32Array(copy.buffer) : new Float32Array(copy.buffer);
  return tf.tensor(values, s.shape, s.dtype);
}

export async function makeCheckpoint(
  meta: Omit<Checkpoint, 'version' | 'weights' | 'optimizer'>,
  vars: tf.Variable[],
  optimizer: tf.Optimizer,
): Promise<Checkpoint> {
  const opt = await optimizer.getWeights();
  return { version: 1, ...meta, weights: vars.map((v, i) => encode(String(i), v)), optimizer: opt.map((w) => encode(w.name, w.tensor)) };
}

/** Writes a temporary file, then renames it over the target: a crash leaves the old checkpoint intact. */
export function readCheckpoint(path: string): Checkpoint | null {
  if (!existsSync(path)) return null;
  const ck = JSON.parse(readFileSync(path, 'utf8')) as Checkpoint;
  if (ck.version !== 1) throw new Error(`${path}: unsupported checkpoint version ${ck.version}`);
  return ck;
}

/** Restores weights (by position) and the optimizer state (bound lazily on its first step). */
export async function restoreCheckpoint(ck: Checkpoint, vars: tf.Variable[], optimizer: tf.Optimizer, file: string): Promise<void> {
  if (ck.weights.length !== vars.length) throw new Error(`${file}: ${ck.weights.length} saved weights, the model has ${vars.length}`);
  ck.weights.forEach((w, i) => {
    if (!tf.util.arraysEqual(w.shape, vars[i].shape)) throw new Error(`${file}: weight ${i} has shape [${w.shape}], the model's is [${vars[i].shape}]`);
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
