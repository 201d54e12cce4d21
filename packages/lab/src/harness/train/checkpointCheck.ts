import * as tf from '@tensorflow/tfjs-core';
import { existsSync, readFileSync } from 'node:fs';
import { CHECKPOINT_VERSION, computeChecksum, decodeValues, type Checkpoint, type CheckpointExpectation, type SavedTensor } from './checkpoint.js';

const FIELDS = ['version', 'epoch', 'step', 'rngState', 'trainSeconds', 'configKey', 'weights', 'optimizer', 'checksum'];
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const isInt = (x: unknown, lo: number, hi: number): x is number => typeof x === 'number' && Number.isInteger(x) && x >= lo && x <= hi;

/** One saved tensor: name, shape, dtype, base64 length matching the shape, every value finite. */
function checkTensor(t: unknown, where: string, fail: (m: string) => never): SavedTensor {
  const s = t as Partial<SavedTensor> | null;
  if (!s || typeof s !== 'object' || typeof s.name !== 'string') fail(`${where} is not a saved tensor {name, shape, dtype, data}`);
  if (!Array.isArray(s.shape) || !s.shape.every((d) => isInt(d, 0, 2 ** 31))) fail(`${where} ('${s.name}') has an invalid shape ${JSON.stringify(s.shape)}`);
  if (s.dtype !== 'float32' && s.dtype !== 'int32') fail(`${where} ('${s.name}') has dtype ${JSON.stringify(s.dtype)}, expected float32 or int32`);
  if (typeof s.data !== 'string' || !BASE64.test(s.data)) fail(`${where} ('${s.name}') data is not base64`);
  const size = s.shape.reduce((a, b) => a * b, 1);
  const bytes = (s.data.length / 4) * 3 - (s.data.endsWith('==') ? 2 : s.data.endsWith('=') ? 1 : 0);
  if (bytes !== size * 4) fail(`${where} ('${s.name}') holds ${bytes} bytes, its shape [${s.shape}] needs ${size * 4}`);
  const v = decodeValues(s as SavedTensor);
  const bad = v.findIndex((x) => !Number.isFinite(x));
  if (bad >= 0) fail(`${where} ('${s.name}') value ${bad} is ${v[bad]}`);
  return s as SavedTensor;
}

/**
 * Validates a parsed checkpoint against the run resuming it: version, checksum, configuration
 * key, epoch within the budget, step consistent with it, RNG state, every weight (count, shape,
 * dtype, finite values) and the optimizer state (starts with `iter` = step, per-unit entries in
 * order, each with a step count, finite values). Every failure is an error naming the file.
 */
export function validateCheckpoint(raw: unknown, file: string, e: CheckpointExpectation): Checkpoint {
  const fail = (m: string): never => {
    throw new Error(`${file}: corrupt checkpoint: ${m}; delete it to restart the run`);
  };
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) fail('not a JSON object');
  const ck = raw as Record<string, unknown>;
  if (ck.version !== CHECKPOINT_VERSION) {
    throw new Error(`${file}: checkpoint version ${JSON.stringify(ck.version)}, this lab reads version ${CHECKPOINT_VERSION} (with a checksum); delete it to restart the run`);
  }
  const unknown = Object.keys(ck).filter((k) => !FIELDS.includes(k));
  if (unknown.length) fail(`unexpected field(s) ${unknown.join(', ')}`);
  const absent = FIELDS.filter((k) => !(k in ck));
  if (absent.length) fail(`missing field(s) ${absent.join(', ')}`);
  if (typeof ck.checksum !== 'string' || computeChecksum(ck) !== ck.checksum) fail('checksum mismatch (the file was modified or damaged after it was written)');
  if (ck.configKey !== e.configKey) throw new Error(`${file}: written by a different run configuration; use a new --out or delete the directory`);
  if (!isInt(ck.epoch, 1, e.epochs)) fail(`epoch ${JSON.stringify(ck.epoch)} is outside 1..${e.epochs} (the run's budget)`);
  const epoch = ck.epoch as number;
  if (ck.step !== epoch * e.stepsPerEpoch) fail(`step ${JSON.stringify(ck.step)} does not match epoch ${epoch} × ${e.stepsPerEpoch} steps per epoch`);
  if (!isInt(ck.rngState, 0, 2 ** 32 - 1)) fail(`rngState ${JSON.stringify(ck.rngState)} is not a uint32`);
  if (typeof ck.trainSeconds !== 'number' || !(ck.trainSeconds >= 0) || !Number.isFinite(ck.trainSeconds)) fail(`trainSeconds ${JSON.stringify(ck.trainSeconds)} is not a finite number >= 0`);

  if (!Array.isArray(ck.weights)) fail('weights is not a list');
  const weights = ck.weights as unknown[];
  if (weights.length !== e.vars.length) fail(`${weights.length} saved weights, the model has ${e.vars.length}`);
  weights.forEach((w, i) => {
    const s = checkTensor(w, `weight ${i}`, fail);
    if (s.name !== String(i)) fail(`weight ${i} is named '${s.name}'`);
    if (!tf.util.arraysEqual(s.shape, e.vars[i].shape)) fail(`weight ${i} has shape [${s.shape}], the model's is [${e.vars[i].shape}]`);
    if (s.dtype !== e.vars[i].dtype) fail(`weight ${i} has dtype ${s.dtype}, the model's is ${e.vars[i].dtype}`);
  });

  if (!Array.isArray(ck.optimizer) || ck.optimizer.length === 0) fail('optimizer state is not a non-empty list');
  const state = (ck.optimizer as unknown[]).map((w, i) => checkTensor(w, `optimizer state ${i}`, fail));
  const [iter, ...rest] = state;
  if (iter.name !== 'iter' || iter.shape.length !== 0 || decodeValues(iter)[0] !== ck.step) fail(`optimizer state must start with 'iter' = step ${String(ck.step)}, got '${iter.name}' = ${decodeValues(iter)[0]}`);
  // Per unit u: `<u>/<params>/<slot>` entries, then `<u>/<params>/count`; units numbered 0, 1, 2, … in order.
  let unit = 0;
  let counted = true;
  let prefix = '';
  for (const w of rest) {
    const m = /^(\d+)\/(.+)\/([^/]+)$/.exec(w.name);
    if (!m) fail(`optimizer state name '${w.name}' is not '<unit>/<params>/<slot>'`);
    const u = Number(m![1]);
    if (counted) {
      if (u !== unit) fail(`optimizer state '${w.name}': expected unit ${unit} next (entries missing or out of order)`);
      prefix = `${m![1]}/${m![2]}`;
      counted = false;
    } else if (`${m![1]}/${m![2]}` !== prefix) fail(`optimizer state '${w.name}': unit ${prefix} has no step count (entries missing)`);
    if (m![3] === 'count') {
      const c = decodeValues(w)[0];
      if (w.shape.length !== 0 || !isInt(c, 0, ck.step as number)) fail(`optimizer state '${w.name}' = ${c} is not a step count in 0..${String(ck.step)}`);
      counted = true;
      unit++;
    }
  }
  if (!counted) fail(`optimizer state: unit ${prefix} has no step count (the list is truncated)`);
  return ck as unknown as Checkpoint;
}

/**
 * Reads and validates a checkpoint (checksum, then every field against the run: see
 * checkpointCheck.ts). Returns null when there is none; any problem is an error naming the file.
 */
export function readCheckpoint(path: string, expect: CheckpointExpectation): Checkpoint | null {
  if (!existsSync(path)) return null;
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new Error(`${path}: corrupt checkpoint, not valid JSON (${(e as Error).message}); delete it to restart the run`);
  }
  return validateCheckpoint(raw, path, expect);
}

