import type { Expr, Program } from '../../optim/fused/simd.js';

/**
 * Straight-line source for one element of a fused update program (`optim/fused/programs.ts`, the
 * same programs the wasm SIMD kernels compile), in GLSL ES 3.00 (webgl) or WGSL (webgpu). Every
 * load reads the old value; each stored buffer's new value ends up in `s<buf>`. The op order is
 * the program's, so the GPU computes the same float32 expression as the composite path.
 */
export type Dialect = 'glsl' | 'wgsl';

/** Buffers a program stores, ascending: the rows of the packed output, in this order. */
export function storedBuffers(p: Program): number[] {
  const out = new Set<number>();
  for (const s of p.body) if (s.kind === 'store') out.add(s.buf);
  return [...out].sort((a, b) => a - b);
}

/** Rounding helpers (round-to-nearest-even on the float32 bit pattern; Inf/NaN pass through). */
export const ROUND_HELPERS: Record<Dialect, string> = {
  glsl: `
float rf_bf16(float x) {
  uint u = floatBitsToUint(x);
  if ((u & 0x7f800000u) == 0x7f800000u) return x;
  return uintBitsToFloat((u + 0x7fffu + ((u >> 16) & 1u)) & 0xffff0000u);
}
float rf_fp16(float x) {
  uint u = floatBitsToUint(x);
  if ((u & 0x7f800000u) == 0x7f800000u) return x;
  float a = abs(x);
  if (a >= 65520.0) return uintBitsToFloat((u & 0x80000000u) | 0x7f800000u);
  if (a < 6.103515625e-05) return roundEven(x * 16777216.0) * 5.9604644775390625e-08;
  return uintBitsToFloat((u + 0xfffu + ((u >> 13) & 1u)) & 0xffffe000u);
}
`,
  wgsl: `
fn rf_bf16(x : f32) -> f32 {
  let u = bitcast<u32>(x);
  if ((u & 0x7f800000u) == 0x7f800000u) { return x; }
  return bitcast<f32>((u + 0x7fffu + ((u >> 16u) & 1u)) & 0xffff0000u);
}
fn rf_fp16(x : f32) -> f32 {
  let u = bitcast<u32>(x);
  if ((u & 0x7f800000u) == 0x7f800000u) { return x; }
  let a = abs(x);
  if (a >= 65520.0) { return bitcast<f32>((u & 0x80000000u) | 0x7f800000u); }
  if (a < 6.103515625e-05) { return round(x * 16777216.0) * 5.9604644775390625e-08; }
  return bitcast<f32>((u + 0xfffu + ((u >> 13u) & 1u)) & 0xffffe000u);
}
`,
};

function expr(e: Expr, param: (i: number) => string): string {
  switch (e.op) {
    case 'load':
      return `l${e.buf}`;
    case 'param':
      return param(e.index);
    case 'var':
      return `v_${e.name}`;
    case 'sqrt':
      return `sqrt(${expr(e.a, param)})`;
    case 'bf16':
      return `rf_bf16(${expr(e.a, param)})`;
    case 'fp16':
      return `rf_fp16(${expr(e.a, param)})`;
    case 'max':
      return `max(${expr(e.a, param)}, ${expr(e.b, param)})`;
    default: {
      const op = { add: '+', sub: '-', mul: '*', div: '/' }[e.op];
      return `(${expr(e.a, param)} ${op} ${expr(e.b, param)})`;
    }
  }
}

/**
 * The body: declares `l<k>` from `load(k)` for every buffer, then the program's statements.
 * `load(k)` gives the source of buffer k's element, `param(i)` that of scalar i.
 */
export function bodySource(p: Program, dialect: Dialect, load: (k: number) => string, param: (i: number) => string): string {
  const decl = (name: string, value: string): string => (dialect === 'glsl' ? `float ${name} = ${value};` : `var ${name} : f32 = ${value};`);
  const lines: string[] = [];
  for (let k = 0; k < p.buffers; k++) lines.push(decl(`l${k}`, load(k)));
  const declared = new Set<string>();
  for (const s of p.body) {
    const value = expr(s.value, param);
    const name = s.kind === 'let' ? `v_${s.name}` : `s${s.buf}`;
    if (declared.has(name)) lines.push(`${name} = ${value};`);
    else {
      declared.add(name);
      lines.push(decl(name, value));
    }
  }
  return lines.join('\n    ');
}
