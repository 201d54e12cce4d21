import { existsSync, readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';

/** A parsed IDX file of unsigned bytes (the only IDX type MNIST-style data uses). */
export interface IdxArray {
  dims: number[];
  data: Uint8Array;
}

export class DataFileError extends Error {
  constructor(
    readonly file: string,
    problem: string,
  ) {
    super(`${file}: ${problem}`);
    this.name = 'DataFileError';
  }
}

/** Reads `path`, or `path.gz` (gunzipped) when only that exists. */
export function readMaybeGz(path: string): { bytes: Uint8Array; file: string } {
  const file = existsSync(path) ? path : existsSync(`${path}.gz`) ? `${path}.gz` : null;
  if (!file) throw new DataFileError(path, 'file not found (also tried .gz)');
  let bytes: Uint8Array = readFileSync(file);
  if (file.endsWith('.gz')) {
    try {
      bytes = gunzipSync(bytes);
    } catch (e) {
      throw new DataFileError(file, `not a valid gzip file (${(e as Error).message})`);
    }
  }
  return { bytes, file };
}

/**
 * Parses an IDX file (big-endian header: 0x00 0x00, type byte, rank; then one uint32 per dim).
 * `rank` is the expected rank (3 for images, 1 for labels); any mismatch names the file.
 */
export function parseIdx(bytes: Uint8Array, file: string, rank: number): IdxArray {
  if (bytes.length < 4) throw new DataFileError(file, `truncated: ${bytes.length} bytes, no IDX header`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint32(0);
  const want = 0x00000800 | rank;
  if (bytes[0] !== 0 || bytes[1] !== 0 || bytes[2] !== 0x08 || bytes[3] !== rank) {
    throw new DataFileError(file, `bad IDX magic number 0x${magic.toString(16).padStart(8, '0')} (expected 0x${want.toString(16).padStart(8, '0')}: unsigned bytes, rank ${rank})`);
  }
  const header = 4 + 4 * rank;
  if (bytes.length < header) throw new DataFileError(file, `truncated: ${bytes.length} bytes, header needs ${header}`);
  const dims: number[] = [];
  for (let i = 0; i < rank; i++) dims.push(view.getUint32(4 + 4 * i));
  const size = dims.reduce((a, b) => a * b, 1);
  if (bytes.length !== header + size) {
    const what = bytes.length < header + size ? 'truncated' : 'trailing bytes';
    throw new DataFileError(file, `${what}: ${bytes.length} bytes, dims [${dims.join(', ')}] need ${header + size}`);
  }
  return { dims, data: bytes.subarray(header) };
}

/** Reads an image/label IDX pair and checks counts, image size and label range. */
export function loadIdxPair(imagesPath: string, labelsPath: string, numClasses: number, expect?: { height: number; width: number }): { images: Uint8Array; labels: Uint8Array; n: number; height: number; width: number } {
  const im = readMaybeGz(imagesPath);
  const lb = readMaybeGz(labelsPath);
  const images = parseIdx(im.bytes, im.file, 3);
  const labels = parseIdx(lb.bytes, lb.file, 1);
  const [n, height, width] = images.dims;
  if (expect && (height !== expect.height || width !== expect.width)) {
    throw new DataFileError(im.file, `images are ${height}x${width}, expected ${expect.height}x${expect.width}`);
  }
  if (labels.dims[0] !== n) throw new DataFileError(lb.file, `${labels.dims[0]} labels but ${im.file} has ${n} images`);
  for (let i = 0; i < n; i++) {
    if (labels.data[i] >= numClasses) throw new DataFileError(lb.file, `label ${labels.data[i]} at index ${i} is out of range [0, ${numClasses - 1}]`);
  }
  return { images: images.data, labels: labels.data, n, height, width };
}
