import * as tf from '@tensorflow/tfjs-core';
import type { Program } from '../../optim/fused/simd.js';
import { bodySource, ROUND_HELPERS, storedBuffers } from './codegen.js';
import { CHUNKS, type FiniteAttrs, type FusedAttrs } from './names.js';

/**
 * The webgl side of the fused kernels, written against tfjs-backend-webgl's GPGPU program
 * contract (`variableNames`, `outputShape`, `userCode`, run by `backend.runWebGLProgram`) without
 * importing that package: the backend object arrives as the kernel's `backend` argument.
 * Inputs are flat unpacked textures (a packed input is unpacked first, as tfjs does for any
 * unpacked program); several outputs are rows of one [k, n] texture handed out as shallow
 * slices (tfjs's own zero-copy slice), so one program updates a parameter and all its state.
 */
type Backend = any;

interface GpgpuProgram {
  variableNames: string[];
  outputShape: number[];
  userCode: string;
  customUniforms?: Array<{ name: string; arrayIndex?: number; type: 'float' | 'int' }>;
}

const getter = (name: string): string => `get${name.charAt(0).toUpperCase()}${name.slice(1)}`;

function fusedProgram(p: Program, n: number, rows: number[], withOk: boolean): GpgpuProgram {
  const names = Array.from({ length: p.buffers }, (_, k) => `b${k}`);
  const k = rows.length;
  const body = bodySource(p, 'glsl', (b) => `${getter(names[b])}(i)`, (i) => `sc[${i}]`);
  const pick = rows.map((b, j) => `${j === rows.length - 1 ? '' : `row == ${j} ? `}${withOk ? `(okay ? s${b} : l${b})` : `s${b}`}`).join(' : ');
  return {
    variableNames: withOk ? [...names, 'ok'] : names,
    outputShape: k === 1 ? [n] : [k, n],
    customUniforms: p.params > 0 ? [{ name: 'sc', arrayIndex: p.params, type: 'float' }] : [],
    userCode: `${ROUND_HELPERS.glsl}
void main() {
  ${k === 1 ? 'int i = getOutputCoords(); int row = 0;' : 'ivec2 rc = getOutputCoords(); int row = rc.x; int i = rc.y;'}
  ${withOk ? 'bool okay = getOk(0) > 0.5;' : ''}
  ${body}
  setOutput(${pick});
}`,
  };
}

/** Chunk j of x: 1 where a NaN/Inf lies in it, else the previous partial (or 0). */
function chunkProgram(withPrev: boolean): GpgpuProgram {
  return {
    variableNames: withPrev ? ['x', 'prev'] : ['x'],
    outputShape: [CHUNKS],
    customUniforms: [{ name: 'len', type: 'int' }, { name: 'per', type: 'int' }, { name: 'idx', type: 'int' }],
    userCode: `
void main() {
  int j = getOutputCoords();
  float bad = ${withPrev ? 'getPrev(j)' : '0.0'};
  if (bad == 0.0) {
    int start = j * per;
    int stop = min(start + per, len);
    for (int i = start; i < stop; i++) {
      if ((floatBitsToUint(getX(i)) & 0x7f800000u) == 0x7f800000u) { bad = float(idx + 1); break; }
    }
  }
  setOutput(bad);
}`,
  };
}

/**
 * Chunk j of an update evaluated without writing (`FiniteAttrs.update`): the gradient's index + 1
 * where its buffer is NaN/Inf, the value index + 1 where a new value is, else the previous partial.
 */
function updateCheckProgram(p: Program, gradBuf: number, withPrev: boolean): GpgpuProgram {
  const names = Array.from({ length: p.buffers }, (_, k) => `b${k}`);
  const body = bodySource(p, 'glsl', (b) => `${getter(names[b])}(i)`, (i) => `sc[${i}]`);
  const bad = (v: string): string => `((floatBitsToUint(${v}) & 0x7f800000u) == 0x7f800000u)`;
  const values = storedBuffers(p).map((b) => bad(`s${b}`)).join(' || ');
  return {
    variableNames: withPrev ? [...names, 'prev'] : names,
    outputShape: [CHUNKS],
    customUniforms: [
      { name: 'len', type: 'int' },
      { name: 'per', type: 'int' },
      { name: 'idx', type: 'int' },
      { name: 'vidx', type: 'int' },
      ...(p.params > 0 ? [{ name: 'sc', arrayIndex: p.params, type: 'float' as const }] : []),
    ],
    userCode: `${ROUND_HELPERS.glsl}
void main() {
  int j = getOutputCoords();
  float bad = ${withPrev ? 'getPrev(j)' : '0.0'};
  if (bad == 0.0) {
    int start = j * per;
    int stop = min(start + per, len);
    for (int i = start; i < stop; i++) {
      ${body}
      ${gradBuf >= 0 ? `if (${bad(`l${gradBuf}`)}) { bad = float(idx + 1); break; }` : ''}
      if (${values}) { bad = float(vidx + 1); break; }
    }
  }
  setOutput(bad);
}`,
  };
}

/** [all finite ? 1 : 0, 1 + index of the first bad gradient or 0]. */
const REDUCE_PROGRAM: GpgpuProgram = {
  variableNames: ['partial'],
  outputShape: [2],
  userCode: `
void main() {
  int which = getOutputCoords();
  float first = 0.0;
  for (int j = 0; j < ${CHUNKS}; j++) {
    float b = getPartial(j);
    if (b > 0.0 && (first == 0.0 || b < first)) first = b;
  }
  setOutput(which == 0 ? (first == 0.0 ? 1.0 : 0.0) : first);
}`,
};

/** A flat, unpacked view of `t` (unpacking runs tfjs's unpack program when `t` is packed). */
function flat(be: Backend, t: tf.TensorInfo, temps: tf.TensorInfo[]): tf.TensorInfo {
  let x = t;
  if (be.texData.get(t.dataId).isPacked) {
    x = be.unpackTensor(t);
    temps.push(x);
  }
  return { dataId: x.dataId, shape: [tf.util.sizeFromShape(t.shape)], dtype: x.dtype };
}

export function webglFused({ inputs, backend, attrs }: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap }): tf.TensorInfo[] {
  const be = backend as Backend;
  const a = attrs as unknown as FusedAttrs;
  const temps: tf.TensorInfo[] = [];
  const xs = Array.from({ length: a.program.buffers }, (_, k) => flat(be, inputs[`b${k}`] as tf.TensorInfo, temps));
  const ok = inputs.ok as tf.TensorInfo | undefined;
  const n = xs[0].shape[0];
  const rows = storedBuffers(a.program);
  const program = fusedProgram(a.program, n, rows, ok !== undefined);
  const out = be.runWebGLProgram(program, ok ? [...xs, ok] : xs, 'float32', a.program.params > 0 ? [a.scalars] : []) as tf.TensorInfo;
  temps.forEach((t) => be.disposeIntermediateTensorInfo(t));
  if (rows.length === 1) return [{ dataId: out.dataId, shape: a.shape, dtype: 'float32' }];
  const slice = tf.getKernel('Slice', 'webgl')!.kernelFunc;
  const views = rows.map((_, j) => {
    const v = slice({ inputs: { x: out }, backend: be, attrs: { begin: [j, 0], size: [1, n] } }) as tf.TensorInfo;
    return { dataId: v.dataId, shape: a.shape, dtype: 'float32' as const };
  });
  be.disposeIntermediateTensorInfo(out);
  return views;
}

export function webglFinite({ inputs, backend, attrs }: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap }): tf.TensorInfo {
  const be = backend as Backend;
  const { index, last, update } = attrs as unknown as FiniteAttrs;
  const temps: tf.TensorInfo[] = [];
  const prev = inputs.prev as tf.TensorInfo | undefined;
  let partial: tf.TensorInfo;
  if (update) {
    const xs = Array.from({ length: update.program.buffers }, (_, k) => flat(be, inputs[`b${k}`] as tf.TensorInfo, temps));
    const len = xs[0].shape[0];
    const uniforms = [[len], [Math.ceil(len / CHUNKS)], [index], [update.valueIndex], ...(update.program.params > 0 ? [update.scalars] : [])];
    partial = be.runWebGLProgram(updateCheckProgram(update.program, update.gradBuf, prev !== undefined), prev ? [...xs, prev] : xs, 'float32', uniforms) as tf.TensorInfo;
  } else {
    const x = flat(be, inputs.x as tf.TensorInfo, temps);
    const len = x.shape[0];
    partial = be.runWebGLProgram(chunkProgram(prev !== undefined), prev ? [x, prev] : [x], 'float32', [[len], [Math.ceil(len / CHUNKS)], [index]]) as tf.TensorInfo;
  }
  temps.forEach((t) => be.disposeIntermediateTensorInfo(t));
  if (!last) return partial;
  const flag = be.runWebGLProgram(REDUCE_PROGRAM, [partial], 'float32') as tf.TensorInfo;
  be.disposeIntermediateTensorInfo(partial);
  return flag;
}
