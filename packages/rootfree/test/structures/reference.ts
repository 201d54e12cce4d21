import type { Mat } from './helpers.js';

/**
 * Float64 dense projections Π(M) written from SPEC §3.1/§3.2 independently of src/structures:
 * kept diagonal entries are copied, a kept off-diagonal entry whose mirror is dropped stores
 * M[i][j] + M[j][i] (the SINGD convention).
 */
export function project(kind: string, m: Mat): Mat {
  const d = m.length;
  const out: Mat = m.map((r) => r.map(() => 0));
  const keep = (i: number, j: number) => { out[i][j] = m[i][j]; };
  const fold = (i: number, j: number) => { out[i][j] = m[i][j] + m[j][i]; };
  const key = kind.toLowerCase();
  let g: RegExpExecArray | null;
  if (key === 'dense') return m.map((r) => [...r]);
  if (key === 'diagonal') {
    for (let i = 0; i < d; i++) keep(i, i);
  } else if ((g = /^block(\d+)diagonal(ref)?$/.exec(key))) {
    const b = Number(g[1]);
    const nb = Math.floor(d / b) * b;
    const grp = (i: number) => (i >= nb ? -1 : Math.floor(i / b));
    for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) if (grp(i) === grp(j)) keep(i, j);
  } else if ((g = /^hierarchical(\d+)[x_](\d+)$/.exec(key))) {
    const K1 = Number(g[1]);
    const K2 = Number(g[2]);
    const k1 = Math.min(d, K1);
    const k2 = d <= K1 ? 0 : d <= K1 + K2 ? d - K1 : K2;
    const dc = d - k1 - k2;
    for (let i = 0; i < k1; i++) for (let j = 0; j < d; j++) (j < k1 ? keep : fold)(i, j);
    for (let i = k1; i < k1 + dc; i++) keep(i, i);
    for (let i = k1 + dc; i < d; i++) for (let j = k1; j < d; j++) {
      if (j < k1 + dc) fold(i, j);
      else keep(i, j);
    }
  } else if (key === 'triltoeplitz' || key === 'triutoeplitz') {
    const c = toeplitzCoeffs(m);
    for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) {
      const k = key === 'triltoeplitz' ? i - j : j - i;
      if (k >= 0) out[i][j] = c[k];
    }
  } else if (key === 'triltopleftdiagonal') {
    for (let i = 0; i < d; i++) keep(i, i);
    for (let j = 0; j < d - 1; j++) fold(d - 1, j);
  } else if (key === 'trilbottomrightdiagonal') {
    for (let i = 0; i < d; i++) keep(i, i);
    for (let i = 1; i < d; i++) fold(i, 0);
  } else if (key === 'triutopleftdiagonal') {
    for (let i = 0; i < d; i++) keep(i, i);
    for (let i = 0; i < d - 1; i++) fold(i, d - 1);
  } else if (key === 'triubottomrightdiagonal') {
    for (let i = 0; i < d; i++) keep(i, i);
    for (let j = 1; j < d; j++) fold(0, j);
  } else {
    throw new Error(`reference projection: unknown kind ${kind}`);
  }
  return out;
}

/** c_0 = mean diagonal, c_k = (k-th sub- + k-th super-diagonal sums)/(d − k). */
export function toeplitzCoeffs(m: Mat): number[] {
  const d = m.length;
  return Array.from({ length: d }, (_, k) => {
    let s = 0;
    for (let i = k; i < d; i++) s += k === 0 ? m[i][i] : m[i][i - k] + m[i - k][i];
    return s / (d - k);
  });
}
