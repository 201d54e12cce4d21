/**
 * Fused elementwise kernels compiled at run time to WebAssembly SIMD (f32x4) that run directly
 * on the tfjs wasm backend's heap: a tiny module imports the backend's `WebAssembly.Memory`, so
 * there is no copy. Scalar JS is compute-bound on these loops (float64 div/sqrt per element);
 * f32x4 is not. wasm f32 arithmetic is IEEE single precision without contraction, so every op
 * rounds exactly like the tfjs ops of the composite path: results stay bit-identical.
 *
 * A kernel is a small straight-line program over per-element loads/stores; it is compiled twice
 * into one function (a 4-wide loop, then a scalar loop for the remainder). Programs are built per
 * option combination and cached by their text.
 */
import { section, sleb, str, uleb, vec } from '../../backend/wasmBinary.js';

/** Expressions: loads of buffer k, scalar parameters, named temporaries, ops. */
export type Expr =
  | { op: 'load'; buf: number }
  | { op: 'param'; index: number }
  | { op: 'var'; name: string }
  | { op: 'add' | 'sub' | 'mul' | 'div' | 'max'; a: Expr; b: Expr }
  | { op: 'sqrt' | 'bf16' | 'fp16'; a: Expr };

export type Stmt = { kind: 'let'; name: string; value: Expr } | { kind: 'store'; buf: number; value: Expr };

export interface Program {
  /** Number of buffers (byte offsets into the heap). */
  buffers: number;
  /** Number of f32 scalar parameters. */
  params: number;
  body: Stmt[];
}

export const E = {
  load: (buf: number): Expr => ({ op: 'load', buf }),
  param: (index: number): Expr => ({ op: 'param', index }),
  v: (name: string): Expr => ({ op: 'var', name }),
  add: (a: Expr, b: Expr): Expr => ({ op: 'add', a, b }),
  sub: (a: Expr, b: Expr): Expr => ({ op: 'sub', a, b }),
  mul: (a: Expr, b: Expr): Expr => ({ op: 'mul', a, b }),
  div: (a: Expr, b: Expr): Expr => ({ op: 'div', a, b }),
  max: (a: Expr, b: Expr): Expr => ({ op: 'max', a, b }),
  sqrt: (a: Expr): Expr => ({ op: 'sqrt', a }),
  bf16: (a: Expr): Expr => ({ op: 'bf16', a }),
  /** fp16 rounding: GPU programs only (the SIMD compiler has no fp16 form; fp16 runs the JS loop). */
  fp16: (a: Expr): Expr => ({ op: 'fp16', a }),
  let: (name: string, value: Expr): Stmt => ({ kind: 'let', name, value }),
  store: (buf: number, value: Expr): Stmt => ({ kind: 'store', buf, value }),
};

// --- binary encoding ---------------------------------------------------------------------------




const I32 = 0x7f;
const F32 = 0x7d;
const V128 = 0x7b;
const OP = {
  block: 0x02, loop: 0x03, br: 0x0c, brIf: 0x0d, end: 0x0b,
  get: 0x20, set: 0x21, tee: 0x22,
  i32const: 0x41, i32add: 0x6a, i32and: 0x71, i32geu: 0x4f, i32shrU: 0x76, i32or: 0x72,
  f32load: 0x2a, f32store: 0x38,
  f32add: 0x92, f32sub: 0x93, f32mul: 0x94, f32div: 0x95, f32max: 0x97, f32sqrt: 0x91, f32eq: 0x5b,
  i32reinterpret: 0xbc, f32reinterpret: 0xbe, select: 0x1b,
};
const SIMD = 0xfd;
const S = {
  load: 0x00, store: 0x0b, f32splat: 0x13, i32splat: 0x11,
  f32add: 0xe4, f32sub: 0xe5, f32mul: 0xe6, f32div: 0xe7, f32max: 0xe9, f32sqrt: 0xe3, f32eq: 0x41,
  i32add: 0xae, i32shrU: 0xad, and: 0x4e, or: 0x50, bitselect: 0x52,
};

/**
 * Function layout: params (n, buf_0..buf_{B-1}: i32; c_0..c_{P-1}: f32), then locals:
 * i32 `ib` (byte index), i32 `end4`, v128 splats of each param, v128 and f32 temporaries.
 */
function compile(p: Program): number[] {
  const names = [...new Set(p.body.filter((s) => s.kind === 'let').map((s) => (s as { name: string }).name))];
  const nIdx = 0;
  const bufIdx = (k: number): number => 1 + k;
  const parIdx = (k: number): number => 1 + p.buffers + k;
  const first = 1 + p.buffers + p.params;
  const ib = first;
  const end4 = first + 1;
  const splat = (k: number): number => first + 2 + k;
  const vtmp = (name: string): number => first + 2 + p.params + names.indexOf(name);
  const vscratch = first + 2 + p.params + names.length;
  const ftmp = (name: string): number => vscratch + 1 + names.indexOf(name);
  const fscratch = vscratch + 1 + names.length;

  const code: number[] = [];
  const emit = (...b: number[]): void => {
    code.push(...b);
  };
  const addr = (buf: number): void => emit(OP.get, ...uleb(bufIdx(buf)), OP.get, ...uleb(ib), OP.i32add);

  const expr = (e: Expr, simd: boolean): void => {
    switch (e.op) {
      case 'load':
        addr(e.buf);
        if (simd) emit(SIMD, ...uleb(S.load), 4, 0);
        else emit(OP.f32load, 2, 0);
        return;
      case 'param':
        emit(OP.get, ...uleb(simd ? splat(e.index) : parIdx(e.index)));
        return;
      case 'var':
        emit(OP.get, ...uleb(simd ? vtmp(e.name) : ftmp(e.name)));
        return;
      case 'sqrt':
        expr(e.a, simd);
        if (simd) emit(SIMD, ...uleb(S.f32sqrt));
        else emit(OP.f32sqrt);
        return;
      case 'bf16':
        expr(e.a, simd);
        bf16(simd);
        return;
      case 'fp16':
        throw new Error('internal: fp16 rounding has no SIMD form');
      default: {
        expr(e.a, simd);
        expr(e.b, simd);
        const table = simd
          ? { add: S.f32add, sub: S.f32sub, mul: S.f32mul, div: S.f32div, max: S.f32max }
          : { add: OP.f32add, sub: OP.f32sub, mul: OP.f32mul, div: OP.f32div, max: OP.f32max };
        const opc = table[e.op];
        if (simd) emit(SIMD, ...uleb(opc));
        else emit(opc);
      }
    }
  };

  // Round-to-nearest-even to bf16 on the bit pattern u: (u + 0x7fff + ((u >> 16) & 1)) & 0xffff0000;
  // NaN becomes a quiet NaN (u | 0x00400000), as in `roundArray`.
  const bf16 = (simd: boolean): void => {
    if (simd) {
      const x = vscratch;
      emit(OP.set, ...uleb(x));
      emit(OP.get, ...uleb(x), OP.i32const, 16, SIMD, ...uleb(S.i32shrU), OP.i32const, 1, SIMD, ...uleb(S.i32splat), SIMD, ...uleb(S.and));
      emit(OP.i32const, ...sleb(0x7fff), SIMD, ...uleb(S.i32splat), SIMD, ...uleb(S.i32add));
      emit(OP.get, ...uleb(x), SIMD, ...uleb(S.i32add));
      emit(OP.i32const, ...sleb(0xffff0000 | 0), SIMD, ...uleb(S.i32splat), SIMD, ...uleb(S.and));
      emit(OP.get, ...uleb(x), OP.i32const, ...sleb(0x00400000), SIMD, ...uleb(S.i32splat), SIMD, ...uleb(S.or));
      // bitselect(rounded, quiet, mask) = (rounded & mask) | (quiet & ~mask); mask = (x == x).
      emit(OP.get, ...uleb(x), OP.get, ...uleb(x), SIMD, ...uleb(S.f32eq), SIMD, ...uleb(S.bitselect));
    } else {
      const x = fscratch;
      emit(OP.tee, ...uleb(x), OP.i32reinterpret);
      emit(OP.get, ...uleb(x), OP.i32reinterpret, OP.i32const, 16, OP.i32shrU, OP.i32const, 1, OP.i32and, OP.i32add);
      emit(OP.i32const, ...sleb(0x7fff), OP.i32add, OP.i32const, ...sleb(0xffff0000 | 0), OP.i32and, OP.f32reinterpret);
      emit(OP.get, ...uleb(x), OP.i32reinterpret, OP.i32const, ...sleb(0x00400000), OP.i32or, OP.f32reinterpret);
      emit(OP.get, ...uleb(x), OP.get, ...uleb(x), OP.f32eq, OP.select);
    }
  };

  const body = (simd: boolean): void => {
    for (const s of p.body) {
      if (s.kind === 'let') {
        expr(s.value, simd);
        emit(OP.set, ...uleb(simd ? vtmp(s.name) : ftmp(s.name)));
      } else {
        addr(s.buf);
        expr(s.value, simd);
        if (simd) emit(SIMD, ...uleb(S.store), 4, 0);
        else emit(OP.f32store, 2, 0);
      }
    }
  };

  for (let k = 0; k < p.params; k++) emit(OP.get, ...uleb(parIdx(k)), SIMD, ...uleb(S.f32splat), OP.set, ...uleb(splat(k)));
  // end4 = (n & ~3) * 4 bytes; ib runs in bytes.
  emit(OP.get, nIdx, OP.i32const, ...sleb(-4), OP.i32and, OP.i32const, 2, 0x74 /* i32.shl */, OP.set, ...uleb(end4));
  emit(OP.i32const, 0, OP.set, ...uleb(ib));
  emit(OP.block, 0x40, OP.loop, 0x40);
  emit(OP.get, ...uleb(ib), OP.get, ...uleb(end4), OP.i32geu, OP.brIf, 1);
  body(true);
  emit(OP.get, ...uleb(ib), OP.i32const, 16, OP.i32add, OP.set, ...uleb(ib), OP.br, 0, OP.end, OP.end);
  emit(OP.block, 0x40, OP.loop, 0x40);
  emit(OP.get, ...uleb(ib), OP.get, nIdx, OP.i32const, 2, 0x74, OP.i32geu, OP.brIf, 1);
  body(false);
  emit(OP.get, ...uleb(ib), OP.i32const, 4, OP.i32add, OP.set, ...uleb(ib), OP.br, 0, OP.end, OP.end);
  emit(OP.end);

  // Locals: 2 i32, (params + names + 1) v128, (names + 1) f32.
  const locals = vec([
    [...uleb(2), I32],
    [...uleb(p.params + names.length + 1), V128],
    [...uleb(names.length + 1), F32],
  ]);
  return [...locals, ...code];
}

/**
 * `many(table, count, c_0..c_{P-1})`: runs `run` once per table row, a row being B + 1 i32s
 * (n, then the B buffer byte offsets). One call from JS for a whole step's small tensors, so the
 * per-tensor cost is a table row instead of a JS→wasm call between memory-streaming loops.
 */
function compileMany(p: Program): number[] {
  const table = 0;
  const count = 1;
  const par = (k: number): number => 2 + k;
  const i = 2 + p.params;
  const base = i + 1;
  const stride = 4 * (p.buffers + 1);
  const code: number[] = [];
  const emit = (...b: number[]): void => void code.push(...b);
  emit(OP.block, 0x40, OP.loop, 0x40);
  emit(OP.get, ...uleb(i), OP.get, count, OP.i32geu, OP.brIf, 1);
  emit(OP.get, table, OP.get, ...uleb(i), OP.i32const, ...sleb(stride), 0x6c /* i32.mul */, OP.i32add, OP.set, ...uleb(base));
  for (let k = 0; k <= p.buffers; k++) emit(OP.get, ...uleb(base), 0x28 /* i32.load */, 2, ...uleb(4 * k));
  for (let k = 0; k < p.params; k++) emit(OP.get, ...uleb(par(k)));
  emit(0x10 /* call */, 0);
  emit(OP.get, ...uleb(i), OP.i32const, 1, OP.i32add, OP.set, ...uleb(i), OP.br, 0, OP.end, OP.end, OP.end);
  return [...vec([[...uleb(2), I32]]), ...code];
}

function moduleBytes(p: Program, shared: boolean, maxPages: number): Uint8Array<ArrayBuffer> {
  const runTypes = [I32, ...Array(p.buffers).fill(I32), ...Array(p.params).fill(F32)];
  const manyTypes = [I32, I32, ...Array(p.params).fill(F32)];
  const sig = (ts: number[]): number[] => [0x60, ...vec(ts.map((t) => [t])), 0];
  const type = section(1, vec([sig(runTypes), sig(manyTypes)]));
  const limits = shared ? [0x03, 0, ...uleb(maxPages)] : [0x00, 0];
  const imp = section(2, vec([[...str('env'), ...str('memory'), 0x02, ...limits]]));
  const func = section(3, vec([[0], [1]]));
  const exp = section(7, vec([[...str('run'), 0x00, 0], [...str('many'), 0x00, 1]]));
  const bodies = [compile(p), compileMany(p)];
  const code = section(10, vec(bodies.map((b) => [...uleb(b.length), ...b])));
  return new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, ...type, ...imp, ...func, ...exp, ...code]);
}

export type Kernel = (n: number, ...args: number[]) => void;
/** `many(tableByteOffset, rows, ...scalars)` (see `compileMany`). */
export type ManyKernel = (table: number, count: number, ...scalars: number[]) => void;

/** Compiles programs against one `WebAssembly.Memory` (the tfjs wasm heap). */
export class SimdKernels {
  private readonly cache = new Map<string, { run: Kernel; many: ManyKernel }>();
  constructor(private readonly memory: WebAssembly.Memory) {}

  private entry(key: string, build: () => Program): { run: Kernel; many: ManyKernel } {
    let k = this.cache.get(key);
    if (k === undefined) {
      const shared = typeof SharedArrayBuffer !== 'undefined' && this.memory.buffer instanceof SharedArrayBuffer;
      const bytes = moduleBytes(build(), shared, 65536);
      const inst = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory: this.memory } });
      k = { run: inst.exports.run as Kernel, many: inst.exports.many as ManyKernel };
      this.cache.set(key, k);
    }
    return k;
  }

  /** The compiled kernel for a program; `key` must identify the program uniquely. */
  get(key: string, build: () => Program): Kernel {
    return this.entry(key, build).run;
  }

  /** The batched entry point of the same program. */
  many(key: string, build: () => Program): ManyKernel {
    return this.entry(key, build).many;
  }
}
