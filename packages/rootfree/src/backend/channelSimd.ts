/*
 * WebAssembly SIMD loops for the ReLU-gradient and batch-norm kernels, run directly on the tfjs
 * wasm heap (the module imports the backend's memory, as optim/fused/simd.ts does). The scalar JS
 * loops were the step's largest non-GEMM cost: ReLU's gradient alone ran at ~8 ns per element
 * (a data-dependent branch per element), batch norm at 4-13 ns.
 *
 * Bitwise the same results as the JS loops of reluGradKernel.ts / batchNormKernel.ts: the batch-
 * norm loops work in f64x2 (two channels per vector, promoted from float32 exactly as JS does),
 * add in the same per-channel order, and round to float32 once per stored value, like a
 * Float32Array store. Batch-norm loops need an even channel count (pairs of channels); callers
 * use the JS loops otherwise.
 */
import { section, sleb, str, uleb, vec } from './wasmBinary.js';


const I32 = 0x7f;
const V128 = 0x7b;
const get = (i: number) => [0x20, ...uleb(i)];
const set = (i: number) => [0x21, ...uleb(i)];
const i32 = (v: number) => [0x41, ...sleb(v)];
const I32_ADD = 0x6a;
const I32_SHL = 0x74;
const I32_GE_U = 0x4f;
const simd = (op: number, ...imm: number[]) => [0xfd, ...uleb(op), ...imm];
const V_LOAD = (align: number) => simd(0x00, align, 0);
const V_STORE = simd(0x0b, 4, 0);
const LOAD64_ZERO = simd(0x5d, 3, 0);
const STORE64_LANE0 = simd(0x5b, 3, 0, 0);
const PROMOTE = simd(0x5f); // f64x2.promote_low_f32x4
const DEMOTE = simd(0x5e); // f32x4.demote_f64x2_zero
const F64_ADD = simd(0xf0);
const F64_SUB = simd(0xf1);
const F64_MUL = simd(0xf2);
const F32_MUL = simd(0xe6);
const F32_GT = simd(0x44);
const F32_EQ = simd(0x41);
const ANDNOT = simd(0x4f);
const BITSELECT = simd(0x52);
const f32x4Const = (v: number) => {
  const b = new Uint8Array(new Float32Array([v, v, v, v]).buffer);
  return simd(0x0c, ...b);
};


/**
 * A loop over rows × channel pairs. Function params: rows, pairs, then `ptrs` byte offsets.
 * Locals after the params: r, j, off (data byte offset, +8 per pair), j8 (= 8j), j16 (= 16j), t.
 * `body` emits the work of one pair.
 */
function pairLoop(ptrs: number, body: (L: { ptr: (k: number) => number; off: number; j8: number; j16: number; t: number }) => number[]): number[] {
  const rows = 0;
  const pairs = 1;
  const ptr = (k: number) => 2 + k;
  const r = 2 + ptrs;
  const j = r + 1;
  const off = r + 2;
  const j8 = r + 3;
  const j16 = r + 4;
  const t = r + 5;
  const code = [
    0x02, 0x40, 0x03, 0x40,
    ...get(r), ...get(rows), I32_GE_U, 0x0d, 1,
    ...i32(0), ...set(j),
    0x02, 0x40, 0x03, 0x40,
    ...get(j), ...get(pairs), I32_GE_U, 0x0d, 1,
    ...get(j), ...i32(3), I32_SHL, ...set(j8),
    ...get(j), ...i32(4), I32_SHL, ...set(j16),
    ...body({ ptr, off, j8, j16, t }),
    ...get(off), ...i32(8), I32_ADD, ...set(off),
    ...get(j), ...i32(1), I32_ADD, ...set(j),
    0x0c, 0, 0x0b, 0x0b,
    ...get(r), ...i32(1), I32_ADD, ...set(r),
    0x0c, 0, 0x0b, 0x0b,
    0x0b,
  ];
  return [...vec([[...uleb(6), I32]]), ...code];
}

/** Two float32 of a data tensor at the current pair, promoted to f64x2. */
const data = (L: { ptr: (k: number) => number; off: number }, k: number) => [...get(L.ptr(k)), ...get(L.off), I32_ADD, ...LOAD64_ZERO, ...PROMOTE];
/** Two float32 per-channel values (the current pair), promoted. */
const chanF32 = (L: { ptr: (k: number) => number; j8: number }, k: number) => [...get(L.ptr(k)), ...get(L.j8), I32_ADD, ...LOAD64_ZERO, ...PROMOTE];
/** Two float64 per-channel values. */
const chanF64 = (L: { ptr: (k: number) => number; j16: number }, k: number) => [...get(L.ptr(k)), ...get(L.j16), I32_ADD, ...V_LOAD(3)];
/** acc[pair] += value (float64 per-channel accumulator). */
const accumulate = (L: { ptr: (k: number) => number; j16: number; t: number }, k: number, value: number[]) => [
  ...get(L.ptr(k)), ...get(L.j16), I32_ADD, ...set(L.t),
  ...get(L.t), ...get(L.t), ...V_LOAD(3), ...value, ...F64_ADD, ...V_STORE,
];
/** Stores an f64x2 as two float32 of a data tensor at the current pair. */
const storeData = (L: { ptr: (k: number) => number; off: number }, k: number, value: number[]) => [
  ...get(L.ptr(k)), ...get(L.off), I32_ADD, ...value, ...DEMOTE, ...STORE64_LANE0,
];

/** moments(rows, pairs, x, shift, s1, s2): s1 += x − shift, s2 += (x − shift)² in float64. */
const moments = pairLoop(4, (L) => {
  const d = [...data(L, 0), ...chanF32(L, 1), ...F64_SUB];
  return [...accumulate(L, 2, d), ...accumulate(L, 3, [...d, ...d, ...F64_MUL])];
});

/** affine(rows, pairs, x, a, o, y): y = x·a + o (a, o float64 per channel). */
const affine = pairLoop(4, (L) => storeData(L, 3, [...data(L, 0), ...chanF64(L, 1), ...F64_MUL, ...chanF64(L, 2), ...F64_ADD]));

/** gradSums(rows, pairs, dy, x, mu, sdy, sdyx): sdy += dy, sdyx += dy·(x − mu). */
const gradSums = pairLoop(5, (L) => [
  ...accumulate(L, 3, data(L, 0)),
  ...accumulate(L, 4, [...data(L, 0), ...data(L, 1), ...chanF32(L, 2), ...F64_SUB, ...F64_MUL]),
]);

/** gradDx(rows, pairs, dy, x, mu, a, m, q, dx): dx = a·((dy − m) − (x − mu)·q). */
const gradDx = pairLoop(7, (L) => storeData(L, 6, [
  ...chanF64(L, 3),
  ...data(L, 0), ...chanF64(L, 4), ...F64_SUB,
  ...data(L, 1), ...chanF32(L, 2), ...F64_SUB, ...chanF64(L, 5), ...F64_MUL,
  ...F64_SUB, ...F64_MUL,
]));

/** reluGrad(n4, dy, x, dx) over the first n4 (a multiple of 4) elements: dx = dy·(x > 0 ? 1 : x = x ? 0 : NaN). */
const reluGrad = (() => {
  const n = 0;
  const [dy, x, dx] = [1, 2, 3];
  const ib = 4;
  const end = 5;
  const xv = 6;
  const code = [
    ...get(n), ...i32(2), I32_SHL, ...set(end),
    0x02, 0x40, 0x03, 0x40,
    ...get(ib), ...get(end), I32_GE_U, 0x0d, 1,
    ...get(x), ...get(ib), I32_ADD, ...V_LOAD(4), ...set(xv),
    ...get(dx), ...get(ib), I32_ADD,
    ...get(dy), ...get(ib), I32_ADD, ...V_LOAD(4),
    // bitselect(1, NaN & ~(x = x), x > 0)
    ...f32x4Const(1), ...f32x4Const(NaN), ...get(xv), ...get(xv), ...F32_EQ, ...ANDNOT,
    ...get(xv), ...f32x4Const(0), ...F32_GT, ...BITSELECT,
    ...F32_MUL, ...V_STORE,
    ...get(ib), ...i32(16), I32_ADD, ...set(ib),
    0x0c, 0, 0x0b, 0x0b,
    0x0b,
  ];
  return [...vec([[...uleb(2), I32], [...uleb(1), V128]]), ...code];
})();

/**
 * swap(batch, rows, cols, chunkBytes, src, dst, blockRows, blockCols): per batch item, an R×C grid
 * of chunks (k bytes, a multiple of 4) written transposed (C×R), block by block; chunks copied 16
 * bytes at a time. Use `swapBlocks` for the block shape.
 */
const swap = (() => {
  const [batch, rows, cols, kb, src, dst, bi, bj] = [0, 1, 2, 3, 4, 5, 6, 7];
  const [b, i0, j0, i1, j1, i, j, e, sp, dp, base, sstride] = [8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19];
  const I32_MUL = 0x6c;
  const I32_LT_U = 0x49;
  const loop = (v: number, start: number[], limit: number[], step: number[], body: number[]) => [
    ...start, ...set(v),
    0x02, 0x40, 0x03, 0x40,
    ...get(v), ...limit, I32_GE_U, 0x0d, 1,
    ...body,
    ...get(v), ...step, I32_ADD, ...set(v),
    0x0c, 0, 0x0b, 0x0b,
  ];
  const minOf = (a: number[], bb: number[]) => [...a, ...bb, ...a, ...bb, I32_LT_U, 0x1b];
  // One chunk from sp to dp: 16-byte copies, then 4-byte ones.
  const copy = [
    ...i32(0), ...set(e),
    0x02, 0x40, 0x03, 0x40,
    ...get(e), ...i32(16), I32_ADD, ...get(kb), 0x4b /* i32.gt_u */, 0x0d, 1,
    ...get(dp), ...get(e), I32_ADD, ...get(sp), ...get(e), I32_ADD, ...V_LOAD(0), ...simd(0x0b, 0, 0),
    ...get(e), ...i32(16), I32_ADD, ...set(e),
    0x0c, 0, 0x0b, 0x0b,
    0x02, 0x40, 0x03, 0x40,
    ...get(e), ...get(kb), I32_GE_U, 0x0d, 1,
    ...get(dp), ...get(e), I32_ADD, ...get(sp), ...get(e), I32_ADD, 0x28, 0, 0, 0x36, 0, 0,
    ...get(e), ...i32(4), I32_ADD, ...set(e),
    0x0c, 0, 0x0b, 0x0b,
  ];
  const step = [
    // down the source column (cols·kb bytes), along the destination row (kb bytes)
    ...get(sp), ...get(sstride), I32_ADD, ...set(sp),
    ...get(dp), ...get(kb), I32_ADD, ...set(dp),
  ];
  // Destination-major inside a block: one sequential write stream. Source-major wrote C streams
  // R·kb bytes apart, often a multiple of 4 KiB, and every store missed L1 (set conflicts).
  const column = [
    // sp = src + base + (i0·cols + j)·kb; dp = dst + base + (j·rows + i0)·kb
    ...get(src), ...get(base), I32_ADD, ...get(i0), ...get(cols), I32_MUL, ...get(j), I32_ADD, ...get(kb), I32_MUL, I32_ADD, ...set(sp),
    ...get(dst), ...get(base), I32_ADD, ...get(j), ...get(rows), I32_MUL, ...get(i0), I32_ADD, ...get(kb), I32_MUL, I32_ADD, ...set(dp),
    ...get(kb), ...i32(4), 0x46 /* i32.eq */, 0x04, 0x40,
    ...loop(i, get(i0), get(i1), i32(1), [...get(dp), ...get(sp), 0x28, 2, 0, 0x36, 2, 0, ...step]),
    0x05,
    ...loop(i, get(i0), get(i1), i32(1), [...copy, ...step]),
    0x0b,
  ];
  const code = [
    ...get(cols), ...get(kb), I32_MUL, ...set(sstride),
    ...loop(b, i32(0), get(batch), i32(1), [
      ...get(b), ...get(rows), I32_MUL, ...get(cols), I32_MUL, ...get(kb), I32_MUL, ...set(base),
      ...loop(i0, i32(0), get(rows), get(bi), [
        ...minOf(get(rows), [...get(i0), ...get(bi), I32_ADD]), ...set(i1),
        ...loop(j0, i32(0), get(cols), get(bj), [
          ...minOf(get(cols), [...get(j0), ...get(bj), I32_ADD]), ...set(j1),
          ...loop(j, get(j0), get(j1), i32(1), column),
        ]),
      ]),
    ]),
  ];
  return [...vec([[...uleb(12), I32]]), ...code, 0x0b];
})();

/**
 * maxPoolGrad2x2(B, H, OH, OW, CB, WB, x, dy, dx): 2×2 windows at stride 2 without padding, C a
 * multiple of 4 (CB = 4C bytes per pixel, WB bytes per input row). Per window and channel the
 * first strict maximum above −∞ in row-major order wins (NaN never does), as pool.ts's JS loop;
 * the winner gets 0 + dy (so −0 becomes +0 like the JS `+=`), the other three +0. Input pixels
 * outside every window (odd H or W) are left alone: the caller zero-fills dx.
 */
const maxPoolGrad2x2 = (() => {
  const [nb, ih, oh, ow, cb, wb, x, dy, dx] = [0, 1, 2, 3, 4, 5, 6, 7, 8];
  const [b, oy, ox, g, row, win, o, a0] = [9, 10, 11, 12, 13, 14, 15, 16];
  const [best, g0, g1, g2, g3, d] = [17, 18, 19, 20, 21, 22];
  const I32_MUL = 0x6c;
  const loop = (v: number, limit: number[], step: number[], body: number[]) => [
    ...i32(0), ...set(v),
    0x02, 0x40, 0x03, 0x40,
    ...get(v), ...limit, I32_GE_U, 0x0d, 1,
    ...body,
    ...get(v), ...step, I32_ADD, ...set(v),
    0x0c, 0, 0x0b, 0x0b,
  ];
  const addr = (k: number) => {
    const off = [...get(a0)];
    if (k & 1) off.push(...get(cb), I32_ADD);
    if (k & 2) off.push(...get(wb), I32_ADD);
    return off;
  };
  const xAt = (k: number) => [...get(x), ...addr(k), I32_ADD, ...V_LOAD(0)];
  const AND = simd(0x4e);
  const F32_ADD = simd(0xe4);
  const store = (k: number, mask: number[]) => [
    ...get(dx), ...addr(k), I32_ADD, ...f32x4Const(0), ...get(d), ...mask, ...AND, ...F32_ADD, ...simd(0x0b, 0, 0),
  ];
  const window = [
    ...get(win), ...get(g), I32_ADD, ...set(a0),
    ...get(dy), ...get(o), I32_ADD, ...V_LOAD(0), ...set(d),
    // g0 = x0 > −∞; best = g0 ? x0 : −∞; gk = xk > best; best = gk ? xk : best
    ...xAt(0), ...f32x4Const(-Infinity), ...F32_GT, ...set(g0),
    ...xAt(0), ...f32x4Const(-Infinity), ...get(g0), ...BITSELECT, ...set(best),
    ...xAt(1), ...get(best), ...F32_GT, ...set(g1),
    ...xAt(1), ...get(best), ...get(g1), ...BITSELECT, ...set(best),
    ...xAt(2), ...get(best), ...F32_GT, ...set(g2),
    ...xAt(2), ...get(best), ...get(g2), ...BITSELECT, ...set(best),
    ...xAt(3), ...get(best), ...F32_GT, ...set(g3),
    // the last position that improved on the running best wins
    ...store(3, get(g3)),
    ...store(2, [...get(g2), ...get(g3), ...ANDNOT]),
    ...store(1, [...get(g1), ...get(g2), ...ANDNOT, ...get(g3), ...ANDNOT]),
    ...store(0, [...get(g0), ...get(g1), ...ANDNOT, ...get(g2), ...ANDNOT, ...get(g3), ...ANDNOT]),
    ...get(o), ...i32(16), I32_ADD, ...set(o),
  ];
  const code = loop(b, get(nb), i32(1), loop(oy, get(oh), i32(1), [
    // row = (b·H + 2·oy)·WB: the window's top input row
    ...get(b), ...get(ih), I32_MUL, ...get(oy), ...i32(1), I32_SHL, I32_ADD, ...get(wb), I32_MUL, ...set(row),
    ...loop(ox, get(ow), i32(1), [
      ...get(row), ...get(ox), ...get(cb), I32_MUL, ...i32(1), I32_SHL, I32_ADD, ...set(win),
      ...loop(g, get(cb), i32(16), window),
    ]),
  ]));
  return [...vec([[...uleb(8), I32], [...uleb(6), V128]]), ...code, 0x0b];
})();

/**
 * runs(count, table, src, dst): im2col / col2im over "runs", contiguous stretches that map column
 * entries to input entries (gradients/conv2dColumns.ts). `table` holds count triples of i32
 * element offsets (c, x, len). `add` = 0: dst[c .. c+len) = src[x .. x+len) (im2col);
 * `add` = 1: dst[x .. x+len) += src[c .. c+len) in table order (col2im; the same float32 additions
 * in the same order as the JS loop).
 */
function runsLoop(add: boolean): number[] {
  const [count, table, src, dst] = [0, 1, 2, 3];
  const [r, t, from, to, lenB, e] = [4, 5, 6, 7, 8, 9];
  const I32_LOAD = (off: number) => [0x28, 2, ...uleb(off)];
  const F32_ADD = simd(0xe4);
  const code = [
    0x02, 0x40, 0x03, 0x40,
    ...get(r), ...get(count), I32_GE_U, 0x0d, 1,
    ...get(table), ...get(r), ...i32(12), 0x6c /* i32.mul */, I32_ADD, ...set(t),
    // from/to: byte addresses of the source and destination stretch
    ...(add
      ? [...get(src), ...get(t), ...I32_LOAD(0), ...i32(2), I32_SHL, I32_ADD, ...set(from), ...get(dst), ...get(t), ...I32_LOAD(4), ...i32(2), I32_SHL, I32_ADD, ...set(to)]
      : [...get(src), ...get(t), ...I32_LOAD(4), ...i32(2), I32_SHL, I32_ADD, ...set(from), ...get(dst), ...get(t), ...I32_LOAD(0), ...i32(2), I32_SHL, I32_ADD, ...set(to)]),
    ...get(t), ...I32_LOAD(8), ...i32(2), I32_SHL, ...set(lenB),
    ...i32(0), ...set(e),
    0x02, 0x40, 0x03, 0x40,
    ...get(e), ...i32(16), I32_ADD, ...get(lenB), 0x4b /* i32.gt_u */, 0x0d, 1,
    ...get(to), ...get(e), I32_ADD,
    ...(add ? [...get(to), ...get(e), I32_ADD, ...V_LOAD(0)] : []),
    ...get(from), ...get(e), I32_ADD, ...V_LOAD(0),
    ...(add ? F32_ADD : []),
    ...simd(0x0b, 0, 0),
    ...get(e), ...i32(16), I32_ADD, ...set(e),
    0x0c, 0, 0x0b, 0x0b,
    0x02, 0x40, 0x03, 0x40,
    ...get(e), ...get(lenB), I32_GE_U, 0x0d, 1,
    ...get(to), ...get(e), I32_ADD,
    ...(add ? [...get(to), ...get(e), I32_ADD, 0x2a, 2, 0 /* f32.load */] : []),
    ...get(from), ...get(e), I32_ADD, 0x2a, 2, 0,
    ...(add ? [0x92 /* f32.add */] : []),
    0x38, 2, 0, // f32.store
    ...get(e), ...i32(4), I32_ADD, ...set(e),
    0x0c, 0, 0x0b, 0x0b,
    ...get(r), ...i32(1), I32_ADD, ...set(r),
    0x0c, 0, 0x0b, 0x0b,
    0x0b,
  ];
  return [...vec([[...uleb(6), I32]]), ...code];
}

const FUNCS: Array<[string, number, number[]]> = [
  ['swap', 8, swap],
  ['im2colRuns', 4, runsLoop(false)],
  ['col2imRuns', 4, runsLoop(true)],
  ['maxPoolGrad2x2', 9, maxPoolGrad2x2],
  ['moments', 6, moments],
  ['affine', 6, affine],
  ['gradSums', 7, gradSums],
  ['gradDx', 9, gradDx],
  ['reluGrad', 4, reluGrad],
];

function moduleBytes(shared: boolean): Uint8Array<ArrayBuffer> {
  const arities = [...new Set(FUNCS.map((f) => f[1]))];
  const sig = (n: number) => [0x60, ...vec(Array.from({ length: n }, () => [I32])), 0];
  const type = section(1, vec(arities.map(sig)));
  const limits = shared ? [0x03, 0, ...uleb(65536)] : [0x00, 0];
  const imp = section(2, vec([[...str('env'), ...str('memory'), 0x02, ...limits]]));
  const func = section(3, vec(FUNCS.map((f) => uleb(arities.indexOf(f[1])))));
  const exp = section(7, vec(FUNCS.map((f, i) => [...str(f[0]), 0x00, ...uleb(i)])));
  const code = section(10, vec(FUNCS.map((f) => [...uleb(f[2].length), ...f[2]])));
  // A nested array spread by mistake would become a 0 byte, i.e. `unreachable`: fail loudly.
  if (code.some((b) => !Number.isInteger(b) || b < 0 || b > 255)) throw new Error('internal: channelSimd emitted a non-byte');
  return new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, ...type, ...imp, ...func, ...exp, ...code]);
}

export interface ChannelSimd {
  moments(rows: number, pairs: number, x: number, shift: number, s1: number, s2: number): void;
  affine(rows: number, pairs: number, x: number, a: number, o: number, y: number): void;
  gradSums(rows: number, pairs: number, dy: number, x: number, mu: number, sdy: number, sdyx: number): void;
  gradDx(rows: number, pairs: number, dy: number, x: number, mu: number, a: number, m: number, q: number, dx: number): void;
  reluGrad(n4: number, dy: number, x: number, dx: number): void;
  maxPoolGrad2x2(batch: number, inH: number, outH: number, outW: number, pixelBytes: number, rowBytes: number, x: number, dy: number, dx: number): void;
  im2colRuns(count: number, table: number, src: number, dst: number): void;
  col2imRuns(count: number, table: number, src: number, dst: number): void;
  swap(batch: number, rows: number, cols: number, chunkBytes: number, src: number, dst: number, blockRows: number, blockCols: number): void;
}

/** Switches for tests and benchmarks: false runs the previous JS loops on wasm too. */
export const channelSimdEnabled = { value: true };
export const transposeSimdEnabled = { value: true };
export const poolSimdEnabled = { value: true };
export const columnsSimdEnabled = { value: true };

const byMemory = new WeakMap<WebAssembly.Memory, ChannelSimd | null>();

/** The wasm backend's heap, when it can be reached (tfjs-wasm 4.x internals). */
function heapMemory(backend: any): WebAssembly.Memory | null {
  const m = backend?.wasm?.asm?.memory ?? backend?.wasm?.wasmMemory;
  return m instanceof WebAssembly.Memory && m.buffer === backend.wasm.HEAPU8.buffer ? m : null;
}

/** The loops instantiated against this wasm backend's heap; null off wasm or without SIMD. */
export function wasmLoops(backend: unknown): ChannelSimd | null {
  const memory = heapMemory(backend);
  if (memory === null) return null;
  let k = byMemory.get(memory);
  if (k === undefined) {
    try {
      const shared = typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer;
      const inst = new WebAssembly.Instance(new WebAssembly.Module(moduleBytes(shared)), { env: { memory } });
      k = inst.exports as unknown as ChannelSimd;
    } catch {
      k = null; // no wasm SIMD in this engine
    }
    byMemory.set(memory, k);
  }
  return k;
}

/** The loops for the batch-norm and ReLU-gradient kernels; null also when switched off. */
export function channelSimd(backend: unknown): ChannelSimd | null {
  return channelSimdEnabled.value ? wasmLoops(backend) : null;
}

/**
 * Block shape of `swap`: source-row slices and destination runs of ≥ 512 bytes where the grid allows
 * (a few long sequential streams instead of many 128-byte ones: an element transpose of
 * [100352, 16] ran at 4.3 ns per element in 32×32 blocks), about 32 KiB per block (L1).
 */
export function swapBlocks(cols: number, chunkBytes: number): [number, number] {
  const bj = Math.min(cols, Math.max(8, Math.floor(512 / chunkBytes)));
  const bi = Math.max(8, Math.floor(32768 / (bj * chunkBytes)));
  return [bi, bj];
}

/** Byte offset of a float32 tensor on the wasm heap. */
export function heapOffset(backend: any, t: { dataId: object }): number {
  return backend.dataIdMap.get(t.dataId).memoryOffset as number;
}

/**
 * Float64 scratch on the wasm heap for per-channel values (freed by `free`). Allocate every
 * scratch and output before taking any heap view: malloc may grow the heap.
 */
export function mallocF64(backend: any, n: number): number {
  const ptr = backend.wasm._malloc(8 * n) as number;
  if (ptr % 8 !== 0) {
    backend.wasm._free(ptr);
    throw new Error(`channelSimd: malloc returned an offset that is not 8-byte aligned (${ptr})`);
  }
  return ptr;
}

export function free(backend: any, ...ptrs: number[]): void {
  for (const p of ptrs) backend.wasm._free(p);
}

/**
 * The heap's current buffer: the memory's own, not HEAPU8's, which a pthread's malloc can grow past
 * without the main thread's views being replaced (threaded build).
 */
export function heapBuffer(backend: any): ArrayBufferLike {
  return heapMemory(backend)?.buffer ?? backend.wasm.HEAPU8.buffer;
}

/** A float64 view of `n` values at a (8-aligned) heap offset; take it after every allocation. */
export function f64At(backend: any, ptr: number, n: number): Float64Array {
  return new Float64Array(heapBuffer(backend), ptr, n);
}
