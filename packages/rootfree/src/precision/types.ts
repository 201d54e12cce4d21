/**
 * Storage precision of a tensor computed by rootfree. tfjs has no 16-bit dtypes, so
 * `bfloat16`/`float16` values live in float32 tensors that hold exactly representable values,
 * rounded (round-to-nearest-even) after every operation whose result the reference stores in
 * that format (SPEC §6.3).
 */
export type Precision = 'float32' | 'bfloat16' | 'float16';

export const PRECISIONS: readonly Precision[] = ['float32', 'bfloat16', 'float16'];

/** Accepts the short spellings users and the reference use (`bf16`, `torch.bfloat16`, ...). */
export function parsePrecision(value: unknown, option = 'precision'): Precision {
  const s = String(value).replace(/^torch\./, '').toLowerCase();
  switch (s) {
    case 'float32': case 'fp32': case 'f32': return 'float32';
    case 'bfloat16': case 'bf16': return 'bfloat16';
    case 'float16': case 'fp16': case 'f16': case 'half': return 'float16';
    default:
      throw new RangeError(`${option}: expected one of float32 | bfloat16 | float16 (or fp32/bf16/fp16), got ${JSON.stringify(value)}`);
  }
}
