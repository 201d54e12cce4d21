import * as tf from '@tensorflow/tfjs-core';
import { nnMatMul } from './matmul.js';
import { type Attrs, type Backend, type TensorInfo, release, reshape, run, transpose } from './util.js';

/*
 * Einsum is missing on wasm (even forward). Two-operand contractions ("bij,bjk->bik", "ij,kj->ik",
 * ...) become transpose → one NN matmul on XNNPACK → transpose; everything else runs the `cpu`
 * backend's algorithm (transpose, broadcast multiply, sum) on wasm kernels.
 */

const prod = (shape: number[]) => shape.reduce((a, b) => a * b, 1);
const isIdentity = (perm: number[]) => perm.every((p, i) => p === i);

function permute(backend: Backend, x: TensorInfo, perm: number[], owned: TensorInfo[]): TensorInfo {
  if (isIdentity(perm)) return x;
  const y = transpose(backend, x, perm);
  owned.push(y);
  return y;
}

/** Returns null when the equation is not a plain two-operand contraction. */
function asMatMul(equation: string): { a: string; b: string; out: string } | null {
  const eq = equation.replace(/\s/g, '');
  const m = /^([a-zA-Z]*),([a-zA-Z]*)->([a-zA-Z]*)$/.exec(eq);
  if (!m) return null;
  const [, a, b, out] = m;
  const distinct = (s: string) => new Set(s).size === s.length;
  if (!distinct(a) || !distinct(b) || !distinct(out)) return null;
  for (const c of out) if (!a.includes(c) && !b.includes(c)) return null;
  // A letter in one operand only that is summed away would need a reduction first.
  for (const c of a + b) if (!out.includes(c) && !(a.includes(c) && b.includes(c))) return null;
  return { a, b, out };
}

function einsumMatMul(backend: Backend, eq: { a: string; b: string; out: string }, A: TensorInfo, B: TensorInfo): TensorInfo {
  const size = new Map<string, number>();
  [...eq.a].forEach((c, i) => size.set(c, A.shape[i]));
  for (const [i, c] of [...eq.b].entries()) {
    if (size.has(c) && size.get(c) !== B.shape[i]) throw new Error(`einsum: dimension '${c}' is ${size.get(c)} in one operand and ${B.shape[i]} in the other`);
    size.set(c, B.shape[i]);
  }
  const batch = [...eq.out].filter((c) => eq.a.includes(c) && eq.b.includes(c));
  const freeA = [...eq.out].filter((c) => eq.a.includes(c) && !eq.b.includes(c));
  const freeB = [...eq.out].filter((c) => eq.b.includes(c) && !eq.a.includes(c));
  const contr = [...eq.a].filter((c) => eq.b.includes(c) && !eq.out.includes(c));
  const dims = (cs: string[]) => cs.map((c) => size.get(c)!);
  const owned: TensorInfo[] = [];
  const aT = permute(backend, A, [...batch, ...freeA, ...contr].map((c) => eq.a.indexOf(c)), owned);
  const bT = permute(backend, B, [...batch, ...contr, ...freeB].map((c) => eq.b.indexOf(c)), owned);
  const nb = prod(dims(batch));
  const a3 = reshape(backend, aT, [nb, prod(dims(freeA)), prod(dims(contr))]);
  const b3 = reshape(backend, bT, [nb, prod(dims(contr)), prod(dims(freeB))]);
  owned.push(a3, b3);
  const prodT = nnMatMul(backend, a3, b3);
  const order = [...batch, ...freeA, ...freeB];
  const full = reshape(backend, prodT, dims(order));
  owned.push(prodT);
  const out = permute(backend, full, [...eq.out].map((c) => order.indexOf(c)), []);
  if (out !== full) owned.push(full);
  release(backend, ...owned);
  return out;
}

/** The `cpu` backend's Einsum algorithm, on wasm kernels. */
function einsumGeneric(backend: Backend, equation: string, tensors: TensorInfo[]): TensorInfo {
  const bu = tf.backend_util;
  const { allDims, summedDims, idDims } = bu.decodeEinsumEquation(equation, tensors.length);
  bu.checkEinsumDimSizes(allDims.length, idDims, tensors as tf.Tensor[]);
  const { path, steps } = bu.getEinsumComputePath(summedDims, idDims);
  let out: TensorInfo | null = null;
  let remaining = allDims.length;
  const owned: TensorInfo[] = [];
  for (let i = 0; i < steps.length; ++i) {
    for (const term of steps[i]) {
      const { permutationIndices: perm, expandDims } = bu.getEinsumPermutation(remaining, idDims[term]);
      let x = permute(backend, tensors[term], perm, owned);
      const target = x.shape.slice();
      for (const d of expandDims) target.splice(d, 0, 1);
      if (!tf.util.arraysEqual(x.shape, target)) owned.push((x = reshape(backend, x, target)));
      if (out === null) out = x;
      else owned.push((out = run(backend, tf.Multiply, { a: x, b: out })));
    }
    if (i < steps.length - 1) {
      if (path[i] >= 0) {
        owned.push((out = run(backend, tf.Sum, { x: out! }, { axis: path[i] - (allDims.length - remaining), keepDims: false })));
      }
      remaining--;
    }
  }
  const result = out!;
  const inputIds = new Set(tensors.map((t) => t.dataId));
  release(backend, ...owned.filter((t) => t !== result));
  // A bare transpose/reshape of an input is already owned by the caller: hand back a new reference.
  if (inputIds.has(result.dataId) && !owned.includes(result)) return reshape(backend, result, result.shape);
  return result;
}

function einsum({ inputs, backend, attrs }: { inputs: Record<string, TensorInfo>; backend: Backend; attrs: Attrs }): TensorInfo {
  const tensors = Object.values(inputs);
  const equation = attrs.equation as string;
  const mm = tensors.length === 2 && tensors.every((t) => t.dtype === 'float32') ? asMatMul(equation) : null;
  if (mm && mm.a.length === tensors[0].shape.length && mm.b.length === tensors[1].shape.length) {
    return einsumMatMul(backend, mm, tensors[0], tensors[1]);
  }
  return einsumGeneric(backend, equation, tensors);
}

export const einsumKernels: tf.KernelConfig[] = [
  { kernelName: tf.Einsum, backendName: 'wasm', kernelFunc: einsum as unknown as tf.KernelFunc },
];
