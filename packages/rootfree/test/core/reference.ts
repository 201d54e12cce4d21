/**
 * Independent plain-JS float64 re-implementations of SPEC §1.1–§1.3, written from the spec text
 * (not from src/optim). The RF methods can also emulate bf16 state storage per SPEC §6.3 (every
 * fp32 op rounded with Math.fround, every stored bf16 result rounded to bf16).
 */
import { bf16, fp16, type Problem } from './helpers.js';

export interface RefOptimizer {
  /** One step in place; `batchSize` is B of this step. */
  step(params: number[][], grads: number[][], batchSize: number): void;
  state: Array<Record<string, number[]>>;
}

interface Arith {
  /** Result of an fp32 op (identity in float64 mode). */
  f(x: number): number;
  /** Result stored in the state dtype. */
  r(x: number): number;
}
const F64: Arith = { f: (x) => x, r: (x) => x };
const BF16: Arith = { f: Math.fround, r: (x) => bf16(Math.fround(x)) };
const FP16: Arith = { f: Math.fround, r: (x) => fp16(Math.fround(x)) };
const arith = (stateDtype?: string): Arith => (stateDtype === 'bfloat16' ? BF16 : stateDtype === 'float16' ? FP16 : F64);

export interface SGDRef { lr: number; momentum?: number; dampening?: number; weightDecay?: number; nesterov?: boolean }
export function refSGD(o: SGDRef): RefOptimizer {
  const mu = o.momentum ?? 0;
  const damp = o.dampening ?? 0;
  const wd = o.weightDecay ?? 0;
  const state: Array<Record<string, number[]>> = [];
  return {
    state,
    step(params, grads) {
      params.forEach((p, i) => {
        const s = (state[i] ??= {});
        const first = s.buf === undefined;
        const buf = s.buf ?? new Array(p.length).fill(0);
        for (let k = 0; k < p.length; k++) {
          let d = grads[i][k] + wd * p[k];
          if (mu !== 0) {
            buf[k] = first ? d : mu * buf[k] + (1 - damp) * d;
            d = o.nesterov ? d + mu * buf[k] : buf[k];
          }
          p[k] -= o.lr * d;
        }
        if (mu !== 0) s.buf = buf;
      });
    },
  };
}

export interface AdamWRef { lr: number; beta1: number; beta2: number; epsilon: number; weightDecay: number; amsgrad?: boolean }
export function refAdamW(o: AdamWRef): RefOptimizer {
  const state: Array<Record<string, number[]>> = [];
  return {
    state,
    step(params, grads) {
      params.forEach((p, i) => {
        const s = (state[i] ??= { m: new Array(p.length).fill(0), v: new Array(p.length).fill(0), vmax: new Array(p.length).fill(0), t: [0] });
        const t = ++s.t[0];
        const c1 = 1 - o.beta1 ** t;
        const c2 = 1 - o.beta2 ** t;
        for (let k = 0; k < p.length; k++) {
          const g = grads[i][k];
          p[k] *= 1 - o.lr * o.weightDecay;
          s.m[k] = o.beta1 * s.m[k] + (1 - o.beta1) * g;
          s.v[k] = o.beta2 * s.v[k] + (1 - o.beta2) * g * g;
          let v = s.v[k];
          if (o.amsgrad) v = s.vmax[k] = Math.max(s.vmax[k], v);
          const den = Math.sqrt(v) / Math.sqrt(c2) + o.epsilon;
          p[k] -= (o.lr / c1) * (s.m[k] / den);
        }
      });
    },
  };
}

export interface RMSpropRef { lr: number; alpha: number; epsilon: number; weightDecay?: number; momentum?: number; centered?: boolean }
export function refRMSprop(o: RMSpropRef): RefOptimizer {
  const wd = o.weightDecay ?? 0;
  const mu = o.momentum ?? 0;
  const state: Array<Record<string, number[]>> = [];
  return {
    state,
    step(params, grads) {
      params.forEach((p, i) => {
        const z = () => new Array(p.length).fill(0);
        const s = (state[i] ??= { v: z(), gAvg: z(), buf: z() });
        for (let k = 0; k < p.length; k++) {
          const d = grads[i][k] + wd * p[k];
          s.v[k] = o.alpha * s.v[k] + (1 - o.alpha) * d * d;
          let den: number;
          if (o.centered) {
            s.gAvg[k] = o.alpha * s.gAvg[k] + (1 - o.alpha) * d;
            den = Math.sqrt(s.v[k] - s.gAvg[k] ** 2) + o.epsilon;
          } else {
            den = Math.sqrt(s.v[k]) + o.epsilon;
          }
          if (mu > 0) {
            s.buf[k] = mu * s.buf[k] + d / den;
            p[k] -= o.lr * s.buf[k];
          } else {
            p[k] -= (o.lr * d) / den;
          }
        }
      });
    },
  };
}

export interface RFRef {
  lr: number;
  damping: number;
  weightDecay?: number;
  batchAveraged?: boolean;
  dummyInit?: boolean;
  dummyScaling?: boolean;
  stateDtype?: 'float32' | 'bfloat16' | 'float16';
}

/** The scalar F of SPEC §1.1, taken from this step's batch size. */
const factor = (o: RFRef, B: number): number => (o.dummyScaling || o.batchAveraged === false ? 1 : B);

export function refRFRMSprop(o: RFRef & { alpha: number; momentum?: number }): RefOptimizer {
  const A = arith(o.stateDtype);
  const { f, r } = A;
  const rho = 1 - o.alpha;
  const wd = o.weightDecay ?? 0;
  const mu = o.momentum ?? 0;
  const state: Array<Record<string, number[]>> = [];
  return {
    state,
    step(params, grads, B) {
      const F = factor(o, B);
      params.forEach((p, i) => {
        const s = (state[i] ??= { v: new Array(p.length).fill(o.dummyInit ? 0 : r(1 / F)), buf: new Array(p.length).fill(0) });
        for (let k = 0; k < p.length; k++) {
          const g = r(grads[i][k]);
          // v.mul_(alpha).addcmul_(g, g, value=rho): two stored results.
          s.v[k] = r(f(s.v[k] * o.alpha));
          s.v[k] = r(f(s.v[k] + f(rho * f(g * g))));
          const den = r(f(r(f(F * s.v[k])) + o.damping));
          let d = r(f(g / den));
          if (wd !== 0) d = r(f(d + f(wd * p[k])));
          let u = d;
          if (mu !== 0) {
            s.buf[k] = r(f(r(f(s.buf[k] * mu)) + d));
            u = s.buf[k];
          }
          p[k] = f(p[k] - f(o.lr * u));
        }
      });
    },
  };
}

export function refRFAdamW(o: RFRef & { beta1: number; beta2: number; biasCorrection?: boolean }): RefOptimizer {
  const { f, r } = arith(o.stateDtype);
  const wd = o.weightDecay ?? 0;
  const state: Array<Record<string, number[]>> = [];
  return {
    state,
    step(params, grads, B) {
      const F = factor(o, B);
      params.forEach((p, i) => {
        const s = (state[i] ??= { m: new Array(p.length).fill(0), v: new Array(p.length).fill(o.dummyInit ? 0 : r(1 / F)), t: [0] });
        const t = ++s.t[0];
        const c1 = o.biasCorrection ? 1 - o.beta1 ** t : 1;
        const c2 = o.biasCorrection ? 1 - o.beta2 ** t : 1;
        for (let k = 0; k < p.length; k++) {
          p[k] = f(p[k] * f(1 - o.lr * wd));
          const g = r(grads[i][k]);
          s.m[k] = r(f(r(f(s.m[k] * o.beta1)) + f((1 - o.beta1) * g)));
          s.v[k] = r(f(r(f(s.v[k] * o.beta2)) + f((1 - o.beta2) * f(g * g))));
          const den = r(f(r(f(r(f(F * s.v[k])) / c2)) + o.damping));
          p[k] = f(p[k] - f(f(o.lr / c1) * f(s.m[k] / den)));
        }
      });
    },
  };
}

/** Runs a reference over a problem; returns the parameters after every step. */
export function runRef(ref: RefOptimizer, prob: Problem, batchSize: (step: number) => number = () => 1): number[][][] {
  const params = prob.init.map((p) => p.slice());
  return prob.grads.map((g, t) => {
    ref.step(params, g, batchSize(t));
    return params.map((p) => p.slice());
  });
}
