/**
 * Independent float64 IF-Shampoo written straight from SPEC §2.2/§2.3 (no scaling tricks, no
 * tfjs): plain arrays, explicit loops. Two variants: general N via mode products/unfoldings, and
 * the explicit 2-D (C, K) / 1-D formulas of §2.2.
 */
export type Mat = number[][];

export const eye = (d: number): Mat => Array.from({ length: d }, (_, i) => Array.from({ length: d }, (_, j) => (i === j ? 1 : 0)));
export const zeros = (r: number, c: number): Mat => Array.from({ length: r }, () => new Array<number>(c).fill(0));
export const T = (a: Mat): Mat => a[0].map((_, j) => a.map((row) => row[j]));
export function mm(a: Mat, b: Mat): Mat {
  const out = zeros(a.length, b[0].length);
  for (let i = 0; i < a.length; i++) for (let k = 0; k < b.length; k++) for (let j = 0; j < b[0].length; j++) out[i][j] += a[i][k] * b[k][j];
  return out;
}
export const add = (a: Mat, b: Mat, s = 1): Mat => a.map((r, i) => r.map((x, j) => x + s * b[i][j]));
export const scale = (a: Mat, s: number): Mat => a.map((r) => r.map((x) => x * s));
export const trace = (a: Mat): number => a.reduce((t, r, i) => t + r[i], 0);
export const frob = (a: Mat): number => Math.sqrt(a.flat().reduce((t, x) => t + x * x, 0));
const prod = (xs: number[]) => xs.reduce((a, b) => a * b, 1);

function strides(dims: number[]): number[] {
  const s = new Array<number>(dims.length).fill(1);
  for (let a = dims.length - 2; a >= 0; a--) s[a] = s[a + 1] * dims[a + 1];
  return s;
}

/** (t ×_a M)[…i…] = Σ_k M[i,k]·t[…k…] on a row-major flat tensor. */
export function modeProduct(t: number[], dims: number[], a: number, M: Mat): number[] {
  const st = strides(dims);
  const out = new Array<number>(t.length).fill(0);
  for (let idx = 0; idx < t.length; idx++) {
    const i = Math.floor(idx / st[a]) % dims[a];
    const base = idx - i * st[a];
    let s = 0;
    for (let k = 0; k < dims[a]; k++) s += M[i][k] * t[base + k * st[a]];
    out[idx] = s;
  }
  return out;
}

/** unf_a(t): d_a × (n/d_a) (column order irrelevant, only U Uᵀ is used). */
export function unfold(t: number[], dims: number[], a: number): Mat {
  const st = strides(dims);
  const rows: Mat = Array.from({ length: dims[a] }, () => []);
  for (let idx = 0; idx < t.length; idx++) rows[Math.floor(idx / st[a]) % dims[a]].push(t[idx]);
  return rows;
}

export interface Hyper {
  lr: number;
  beta2: number;
  alpha1: number;
  alpha2: number;
  lam: number;
  kappa: number;
  B: number;
  /** Update iff step % T === 0 (or the given predicate). */
  update?: (step: number) => boolean;
}

export interface RefState {
  K: Mat[];
  m: Mat[];
  buf: number[];
}

export const squeeze = (shape: number[]): number[] => {
  const d = shape.filter((x) => x !== 1);
  return d.length ? d : [1];
};

/** §2.2 step 3 for general N. */
export function deltasGeneral(g: number[], dims: number[], K: Mat[], lam: number, B: number): Mat[] {
  const N = dims.length;
  const gs = g.map((x) => x * Math.sqrt(B));
  const tau = K.map((k, j) => trace(mm(T(k), k)) / dims[j]);
  return dims.map((d, a) => {
    let u = gs;
    for (let j = 0; j < N; j++) u = modeProduct(u, dims, j, T(K[j]));
    const U = unfold(u, dims, a);
    const Pi = prod(tau.filter((_, j) => j !== a));
    const Da = prod(dims.filter((_, j) => j !== a));
    const ktk = mm(T(K[a]), K[a]);
    return scale(add(add(scale(ktk, lam * Pi), scale(mm(U, T(U)), 1 / Da)), eye(d), -1), 0.5);
  });
}

/** The explicit 2-D (C rows, K columns) and 1-D formulas of §2.2. */
export function deltasExplicit(g: number[], dims: number[], K: Mat[], lam: number, B: number): Mat[] {
  const gs = g.map((x) => x * Math.sqrt(B));
  if (dims.length === 1) {
    const k = K[0];
    const kg = mm(T(k), gs.map((x) => [x]));
    return [scale(add(add(scale(mm(T(k), k), lam), mm(kg, T(kg))), eye(dims[0]), -1), 0.5)];
  }
  if (dims.length !== 2) throw new Error('explicit formulas exist for N = 1, 2');
  const [dC, dK] = dims;
  const [C, Kk] = K;
  const G = Array.from({ length: dC }, (_, i) => gs.slice(i * dK, (i + 1) * dK));
  const CtGK = mm(mm(T(C), G), Kk);
  const dCm = scale(add(add(scale(mm(T(C), C), lam * trace(mm(T(Kk), Kk))), mm(CtGK, T(CtGK))), eye(dC), -dK), 1 / (2 * dK));
  const dKm = scale(add(add(scale(mm(T(Kk), Kk), lam * trace(mm(T(C), C))), mm(T(CtGK), CtGK)), eye(dK), -dC), 1 / (2 * dC));
  return [dCm, dKm];
}

/** Runs the reference over `grads` from `init`; returns the parameter after every step and the final state. */
export function runReference(
  init: number[],
  shape: number[],
  grads: number[][],
  h: Hyper,
  deltas: typeof deltasGeneral = deltasGeneral,
): { params: number[][]; state: RefState } {
  const dims = squeeze(shape);
  const st: RefState = { K: dims.map(eye), m: dims.map((d) => zeros(d, d)), buf: new Array<number>(init.length).fill(0) };
  let p = init.slice();
  const params: number[][] = [];
  grads.forEach((g, step) => {
    if (h.update ? h.update(step) : true) {
      const D = deltas(g, dims, st.K, h.lam, h.B);
      st.m = D.map((d, a) => (h.alpha2 === 0 ? d : add(scale(st.m[a], h.alpha2), d, 1 - h.alpha2)));
      st.K = st.K.map((k, a) => add(k, mm(k, st.m[a]), -h.beta2 / Math.max(1, frob(st.m[a]))));
    }
    let v = g;
    st.K.forEach((k, a) => (v = modeProduct(v, dims, a, mm(k, T(k)))));
    const d = v.map((x, i) => x + h.kappa * p[i]);
    st.buf = h.alpha1 === 0 ? d : st.buf.map((b, i) => h.alpha1 * b + d[i]);
    p = p.map((x, i) => x - h.lr * st.buf[i]);
    params.push(p.slice());
  });
  return { params, state: st };
}
