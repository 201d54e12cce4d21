import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../../src/backend/setup.js';
import { adamwMethod } from '../../src/optim/adamw.js';
import { rfAdamWMethod } from '../../src/optim/rfAdamW.js';
import { rfRmspropMethod } from '../../src/optim/rfRmsprop.js';
import { rmspropMethod } from '../../src/optim/rmsprop.js';
import { sgdMethod } from '../../src/optim/sgd.js';
import type { Method, ParamInfo, StepContext } from '../../src/optim/types.js';
import { fusedSimdEnabled, setFusedSimd } from '../../src/optim/fused/programs.js';
import { bitMismatches, compositeStep, disposeCopy, makeCopy, maxRelDiff, normals } from './helpers.js';

/**
 * Fused in-place updates (`applyInPlace`) against the composite tfjs-op updates (`apply`): 50
 * random steps per method and option combination, on cpu and wasm. Both perform the same float32
 * operations in the same order, so they must agree bit for bit; the relative bound is reported
 * for diagnosis.
 */
type Case = [string, Method<any>, Record<string, unknown>];
const cases: Case[] = [
  ['sgd plain', sgdMethod, { lr: 0.05 }],
  ['sgd weight decay', sgdMethod, { lr: 0.05, weightDecay: 0.05 }],
  ['sgd momentum', sgdMethod, { lr: 0.05, momentum: 0.9 }],
  ['sgd momentum dampening', sgdMethod, { lr: 0.05, momentum: 0.9, dampening: 0.3, weightDecay: 1e-3 }],
  ['sgd nesterov', sgdMethod, { lr: 0.05, momentum: 0.9, nesterov: true, weightDecay: 1e-2 }],
  ['adamw default', adamwMethod, { lr: 0.01 }],
  ['adamw no decay', adamwMethod, { lr: 0.01, weightDecay: 0 }],
  ['adamw amsgrad', adamwMethod, { lr: 0.01, amsgrad: true }],
  ['adamw amsgrad betas', adamwMethod, { lr: 0.02, amsgrad: true, beta1: 0.8, beta2: 0.95, weightDecay: 0.1, epsilon: 1e-6 }],
  ['rmsprop default', rmspropMethod, { lr: 0.01 }],
  ['rmsprop centered', rmspropMethod, { lr: 0.01, centered: true }],
  ['rmsprop momentum', rmspropMethod, { lr: 0.01, momentum: 0.9 }],
  ['rmsprop all', rmspropMethod, { lr: 0.01, centered: true, momentum: 0.9, weightDecay: 0.01, alpha: 0.9 }],
  ['rfrmsprop default', rfRmspropMethod, { lr: 0.01 }],
  ['rfrmsprop momentum wd', rfRmspropMethod, { lr: 0.01, momentum: 0.9, weightDecay: 0.01, alpha: 0.95 }],
  ['rfrmsprop bf16', rfRmspropMethod, { lr: 0.01, stateDtype: 'bfloat16' }],
  ['rfrmsprop bf16 momentum wd', rfRmspropMethod, { lr: 0.01, stateDtype: 'bfloat16', momentum: 0.9, weightDecay: 0.01, alpha: 0.9 }],
  ['rfrmsprop fp16 momentum', rfRmspropMethod, { lr: 0.01, stateDtype: 'float16', momentum: 0.9, damping: 1e-3 }],
  ['rfrmsprop dummy init, unscaled', rfRmspropMethod, { lr: 0.01, dummyInit: true, batchAveraged: false, damping: 1e-3 }],
  ['rfadamw default', rfAdamWMethod, { lr: 0.01 }],
  ['rfadamw bias correction wd', rfAdamWMethod, { lr: 0.01, biasCorrection: true, weightDecay: 0.01 }],
  ['rfadamw bf16', rfAdamWMethod, { lr: 0.01, stateDtype: 'bfloat16', beta2: 0.99 }],
  ['rfadamw bf16 bias correction wd', rfAdamWMethod, { lr: 0.01, stateDtype: 'bfloat16', biasCorrection: true, weightDecay: 0.1, beta1: 0.8 }],
  ['rfadamw fp16', rfAdamWMethod, { lr: 0.01, stateDtype: 'float16' }],
  ['rfadamw dummy scaling', rfAdamWMethod, { lr: 0.01, dummyScaling: true, dummyInit: true, damping: 1e-2 }],
];

const STEPS = 50;
const info: ParamInfo[] = [
  { name: 'w', shape: [7, 13] },
  { name: 'b', shape: [5] },
];

describe.each([
  ['cpu', true],
  ['wasm', true],
  ['wasm', false],
] as const)('fused vs composite on %s (wasm SIMD kernels: %s)', (backend, simd) => {
  beforeAll(async () => {
    await useBackend(backend);
    setFusedSimd(simd);
  });
  afterAll(() => {
    setFusedSimd(true);
    tf.disposeVariables();
  });

  it.each(cases)('%s: 50 steps bit-identical', (_name, method, raw) => {
    const o = method.resolve(raw);
    const rnd = normals(1234);
    const init = info.map((p) => rnd(p.shape.reduce((a, b) => a * b, 1)));
    const ctx0: StepContext = { step: 0, unitStep: 0, lr: 0.01, batchSize: 32 };
    // One unit per parameter, as the driver partitions diagonal methods.
    const fused = info.map((p, k) => makeCopy(method, o, [init[k]], [p], ctx0));
    const comp = info.map((p, k) => makeCopy(method, o, [init[k]], [p], ctx0));
    const before = tf.memory().numTensors;
    let usedFused = 0;
    for (let t = 0; t < STEPS; t++) {
      // Mixed gradient scales (tiny to large) so rounding bands and the damping regime are exercised.
      const scale = t % 7 === 3 ? 1e-4 : t % 11 === 5 ? 30 : 0.5;
      const ctx: StepContext = { step: t, unitStep: t, lr: 0.01 * (1 - t / (2 * STEPS)), batchSize: 32 };
      const gs = info.map((p, k) => tf.tensor(rnd(init[k].length, scale), p.shape));
      // As the driver does: every unit's applyInPlace, then endStep (runs batched wasm kernels).
      for (let k = 0; k < info.length; k++) if (method.applyInPlace!(fused[k].params, [gs[k]], fused[k].state, o, ctx, [info[k]])) usedFused++;
      method.endStep?.();
      for (let k = 0; k < info.length; k++) compositeStep(method, comp[k], [gs[k]], o, ctx, [info[k]]);
      tf.dispose(gs);
    }
    expect(usedFused).toBe(STEPS * info.length);
    // On wasm the SIMD kernels must have run (a compile failure would silently fall back to JS).
    if (backend === 'wasm' && simd) expect(fusedSimdEnabled()).toBe(true);
    expect(tf.memory().numTensors).toBe(before);
    const pairs: Array<[tf.Variable, tf.Variable, string]> = [];
    info.forEach((p, k) => {
      pairs.push([fused[k].params[0], comp[k].params[0], p.name]);
      for (const slot of Object.keys(fused[k].state)) pairs.push([fused[k].state[slot], comp[k].state[slot], `${p.name}/${slot}`]);
    });
    for (const [a, b, label] of pairs) {
      const x = a.dataSync() as Float32Array;
      const y = b.dataSync() as Float32Array;
      expect(maxRelDiff(x, y), label).toBeLessThan(1e-6);
      expect(bitMismatches(x, y), label).toBe(0);
    }
    [...fused, ...comp].forEach(disposeCopy);
  });
});
