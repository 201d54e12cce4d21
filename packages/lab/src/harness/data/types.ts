/** Images as bytes (0–255, NHWC) with integer labels; normalisation happens per batch. */
export interface ImageSet {
  images: Uint8Array;
  labels: Uint8Array;
  n: number;
  height: number;
  width: number;
  channels: number;
}

export interface ImageData {
  kind: 'image';
  name: string;
  numClasses: number;
  train: ImageSet;
  val: ImageSet;
  test: ImageSet;
  /** Mean and std of the training pixels (in [0, 1] units) used to normalise inputs. */
  mean: number;
  std: number;
  /** Where the data came from and how it was split (printed and written into reports). */
  note: string;
}

/** Character-level text: token ids per split, and the vocabulary. */
export interface TextData {
  kind: 'text';
  name: string;
  vocab: string[];
  train: Uint16Array;
  val: Uint16Array;
  test: Uint16Array;
  note: string;
}

export type TaskData = ImageData | TextData;

/** Rows `idx` of a set (a copy). */
export function takeRows(set: ImageSet, idx: ArrayLike<number>): ImageSet {
  const size = set.height * set.width * set.channels;
  const images = new Uint8Array(idx.length * size);
  const labels = new Uint8Array(idx.length);
  for (let k = 0; k < idx.length; k++) {
    const i = idx[k];
    images.set(set.images.subarray(i * size, (i + 1) * size), k * size);
    labels[k] = set.labels[i];
  }
  return { images, labels, n: idx.length, height: set.height, width: set.width, channels: set.channels };
}

/** The first `n` rows (no copy), or the whole set when `n` is undefined or too large. */
export function headRows(set: ImageSet, n: number | undefined): ImageSet {
  if (n === undefined || n >= set.n) return set;
  const size = set.height * set.width * set.channels;
  return { ...set, images: set.images.subarray(0, n * size), labels: set.labels.subarray(0, n), n };
}

export function pixelStats(set: ImageSet): { mean: number; std: number } {
  let s = 0;
  let s2 = 0;
  const a = set.images;
  for (let i = 0; i < a.length; i++) {
    s += a[i];
    s2 += a[i] * a[i];
  }
  const mean = s / a.length / 255;
  const variance = s2 / a.length / (255 * 255) - mean * mean;
  return { mean, std: Math.sqrt(Math.max(variance, 1e-12)) };
}
