import * as tf from '@tensorflow/tfjs-core';
import { envVar } from '../env.js';

/**
 * In-place access to the float32 storage of tensors on the `cpu` and `wasm` backends, for the
 * fused optimizer updates in `src/optim/fused/`. This reaches into backend internals
 * (TFJS-FINDINGS §3): `cpu` keeps a `Float32Array` per dataId in `backend.data`; `wasm` keeps
 * every tensor in its module heap at `dataIdMap.get(dataId).memoryOffset`. Each backend is
 * self-tested on first use; when the layout is not what we expect, fused updates are disabled
 * for it and the composite (tfjs-op) path is used.
 */

/** A tensor's elements: `arr[off .. off + size)`. */
export interface Span {
  arr: Float32Array;
  off: number;
}

export interface StorageAccess {
  readonly backend: string;
  /** Read access (gradients); null when the tensor does not live in this backend as float32. */
  read(t: tf.Tensor): Span | null;
  /**
   * Write access: additionally null when the storage is shared with another tensor (writing
   * would change that tensor too). Call `written` for every tensor after writing it.
   */
  write(t: tf.Tensor): Span | null;
  /** Tells the backend a tensor's values changed under the same id (drops cached packed weights). */
  written(t: tf.Tensor): void;
  /** The heap as a `WebAssembly.Memory` (wasm only): SIMD kernels import it and run in place. */
  readonly memory?: WebAssembly.Memory;
  /**
   * (wasm only) A scratch block of at least `bytes` bytes on the heap, owned by rootfree and reused
   * across calls (batched kernels read their argument table from it). Returns its byte offset.
   */
  scratch?(bytes: number): number;
}

class CpuAccess implements StorageAccess {
  readonly backend = 'cpu';
  /** dataIds whose `values` array we allocated (tfjs may alias a user's array or a slice's parent). */
  private readonly owned = new WeakSet<object>();
  constructor(private readonly be: any) {}

  read(t: tf.Tensor): Span | null {
    const d = this.be.data.get(t.dataId);
    if (!d || !(d.values instanceof Float32Array) || d.values.length !== t.size) return null;
    return { arr: d.values, off: 0 };
  }

  write(t: tf.Tensor): Span | null {
    const d = this.be.data.get(t.dataId);
    if (!d || d.refCount !== 1 || !(d.values instanceof Float32Array) || d.values.length !== t.size) return null;
    if (!this.owned.has(t.dataId)) {
      // `tf.tensor(array)` stores the caller's array and a contiguous `slice` stores a subarray of
      // its input: copy once so writes cannot reach memory that tfjs shares with anyone else.
      d.values = new Float32Array(d.values);
      this.owned.add(t.dataId);
    }
    return { arr: d.values, off: 0 };
  }

  written(): void {}
}

class WasmAccess implements StorageAccess {
  readonly backend = 'wasm';
  private heap: Float32Array | null = null;
  readonly memory?: WebAssembly.Memory;
  constructor(private readonly be: any) {
    const m = be.wasm.asm?.memory ?? be.wasm.wasmMemory;
    if (m instanceof WebAssembly.Memory && m.buffer === be.wasm.HEAPU8.buffer) this.memory = m;
  }

  private scratchPtr = 0;
  private scratchBytes = 0;

  scratch(bytes: number): number {
    if (bytes > this.scratchBytes) {
      if (this.scratchPtr !== 0) this.be.wasm._free(this.scratchPtr);
      this.scratchBytes = Math.max(bytes, 2 * this.scratchBytes, 4096);
      this.scratchPtr = this.be.wasm._malloc(this.scratchBytes);
    }
    return this.scratchPtr;
  }

  private heapF32(): Float32Array {
    // Growing the heap replaces the memory's buffer. A plain ArrayBuffer is detached (old views
    // read length 0), but the threaded build's SharedArrayBuffer is not: an old view stays valid
    // with the old length, so elements past it read as undefined (NaN) and writes to them are
    // dropped. Compare buffer identity, against the memory itself where we have it (a pthread's
    // malloc can grow the heap without updating the main thread's HEAPU8).
    const buffer: ArrayBufferLike = this.memory?.buffer ?? this.be.wasm.HEAPU8.buffer;
    if (this.heap === null || this.heap.buffer !== buffer) this.heap = new Float32Array(buffer);
    return this.heap;
  }

  private span(d: any, t: tf.Tensor): Span | null {
    if (!d || d.dtype !== 'float32' || d.memoryOffset == null || d.memoryOffset % 4 !== 0) return null;
    if (t.size === 0) return null;
    return { arr: this.heapF32(), off: d.memoryOffset >>> 2 };
  }

  read(t: tf.Tensor): Span | null {
    return this.span(this.be.dataIdMap.get(t.dataId), t);
  }

  write(t: tf.Tensor): Span | null {
    const d = this.be.dataIdMap.get(t.dataId);
    if (!d || d.refCount !== 1) return null;
    return this.span(d, t);
  }

  written(t: tf.Tensor): void {
    // XNNPACK caches packed weights per tensor id (matMul B operand, conv filter). Re-registering
    // the id runs the module's disposal callbacks, so the next op repacks the new values.
    const d = this.be.dataIdMap.get(t.dataId);
    this.be.wasm.tfjs.disposeData(d.id);
    this.be.wasm.tfjs.registerTensor(d.id, t.size, d.memoryOffset);
  }
}

const accessors = new Map<string, StorageAccess | null>();
const fusedEnabledByEnv = envVar('ROOTFREE_FUSED') !== '0';

function create(name: string): StorageAccess | null {
  const be: any = tf.engine().findBackend(name);
  if (!be) return null;
  let acc: StorageAccess | null = null;
  if (name === 'cpu' && be.data && typeof be.data.get === 'function') acc = new CpuAccess(be);
  if (name === 'wasm' && be.dataIdMap && be.wasm?.HEAPU8 && be.wasm.tfjs?.registerTensor) acc = new WasmAccess(be);
  return acc && selfTest(acc, name) ? acc : null;
}

/** Writes through the accessor and reads back with tfjs: proves the layout assumption. */
function selfTest(acc: StorageAccess, name: string): boolean {
  if (tf.getBackend() !== name) return false;
  const init = tf.range(0, 8, 1, 'float32');
  const v = tf.variable(init, false);
  init.dispose();
  try {
    const s = acc.write(v);
    if (!s || s.arr[s.off + 3] !== 3) return false;
    s.arr[s.off + 5] = -7;
    acc.written(v);
    const back = v.dataSync();
    return back[5] === -7 && back[4] === 4;
  } catch {
    return false;
  } finally {
    v.dispose();
  }
}

/**
 * The storage accessor of the active backend, or null when fused updates are not supported there
 * (webgl/webgpu, unknown layout) or are disabled with `ROOTFREE_FUSED=0`.
 */
export function storageAccess(): StorageAccess | null {
  if (!fusedEnabledByEnv) return null;
  const name = tf.getBackend();
  let acc = accessors.get(name);
  if (acc === undefined) {
    acc = create(name);
    accessors.set(name, acc);
  }
  return acc;
}

/** Prepares (and self-tests) fused access for a backend; called by `registerRootfreeKernels`. */
export function registerFusedKernels(backend: string): boolean {
  if (backend !== 'cpu' && backend !== 'wasm') return false;
  if (tf.getBackend() !== backend) return false;
  accessors.delete(backend);
  return storageAccess() !== null;
}
