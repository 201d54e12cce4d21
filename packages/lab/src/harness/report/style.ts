/**
 * One fixed look per method: Okabe–Ito colours (distinguishable with the common colour-vision
 * deficiencies) plus a dash pattern and a marker, so AdamW, RF-AdamW and Shampoo differ in three
 * ways, also in greyscale print. Unknown keys get the remaining combinations in order.
 */
export type Marker = 'circle' | 'square' | 'triangle' | 'diamond' | 'down' | 'plus' | 'cross';

export interface SeriesStyle {
  color: string;
  /** SVG stroke-dasharray ('' = solid). */
  dash: string;
  marker: Marker;
}

const BY_OPTIMIZER: Record<string, SeriesStyle> = {
  sgd: { color: '#000000', dash: '', marker: 'circle' },
  adamw: { color: '#0072B2', dash: '', marker: 'square' },
  rfrmsprop: { color: '#E69F00', dash: '7 4', marker: 'triangle' },
  rfadamw: { color: '#D55E00', dash: '7 4', marker: 'diamond' },
  ifshampoo: { color: '#CC79A7', dash: '9 3 2 3', marker: 'down' },
  shampoo: { color: '#009E73', dash: '2 3', marker: 'plus' },
  'shampoo-newton': { color: '#56B4E9', dash: '12 4', marker: 'cross' },
  'shampoo-newton-fair': { color: '#56B4E9', dash: '3 2', marker: 'square' },
};

const SPARE: SeriesStyle[] = [
  { color: '#0072B2', dash: '3 3', marker: 'circle' },
  { color: '#D55E00', dash: '', marker: 'square' },
  { color: '#009E73', dash: '7 4', marker: 'triangle' },
  { color: '#CC79A7', dash: '', marker: 'diamond' },
  { color: '#E69F00', dash: '2 3', marker: 'down' },
  { color: '#56B4E9', dash: '', marker: 'plus' },
  { color: '#000000', dash: '9 3 2 3', marker: 'cross' },
];

/** Styles for series keyed by optimizer; a second series of the same optimizer (e.g. another precision) takes a spare. */
export function stylesFor(optimizers: string[]): SeriesStyle[] {
  const used = new Set<string>();
  let spare = 0;
  return optimizers.map((o) => {
    const s = BY_OPTIMIZER[o];
    if (s && !used.has(o)) {
      used.add(o);
      return s;
    }
    return SPARE[spare++ % SPARE.length];
  });
}
