/**
 * Independent float64 re-implementation of Distributed Shampoo's single-device step (SPEC §5),
 * written from the spec with plain loops and a cyclic-Jacobi eigensolver (not rootfree's
 * tred2/QL), used to check the tfjs implementation and to replay the goldens in float64.
 */

export interface Ref64Options {
  beta1: number;
  beta2: number;
  epsilon: number;
  momentum: number;
  nesterov: boolean;
  weightDecay: number;
  decoupledWeightDecay: boolean;
  biasCorrection: boolean;
  preconditionFrequency: number;
  startPreconditioningStep: number;
  exponentOverride: number | number[];
  exponentMultiplier: number;
  grafting: 'none' | 'sgd' | 'adagrad' | 'rmsprop' | 'adam' | 'adagradNormalized' | 'rmspropNormalized' | 'adamNormalized' | 'lars' | 'lamb';
  graftingEpsilon: number;
  graftingBeta2: number;
  mergeDims: boolean;
  maxPreconditionerDim: number;
  largeDimMethod: 'blocking' | 'adagrad' | 'diagonal';
}

export const REF_DEFAULTS: Ref64Options = {
  beta1: 0.9, beta2: 1, epsilon: 1e-12, momentum: 0, nesterov: false, weightDecay: 0, decoupledWeightDecay: true,
  biasCorrection: true, preconditionFrequency: 1, startPreconditioningStep: 1, exponentOverride: 0, exponentMultiplier: 1,
  grafting: 'adagrad', graftingEpsilon: 1e-3, graftingBeta2: 1, mergeDims: false, maxPreconditionerDim: 1024, largeDimMethod: 'blocking',
};

/** Symmetric eigendecomposition by cyclic Jacobi rotations: returns eigenvalues and V (columns = vectors). */
export function jacobiEigh(a0: ArrayLike<number>, n: number): { values: number[]; v: number[][] } {
  const a = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => 0.5 * (a0[i * n + j] + a0[j * n + i])));
  const v: number[][] = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 1 : 0)));
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    let tot = 0;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        if (i === j) tot += a[i][j] ** 2;
        else off += a[i][j] ** 2;
      }
    }
    if (off <= 1e-32 * (tot + off) || off === 0) break;
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        if (a[p][q] === 0) continue;
        const theta = (a[q][q] - a[p][p]) / (2 * a[p][q]);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = a[k][p];
          const akq = a[k][q];
          a[k][p] = c * akp - s * akq;
          a[k][q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p][k];
          const aqk = a[q][k];
          a[p][k] = c * apk - s * aqk;
          a[q][k] = s * apk + c * aqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = v[k][p];
          const vkq = v[k][q];
          v[k][p] = c * vkp - s * vkq;
          v[k][q] = s * vkp + c * vkq;
        }
      }
    }
  }
  return { values: a.map((row, i) => row[i]), v };
}

/** (A + ε)^(−η/p) the reference way: scalar path for 1×1, else eigen with the PSD shift. */
export function refInverseRoot(a: number[], n: number, root: number, eps: number, eta: number): number[] {
  const alpha = -eta / root;
  if (n === 1) return [(a[0] + eps) ** alpha];
  const { values, v } = jacobiEigh(a, n);
  const shift = -Math.min(Math.min(...values), 0);
  const f = values.map((l) => (l + shift + eps) ** alpha);
  const x = new Array<number>(n * n).fill(0);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
    let s = 0;
    for (let k = 0; k < n; k++) s += v[i][k] * f[k] * v[j][k];
    x[i * n + j] = s;
  }
  return x;
}

export function refMergeSmallDims(shape: number[], threshold: number): number[] {
  if (shape.length === 0) return [];
  const out = [shape[0]];
  for (const d of shape.slice(1)) {
    const last = out[out.length - 1];
    if (last === 1 || d === 1 || last * d <= threshold) out[out.length - 1] = last * d;
    else out.push(d);
  }
  return out;
}

const strides = (dims: number[]): number[] => dims.map((_, k) => dims.slice(k + 1).reduce((a, b) => a * b, 1));

/** unf_k(T)·unf_k(T)ᵀ. */
function gram(t: number[], dims: number[], k: number): number[] {
  const d = dims[k];
  const st = strides(dims)[k];
  const out = new Array<number>(d * d).fill(0);
  const n = t.length;
  for (let base = 0; base < n; base++) {
    if (Math.floor(base / st) % d !== 0) continue; // first element of each mode-k fiber
    for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) out[i * d + j] += t[base + i * st] * t[base + j * st];
  }
  return out;
}

/** tensordot over axis k with X on its first index: result[..j..] = Σ_i X[i][j]·T[..i..]. */
function modeApply(t: number[], dims: number[], k: number, x: number[]): number[] {
  const d = dims[k];
  const st = strides(dims)[k];
  const out = new Array<number>(t.length).fill(0);
  for (let base = 0; base < t.length; base++) {
    if (Math.floor(base / st) % d !== 0) continue;
    for (let j = 0; j < d; j++) {
      let s = 0;
      for (let i = 0; i < d; i++) s += x[i * d + j] * t[base + i * st];
      out[base + j * st] = s;
    }
  }
  return out;
}

const norm = (v: number[]): number => Math.sqrt(v.reduce((s, x) => s + x * x, 0));

/** Σ over the other axes of T[..i..]² for axis k (the diagonal of the mode-k Gram). */
function diagGram(t: number[], dims: number[], k: number): number[] {
  const d = dims[k];
  const st = strides(dims)[k];
  const out = new Array<number>(d).fill(0);
  t.forEach((x, idx) => (out[Math.floor(idx / st) % d] += x * x));
  return out;
}

/** Scales axis k of T by s. */
function diagApply(t: number[], dims: number[], k: number, s: number[]): number[] {
  const d = dims[k];
  const st = strides(dims)[k];
  return t.map((x, idx) => x * s[Math.floor(idx / st) % d]);
}

/** One block: flat indices into the parameter (row-major over the block), its shape and its own state. */
interface RefBlock {
  idx: number[];
  dims: number[];
  L: number[][];
  X: number[][];
  graft: number[];
}

/** Blocks of `dims` cut into chunks of `size` along every axis, block grid row-major. */
function refBlocks(dims: number[], size: number): Array<{ idx: number[]; dims: number[] }> {
  const st = strides(dims);
  const counts = dims.map((d) => Math.max(1, Math.ceil(d / size)));
  const out: Array<{ idx: number[]; dims: number[] }> = [];
  const total = counts.reduce((a, b) => a * b, 1);
  for (let b = 0; b < total; b++) {
    let r = b;
    const pos = counts.map((_, k) => {
      const below = counts.slice(k + 1).reduce((a, c) => a * c, 1);
      const q = Math.floor(r / below);
      r %= below;
      return q;
    });
    const bd = dims.map((d, k) => Math.min(size, d - pos[k] * size));
    const n = bd.reduce((a, c) => a * c, 1);
    const idx: number[] = [];
    for (let e = 0; e < n; e++) {
      let rr = e;
      let flat = 0;
      bd.forEach((_, k) => {
        const below = bd.slice(k + 1).reduce((a, c) => a * c, 1);
        const q = Math.floor(rr / below);
        rr %= below;
        flat += (pos[k] * size + q) * st[k];
      });
      idx.push(flat);
    }
    out.push({ idx, dims: bd });
  }
  return out;
}

/** One parameter's Distributed Shampoo state and step, in float64. */
export class ShampooRef64 {
  readonly dims: number[];
  readonly diagonal: boolean;
  readonly diagAxes: boolean[];
  readonly root: number;
  readonly blocks: RefBlock[];
  t = 0;
  F: number[];
  mom: number[];
  diag: number[];

  constructor(shape: number[], readonly o: Ref64Options) {
    const max = o.maxPreconditionerDim;
    const blocking = o.largeDimMethod === 'blocking';
    this.dims = blocking && o.mergeDims ? refMergeSmallDims(shape, max) : shape.slice();
    this.diagonal = o.largeDimMethod === 'adagrad' && this.dims.some((d) => d > max);
    this.diagAxes = this.dims.map((d) => o.largeDimMethod === 'diagonal' && d > max);
    const order = this.dims.length;
    const ov = o.exponentOverride;
    this.root = Array.isArray(ov) ? (order > ov.length ? 2 * order : ov[order - 1]) : ov === 0 ? 2 * order : ov;
    const n = shape.reduce((a, b) => a * b, 1);
    const parts = blocking ? refBlocks(this.dims, max) : [{ idx: Array.from({ length: n }, (_, i) => i), dims: this.dims }];
    this.blocks = parts.map(({ idx, dims }) => ({
      idx,
      dims,
      L: dims.map((d, k) => new Array(this.diagAxes[k] ? d : d * d).fill(0)),
      X: dims.map((d) => new Array(d * d).fill(0)),
      graft: new Array(idx.length).fill(0),
    }));
    this.F = new Array(n).fill(0);
    this.mom = new Array(n).fill(0);
    this.diag = new Array(n).fill(0);
  }

  private graftDir(g: number[], acc: number[]): number[] {
    const o = this.o;
    if (o.grafting === 'none' || o.grafting === 'sgd' || o.grafting === 'lars') return g.slice();
    const corrected = o.grafting === 'adam' || o.grafting === 'adamNormalized' || o.grafting === 'lamb';
    const c = corrected && o.graftingBeta2 < 1 ? 1 - o.graftingBeta2 ** this.t : 1;
    return g.map((x, i) => x / (Math.sqrt(acc[i] / c) + o.graftingEpsilon));
  }

  private updateGraft(acc: number[], g: number[]): number[] {
    const o = this.o;
    if (o.grafting === 'none' || o.grafting === 'sgd' || o.grafting === 'lars') return acc;
    const nrm = o.grafting.endsWith('Normalized') ? norm(g) || 1 : 1;
    const b = o.grafting === 'adagrad' || o.grafting === 'adagradNormalized' ? 1 : o.graftingBeta2;
    return acc.map((a, i) => {
      const x = (g[i] / nrm) ** 2;
      return b === 1 ? a + x : b * a + (1 - b) * x;
    });
  }

  /** Returns the new parameter values. */
  step(p: number[], grad: number[], lr: number): number[] {
    const o = this.o;
    const t = ++this.t;
    const g = !o.decoupledWeightDecay && o.weightDecay !== 0 ? grad.map((x, i) => x + o.weightDecay * p[i]) : grad.slice();
    const c1 = o.biasCorrection ? 1 - o.beta1 ** t : 1;
    const c2 = o.biasCorrection && o.beta2 < 1 ? 1 - o.beta2 ** t : 1;
    const ema = (old: number, x: number, b: number) => (b === 1 ? old + x : b * old + (1 - b) * x);
    let dir: number[];
    if (this.diagonal) {
      this.diag = this.diag.map((a, i) => ema(a, g[i] * g[i], o.beta2));
      let gf = g;
      if (o.beta1 !== 0) {
        this.F = this.F.map((f, i) => o.beta1 * f + (1 - o.beta1) * g[i]);
        gf = this.F.map((f) => f / c1);
      }
      dir = gf.map((x, i) => x / (Math.sqrt(this.diag[i] / c2) + o.epsilon));
    } else {
      const refresh = t % o.preconditionFrequency === 0 && t >= o.startPreconditioningStep;
      for (const b of this.blocks) {
        const gb = b.idx.map((i) => g[i]);
        b.dims.forEach((_, k) => {
          const gr = this.diagAxes[k] ? diagGram(gb, b.dims, k) : gram(gb, b.dims, k);
          b.L[k] = b.L[k].map((l, i) => ema(l, gr[i], o.beta2));
        });
        b.graft = this.updateGraft(b.graft, gb);
        if (refresh) b.X = b.L.map((l, k) => (this.diagAxes[k] ? b.X[k] : refInverseRoot(l.map((x) => x / c2), b.dims[k], this.root, o.epsilon, o.exponentMultiplier)));
      }
      let gf = g;
      if (o.beta1 !== 0) {
        this.F = this.F.map((f, i) => o.beta1 * f + (1 - o.beta1) * g[i]);
        gf = this.F.map((f) => f / c1);
      }
      dir = new Array(g.length).fill(0);
      for (const b of this.blocks) {
        const gb = b.idx.map((i) => gf[i]);
        let db: number[];
        if (t < o.startPreconditioningStep) {
          db = this.graftDir(gb, b.graft);
        } else {
          db = gb;
          b.dims.forEach((_, k) => {
            db = this.diagAxes[k]
              ? diagApply(db, b.dims, k, b.L[k].map((f) => (f / c2 + o.epsilon) ** (-o.exponentMultiplier / this.root)))
              : modeApply(db, b.dims, k, b.X[k]);
          });
          if (o.grafting !== 'none') {
            const s = norm(this.graftDir(gb, b.graft)) / (norm(db) + 1e-16);
            db = db.map((x) => x * s);
          }
        }
        b.idx.forEach((i, e) => (dir[i] = db[e]));
      }
    }
    let p1 = p;
    const trust = o.grafting === 'lars' || o.grafting === 'lamb';
    if (o.decoupledWeightDecay && o.weightDecay !== 0) {
      if (o.momentum === 0 && !trust) p1 = p.map((x) => x * (1 - lr * o.weightDecay));
      else dir = dir.map((x, i) => x + o.weightDecay * p[i]);
      if (trust) {
        const pn = norm(p);
        const dn = norm(dir);
        const r = pn !== 0 && dn !== 0 ? pn / dn : 1;
        dir = dir.map((x) => x * r);
      }
    }
    if (o.momentum !== 0) {
      this.mom = this.mom.map((m, i) => o.momentum * m + dir[i]);
      dir = o.nesterov ? dir.map((x, i) => x + o.momentum * this.mom[i]) : this.mom.slice();
    }
    return p1.map((x, i) => x - lr * dir[i]);
  }
}
