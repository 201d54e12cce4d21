import { checkEnum, checkNumber, OptionError } from '../validate.js';

/** 2-D padding: 'valid', 'same' (TensorFlow's, possibly asymmetric), [ph, pw] or [[top, bottom], [left, right]]. */
export type Padding2D = 'valid' | 'same' | [number, number] | [[number, number], [number, number]];

/**
 * A layer SINGD preconditions, in TensorFlow.js layout: a dense kernel is [dIn, dOut], a conv2d
 * filter [kh, kw, cIn/groups, cOut] with NHWC inputs. `weight` and `bias` are the names of the
 * tf.Variables as the optimizer receives their gradients (`variable.name`).
 */
export interface KfacLayerSpec {
  /** Unique layer name (the key of the captured statistics). */
  name: string;
  kind: 'dense' | 'conv2d';
  weight: string;
  bias?: string | null;
  /** conv2d only: strides (default [1, 1]). */
  strides?: number | [number, number];
  /** conv2d only (default 'valid'). */
  padding?: Padding2D;
  /** conv2d only: dilation (default [1, 1]). */
  dilation?: number | [number, number];
  /** conv2d only: channel groups G (default 1). */
  groups?: number;
}

/** A registered layer with its geometry (filled from the weight's shape at binding). */
export interface KfacLayer {
  name: string;
  kind: 'dense' | 'conv2d';
  weight: string;
  bias: string | null;
  strides: [number, number];
  padding: Padding2D;
  dilation: [number, number];
  groups: number;
}

/** Sizes of the Kronecker factors and how the gradient matrix is laid out. */
export interface LayerDims {
  /** Columns of the weight matrix (dense: dIn; conv2d: cIn/G·kh·kw), without the bias. */
  cols: number;
  dimK: number;
  dimC: number;
}

const pairOf = (option: string, v: unknown, fallback: number): [number, number] => {
  const p = v === undefined ? [fallback, fallback] : typeof v === 'number' ? [v, v] : v;
  if (!Array.isArray(p) || p.length !== 2) throw new OptionError(option, v, 'a positive integer or a pair of them');
  return [checkNumber(`${option}[0]`, p[0], { min: 1, integer: true }), checkNumber(`${option}[1]`, p[1], { min: 1, integer: true })];
};

export function resolveLayer(spec: KfacLayerSpec): KfacLayer {
  if (!spec || typeof spec !== 'object') throw new OptionError('layer', spec, 'an object { name, kind, weight, bias?, ... }');
  const known = ['name', 'kind', 'weight', 'bias', 'strides', 'padding', 'dilation', 'groups'];
  for (const k of Object.keys(spec)) if (!known.includes(k)) throw new OptionError(`layer.${k}`, (spec as unknown as Record<string, unknown>)[k], `a known key (${known.join(', ')})`);
  if (typeof spec.name !== 'string' || !spec.name) throw new OptionError('layer.name', spec.name, 'a non-empty string');
  const kind = checkEnum(`layer '${spec.name}'.kind`, spec.kind, ['dense', 'conv2d'] as const);
  if (typeof spec.weight !== 'string') throw new OptionError(`layer '${spec.name}'.weight`, spec.weight, 'the weight variable name');
  if (spec.bias !== undefined && spec.bias !== null && typeof spec.bias !== 'string') throw new OptionError(`layer '${spec.name}'.bias`, spec.bias, 'the bias variable name or null');
  if (kind === 'dense' && (spec.strides ?? spec.padding ?? spec.dilation ?? spec.groups) !== undefined) {
    throw new OptionError(`layer '${spec.name}'`, spec, 'no strides/padding/dilation/groups for a dense layer');
  }
  return {
    name: spec.name,
    kind,
    weight: spec.weight,
    bias: spec.bias ?? null,
    strides: pairOf(`layer '${spec.name}'.strides`, spec.strides, 1),
    padding: checkPadding(`layer '${spec.name}'.padding`, spec.padding ?? 'valid'),
    dilation: pairOf(`layer '${spec.name}'.dilation`, spec.dilation, 1),
    groups: checkNumber(`layer '${spec.name}'.groups`, spec.groups ?? 1, { min: 1, integer: true }),
  };
}

function checkPadding(option: string, p: unknown): Padding2D {
  if (p === 'valid' || p === 'same') return p;
  const nonNeg = (x: unknown) => typeof x === 'number' && Number.isInteger(x) && x >= 0;
  if (Array.isArray(p) && p.length === 2 && p.every(nonNeg)) return [p[0], p[1]];
  if (Array.isArray(p) && p.length === 2 && p.every((q) => Array.isArray(q) && q.length === 2 && q.every(nonNeg))) return [[p[0][0], p[0][1]], [p[1][0], p[1][1]]];
  throw new OptionError(option, p, "'valid', 'same', [ph, pw] or [[top, bottom], [left, right]] (integers >= 0)");
}

/** Checks the weight/bias shapes against the layer and returns the factor sizes. */
export function layerDims(layer: KfacLayer, weightShape: number[], biasShape: number[] | null): LayerDims {
  const where = `SINGD layer '${layer.name}'`;
  const out = layer.kind === 'dense' ? weightShape[1] : weightShape[3];
  if (layer.kind === 'dense' && weightShape.length !== 2) throw new Error(`${where}: dense weight '${layer.weight}' must be 2-D [dIn, dOut], got [${weightShape}]`);
  if (layer.kind === 'conv2d' && weightShape.length !== 4) throw new Error(`${where}: conv2d filter '${layer.weight}' must be 4-D [kh, kw, cIn/groups, cOut], got [${weightShape}]`);
  if (layer.kind === 'conv2d' && out % layer.groups !== 0) throw new Error(`${where}: ${out} output channels are not divisible by groups = ${layer.groups}`);
  if (biasShape !== null && (biasShape.length !== 1 || biasShape[0] !== out)) throw new Error(`${where}: bias '${layer.bias}' must have shape [${out}], got [${biasShape}]`);
  const cols = layer.kind === 'dense' ? weightShape[0] : weightShape[0] * weightShape[1] * weightShape[2];
  return { cols, dimK: cols + (biasShape ? 1 : 0), dimC: out };
}

/** Per-side paddings [[top, bottom], [left, right]] for an input of spatial size [h, w]. */
export function resolvePadding(p: Padding2D, h: number, w: number, k: [number, number], s: [number, number], d: [number, number]): [[number, number], [number, number]] {
  if (p === 'valid') return [[0, 0], [0, 0]];
  if (p === 'same') {
    // TensorFlow's SAME: out = ceil(in/stride), the extra row/column of padding goes at the end.
    const side = (n: number, a: number) => {
      const eff = (k[a] - 1) * d[a] + 1;
      const total = Math.max(0, (Math.ceil(n / s[a]) - 1) * s[a] + eff - n);
      return [Math.floor(total / 2), total - Math.floor(total / 2)] as [number, number];
    };
    return [side(h, 0), side(w, 1)];
  }
  if (typeof p[0] === 'number') return [[p[0], p[0]], [p[1] as number, p[1] as number]];
  return p as [[number, number], [number, number]];
}
