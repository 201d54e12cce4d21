import { describe, expect, it } from 'vitest';
import { bodySource, storedBuffers } from '../../src/backend/gpu/codegen.js';
import { adamwProgram, rfAdamWProgram, sgdProgram, tailProgram } from '../../src/optim/fused/programs.js';

/** The GPU programs' source (run and compared with the composite path in test/browser). */
describe('GPU program source', () => {
  it('outputs are the stored buffers, ascending (parameter first, then state)', () => {
    expect(storedBuffers(adamwProgram({ decay: true, amsgrad: false }))).toEqual([0, 2, 3]);
    expect(storedBuffers(adamwProgram({ decay: false, amsgrad: true }))).toEqual([0, 2, 3, 4]);
    expect(storedBuffers(sgdProgram({ wd: false, momentum: false, first: false, nesterov: false }))).toEqual([0]);
    expect(storedBuffers(tailProgram({ kappa: true, momentum: true, bf16: false }))).toEqual([0, 2]);
  });

  it('keeps the op order and rounds where the composite path rounds (bf16 / fp16)', () => {
    const glsl = bodySource(rfAdamWProgram({ decay: false, bf16: true }), 'glsl', (k) => `getB${k}(i)`, (i) => `sc[${i}]`);
    expect(glsl).toContain('float v_m = rf_bf16((rf_bf16((l2 * sc[1])) + (v_g * sc[2])));');
    expect(glsl).toContain('float s0 = (v_p - ((v_m / v_den) * sc[8]));');
    const wgsl = bodySource(rfAdamWProgram({ decay: false, bf16: false, fp16: true }), 'wgsl', (k) => `b${k}[i]`, (i) => `uniforms.sc${i}`);
    expect(wgsl).toContain('var v_m : f32 = rf_fp16((rf_fp16((l2 * uniforms.sc1)) + (v_g * uniforms.sc2)));');
    expect(wgsl).not.toContain('rf_bf16');
  });

  it('reassigns a temporary instead of redeclaring it', () => {
    const glsl = bodySource(sgdProgram({ wd: true, momentum: true, first: false, nesterov: true }), 'glsl', (k) => `x${k}`, (i) => `s${i}`);
    expect(glsl.match(/float v_d =/g)).toHaveLength(1);
    expect(glsl).toContain('v_d = (v_d + (v_p * s1));');
  });
});
