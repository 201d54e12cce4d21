/** Fused in-place diagonal updates (cpu/wasm storage views) and IF-Shampoo's fused tail. */
export { sgdInPlace, adamwInPlace, rmspropInPlace, rfRmspropInPlace, rfAdamWInPlace } from './methods.js';
export { flushFused } from './batch.js';
export { fusedTail, compositeTail, type TailOptions } from './tail.js';
export { firstNonFinite } from './finite.js';
export { roundBf16, roundFp16, rounderFor, type Rounder } from './round.js';
export { setFusedSimd, fusedSimdEnabled } from './programs.js';
