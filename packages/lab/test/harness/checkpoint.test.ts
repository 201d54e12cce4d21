import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { hparamsFor } from '../../src/harness/hparams.js';
import { getTask, type Budget } from '../../src/harness/tasks.js';
import { checkpointText, type Checkpoint } from '../../src/harness/train/checkpoint.js';
import { trainRun } from '../../src/harness/train/run.js';
import { harnessBackend, tmp } from './helpers.js';

const task = getTask('mnist-mlp');
const budget: Budget = { epochs: 2, batchSize: 32, trainSubset: 64, valSubset: 32, testSubset: 32 };

/** A run interrupted after epoch 1: its directory and parsed checkpoint. */
async function interrupted(optimizer = 'rfadamw'): Promise<{ base: Parameters<typeof trainRun>[0]; file: string; ck: Checkpoint }> {
  const dir = tmp('ckpt');
  const base = { task, budget, optimizer, hp: hparamsFor('mnist-mlp', optimizer).hp, seed: 1, precision: 'float32' as const, outDir: dir };
  await trainRun({ ...base, stopAfterEpoch: 1 });
  const file = join(dir, 'checkpoint.json');
  return { base, file, ck: JSON.parse(readFileSync(file, 'utf8')) as Checkpoint };
}

/** Writes a modified checkpoint with a valid checksum (what a buggy writer, not bit rot, would produce). */
const resign = (file: string, ck: Checkpoint) => writeFileSync(file, checkpointText(ck));

function setValue(t: Checkpoint['weights'][number], index: number, v: number): void {
  const buf = Buffer.from(t.data, 'base64');
  buf.writeFloatLE(v, 4 * index);
  t.data = buf.toString('base64');
}

describe('--resume validates checkpoints', () => {
  beforeAll(() => harnessBackend('wasm'));

  it('a valid checkpoint resumes to the uninterrupted result', async () => {
    const { base } = await interrupted();
    const full = await trainRun({ ...base, outDir: tmp('ckpt-full') });
    const resumed = await trainRun({ ...base, resume: true });
    expect(resumed.weightsDigest).toBe(full.weightsDigest);
  });

  it('8 changed base64 characters in a weight: checksum error naming the file', async () => {
    const { base, file } = await interrupted();
    const text = readFileSync(file, 'utf8');
    const at = text.indexOf('"data":"') + 200;
    const flipped = text.slice(0, at) + [...text.slice(at, at + 8)].map((c) => (c === 'A' ? 'B' : 'A')).join('') + text.slice(at + 8);
    writeFileSync(file, flipped);
    await expect(trainRun({ ...base, resume: true })).rejects.toThrow(`${file}: corrupt checkpoint: checksum mismatch`);
  });

  it('a truncated optimizer list is an error, not fresh state (whole unit dropped, or its step count)', async () => {
    const a = await interrupted();
    const lastUnit = a.ck.optimizer[a.ck.optimizer.length - 1].name.split('/')[0];
    resign(a.file, { ...a.ck, optimizer: a.ck.optimizer.filter((w) => w.name.split('/')[0] !== lastUnit) });
    // rootfree's all-or-nothing setWeights refuses it when the state binds (the lab checks the bound
    // list too, for optimizers that would not): either way the error names the checkpoint.
    await expect(trainRun({ ...a.base, resume: true })).rejects.toThrow(
      new RegExp(`${a.file}: corrupt checkpoint: (the optimizer state list is incomplete, \\d+ entries missing \\(${lastUnit}/|the optimizer rejected its saved state \\(.*saved state has 5 parameter units but this model has 6)`),
    );
    const b = await interrupted();
    resign(b.file, { ...b.ck, optimizer: b.ck.optimizer.slice(0, -1) });
    await expect(trainRun({ ...b.base, resume: true })).rejects.toThrow(/corrupt checkpoint: optimizer state: unit .* has no step count \(the list is truncated\)/);
  });

  it('epoch beyond the budget is an error, not "done" without a result.json', async () => {
    const { base, file, ck } = await interrupted();
    resign(file, { ...ck, epoch: 99 });
    await expect(trainRun({ ...base, resume: true })).rejects.toThrow(`${file}: corrupt checkpoint: epoch 99 is outside 1..2 (the run's budget)`);
    resign(file, { ...ck, step: ck.step + 1 });
    await expect(trainRun({ ...base, resume: true })).rejects.toThrow(/step \d+ does not match epoch 1 × 2 steps per epoch/);
  });

  it('a NaN in an optimizer state slot or a weight is an error naming the slot, not a diverged method', async () => {
    const { base, file, ck } = await interrupted();
    const slot = ck.optimizer.find((w) => w.shape.length > 0)!;
    setValue(slot, 3, NaN);
    resign(file, ck);
    await expect(trainRun({ ...base, resume: true })).rejects.toThrow(new RegExp(`corrupt checkpoint: optimizer state \\d+ \\('${slot.name}'\\) value 3 is NaN`));
    const b = await interrupted();
    setValue(b.ck.weights[1], 0, Infinity);
    resign(b.file, b.ck);
    await expect(trainRun({ ...b.base, resume: true })).rejects.toThrow(/corrupt checkpoint: weight 1 \('1'\) value 0 is Infinity/);
  });

  it('shapes, dtypes, lengths and unknown fields are checked field by field', async () => {
    const { base, file, ck } = await interrupted();
    const cases: Array<[Checkpoint, RegExp]> = [
      [{ ...ck, weights: ck.weights.map((w, i) => (i === 0 ? { ...w, shape: [w.shape[1], w.shape[0]] } : w)) }, /weight 0 has shape \[\d+,\d+\], the model's is/],
      [{ ...ck, weights: ck.weights.map((w, i) => (i === 2 ? { ...w, dtype: 'int32' } : w)) }, /weight 2 has dtype int32, the model's is float32/],
      [{ ...ck, weights: ck.weights.map((w, i) => (i === 0 ? { ...w, data: w.data.slice(0, -8) } : w)) }, /weight 0 \('0'\) holds \d+ bytes, its shape/],
      [{ ...ck, weights: ck.weights.slice(1) }, /\d+ saved weights, the model has/],
      [{ ...ck, rngState: -1 }, /rngState -1 is not a uint32/],
      [{ ...ck, extra: 1 } as Checkpoint, /unexpected field\(s\) extra/],
    ];
    for (const [bad, re] of cases) {
      resign(file, bad);
      await expect(trainRun({ ...base, resume: true })).rejects.toThrow(re);
    }
  });
});
