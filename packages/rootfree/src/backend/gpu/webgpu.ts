import * as tf from '@tensorflow/tfjs-core';
import type { Program } from '../../optim/fused/simd.js';
import { bodySource, ROUND_HELPERS, storedBuffers } from './codegen.js';
import { CHUNKS, type FiniteAttrs, type FusedAttrs } from './names.js';

/**
 * The webgpu side of the fused kernels: WGSL programs in tfjs-backend-webgpu's program contract
 * (`getUserCode`, `variableNames`, flat dispatch, program uniforms; run by
 * `backend.runWebGPUProgram`), without importing that package. A program has one writable
 * binding, so several outputs are written as rows of one buffer and copied out with
 * `copyBufferToBuffer` (buffer copies, not programs).
 */
type Backend = any;

interface WgslProgram {
  variableNames: string[];
  outputShape: number[];
  shaderKey: string;
  dispatchLayout: { x: number[] };
  dispatch: [number, number, number];
  workgroupSize: [number, number, number];
  size: boolean;
  uniforms?: string;
  getUserCode: () => string;
}

const WORKGROUP = 64;
const MAX_DISPATCH = 65535;

function base(outputShape: number[], variableNames: string[], shaderKey: string, uniforms: string, code: string): WgslProgram {
  const groups = Math.ceil(tf.util.sizeFromShape(outputShape) / WORKGROUP);
  // Past the per-dimension limit the grid wraps into y; tfjs then derives the flat index from the
  // workgroup id, and the size check below drops the overhang.
  const dispatch: [number, number, number] = groups > MAX_DISPATCH ? [MAX_DISPATCH, Math.ceil(groups / MAX_DISPATCH), 1] : [groups, 1, 1];
  return {
    variableNames,
    outputShape,
    shaderKey,
    dispatchLayout: { x: outputShape.map((_, i) => i) },
    dispatch,
    workgroupSize: [WORKGROUP, 1, 1],
    size: true,
    uniforms: uniforms || undefined,
    getUserCode: () => code,
  };
}

function fusedProgram(p: Program, key: string, rows: number[], withOk: boolean, n: number): WgslProgram {
  const names = Array.from({ length: p.buffers }, (_, k) => `b${k}`);
  const body = bodySource(p, 'wgsl', (b) => `${names[b]}[i]`, (i) => `uniforms.sc${i}`);
  const value = (b: number): string => (withOk ? `select(l${b}, s${b}, ok[0] > 0.5)` : `s${b}`);
  const pick = rows.map((b, j) => `if (row == ${j}) { v = ${value(b)}; }`).join('\n    ');
  const uniforms = ['count : i32', ...Array.from({ length: p.params }, (_, i) => `sc${i} : f32`)].join(', ');
  const code = `${ROUND_HELPERS.wgsl}
fn main(index : i32) {
  if (index < uniforms.size) {
    let row = index / uniforms.count;
    let i = index - row * uniforms.count;
    ${body}
    var v : f32 = 0.0;
    ${pick}
    setOutputAtIndex(index, v);
  }
}`;
  return base([rows.length * n], withOk ? [...names, 'ok'] : names, `rootfree_fused_${key}_${withOk}`, uniforms, code);
}

function chunkProgram(withPrev: boolean): WgslProgram {
  const code = `
fn main(j : i32) {
  if (j < uniforms.size) {
    var bad : f32 = ${withPrev ? 'prev[j]' : '0.0'};
    if (bad == 0.0) {
      let start = j * uniforms.per;
      let stop = min(start + uniforms.per, uniforms.len);
      for (var i = start; i < stop; i++) {
        if ((bitcast<u32>(x[i]) & 0x7f800000u) == 0x7f800000u) { bad = f32(uniforms.index + 1); break; }
      }
    }
    setOutputAtIndex(j, bad);
  }
}`;
  return base([CHUNKS], withPrev ? ['x', 'prev'] : ['x'], `rootfree_finite_${withPrev}`, 'len : i32, per : i32, index : i32', code);
}

/** The webgl `updateCheckProgram` in WGSL (see there). */
function updateCheckProgram(p: Program, key: string, gradBuf: number, withPrev: boolean): WgslProgram {
  const names = Array.from({ length: p.buffers }, (_, k) => `b${k}`);
  const body = bodySource(p, 'wgsl', (b) => `${names[b]}[i]`, (i) => `uniforms.sc${i}`);
  const bad = (v: string): string => `((bitcast<u32>(${v}) & 0x7f800000u) == 0x7f800000u)`;
  const values = storedBuffers(p).map((b) => bad(`s${b}`)).join(' || ');
  const uniforms = ['len : i32, per : i32, index : i32, vindex : i32', ...Array.from({ length: p.params }, (_, i) => `sc${i} : f32`)].join(', ');
  const code = `${ROUND_HELPERS.wgsl}
fn main(j : i32) {
  if (j < uniforms.size) {
    var bad : f32 = ${withPrev ? 'prev[j]' : '0.0'};
    if (bad == 0.0) {
      let start = j * uniforms.per;
      let stop = min(start + uniforms.per, uniforms.len);
      for (var i = start; i < stop; i++) {
        ${body}
        ${gradBuf >= 0 ? `if (${bad(`l${gradBuf}`)}) { bad = f32(uniforms.index + 1); break; }` : ''}
        if (${values}) { bad = f32(uniforms.vindex + 1); break; }
      }
    }
    setOutputAtIndex(j, bad);
  }
}`;
  return base([CHUNKS], withPrev ? [...names, 'prev'] : names, `rootfree_check_${key}_${gradBuf}_${withPrev}`, uniforms, code);
}

const reduceProgram = (): WgslProgram =>
  base([2], ['partial'], 'rootfree_finite_reduce', '', `
fn main(which : i32) {
  if (which < uniforms.size) {
    var first : f32 = 0.0;
    for (var j = 0; j < ${CHUNKS}; j++) {
      let b = partial[j];
      if (b > 0.0 && (first == 0.0 || b < first)) { first = b; }
    }
    var v = first;
    if (which == 0) { v = select(0.0, 1.0, first == 0.0); }
    setOutputAtIndex(which, v);
  }
}`);

const flat = (t: tf.TensorInfo): tf.TensorInfo => ({ dataId: t.dataId, shape: [tf.util.sizeFromShape(t.shape)], dtype: t.dtype });

/** Copies `n` floats from row `j` of `src` into a new tensor of `shape` (a buffer copy). */
function copyRow(be: Backend, src: tf.TensorInfo, j: number, n: number, shape: number[]): tf.TensorInfo {
  const out = be.makeTensorInfo(shape, 'float32') as tf.TensorInfo;
  be.uploadToGPU(out.dataId);
  be.ensureCommandEncoderReady();
  be.endComputePassEncoder();
  be.commandEncoder.copyBufferToBuffer(be.tensorMap.get(src.dataId).resource, j * n * 4, be.tensorMap.get(out.dataId).resource, 0, n * 4);
  be.commandQueueOwnedIds.add(out.dataId);
  return out;
}

export function webgpuFused({ inputs, backend, attrs }: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap }): tf.TensorInfo[] {
  const be = backend as Backend;
  const a = attrs as unknown as FusedAttrs;
  const xs = Array.from({ length: a.program.buffers }, (_, k) => flat(inputs[`b${k}`] as tf.TensorInfo));
  const ok = inputs.ok as tf.TensorInfo | undefined;
  const n = xs[0].shape[0];
  const rows = storedBuffers(a.program);
  const uniforms = [{ type: 'int32', data: [n] }, ...a.scalars.map((s) => ({ type: 'float32', data: [s] }))];
  const out = be.runWebGPUProgram(fusedProgram(a.program, a.key, rows, ok !== undefined, n), ok ? [...xs, ok] : xs, 'float32', uniforms) as tf.TensorInfo;
  if (rows.length === 1) return [{ dataId: out.dataId, shape: a.shape, dtype: 'float32' }];
  const outs = rows.map((_, j) => copyRow(be, out, j, n, a.shape));
  be.disposeData(out.dataId);
  return outs;
}

export function webgpuFinite({ inputs, backend, attrs }: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap }): tf.TensorInfo {
  const be = backend as Backend;
  const { index, last, update } = attrs as unknown as FiniteAttrs;
  const prev = inputs.prev as tf.TensorInfo | undefined;
  let partial: tf.TensorInfo;
  if (update) {
    const xs = Array.from({ length: update.program.buffers }, (_, k) => flat(inputs[`b${k}`] as tf.TensorInfo));
    const len = xs[0].shape[0];
    const uniforms = [
      ...[len, Math.ceil(len / CHUNKS), index, update.valueIndex].map((v) => ({ type: 'int32', data: [v] })),
      ...update.scalars.map((v) => ({ type: 'float32', data: [v] })),
    ];
    partial = be.runWebGPUProgram(updateCheckProgram(update.program, update.key, update.gradBuf, prev !== undefined), prev ? [...xs, prev] : xs, 'float32', uniforms) as tf.TensorInfo;
  } else {
    const x = flat(inputs.x as tf.TensorInfo);
    const len = x.shape[0];
    const uniforms = [{ type: 'int32', data: [len] }, { type: 'int32', data: [Math.ceil(len / CHUNKS)] }, { type: 'int32', data: [index] }];
    partial = be.runWebGPUProgram(chunkProgram(prev !== undefined), prev ? [x, prev] : [x], 'float32', uniforms) as tf.TensorInfo;
  }
  if (!last) return partial;
  const flag = be.runWebGPUProgram(reduceProgram(), [partial], 'float32') as tf.TensorInfo;
  be.disposeData(partial.dataId);
  return flag;
}
