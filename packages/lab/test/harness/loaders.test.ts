import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { loadDataset } from '../../src/harness/data/index.js';
import { DataFileError, loadIdxPair, parseIdx } from '../../src/harness/data/idx.js';
import { parseFmnistClass } from '../../src/harness/data/fmnist.js';
import { IDX_NAMES, loadIdxDir } from '../../src/harness/data/mnist.js';
import { loadMobyDick } from '../../src/harness/data/mobyDick.js';
import type { ImageData } from '../../src/harness/data/types.js';

function idxBytes(magicType: number, dims: number[], payload: number[]): Uint8Array {
  const header = new Uint8Array(4 + 4 * dims.length);
  const view = new DataView(header.buffer);
  view.setUint32(0, (0x08 << 8) | dims.length);
  header[2] = magicType;
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d));
  const out = new Uint8Array(header.length + payload.length);
  out.set(header);
  out.set(payload, header.length);
  return out;
}

function writeIdxDir(opts: { labels?: number[]; imagesTruncate?: number; badMagic?: boolean; gz?: boolean } = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'rootfree-idx-'));
  const n = 3;
  const images = idxBytes(opts.badMagic ? 0x09 : 0x08, [n, 28, 28], Array.from({ length: n * 784 }, (_, i) => i % 256));
  const lab = opts.labels ?? [1, 2, 3];
  const labels = idxBytes(0x08, [lab.length], lab);
  const put = (name: string, bytes: Uint8Array) => (opts.gz ? writeFileSync(join(dir, `${name}.gz`), gzipSync(bytes)) : writeFileSync(join(dir, name), bytes));
  put(IDX_NAMES.trainImages, opts.imagesTruncate ? images.subarray(0, opts.imagesTruncate) : images);
  put(IDX_NAMES.trainLabels, labels);
  put(IDX_NAMES.testImages, images);
  put(IDX_NAMES.testLabels, labels);
  return dir;
}

describe('IDX loader', () => {
  it('reads a well-formed pair (also gzipped)', () => {
    for (const gz of [false, true]) {
      const dir = writeIdxDir({ gz });
      const r = loadIdxPair(join(dir, IDX_NAMES.trainImages), join(dir, IDX_NAMES.trainLabels), 10);
      expect(r.n).toBe(3);
      expect([r.height, r.width]).toEqual([28, 28]);
      expect(Array.from(r.labels)).toEqual([1, 2, 3]);
      expect(r.images[785]).toBe(785 % 256);
    }
  });

  it('bad magic number -> error naming the file', () => {
    const dir = writeIdxDir({ badMagic: true });
    const file = join(dir, IDX_NAMES.trainImages);
    expect(() => loadIdxPair(file, join(dir, IDX_NAMES.trainLabels), 10)).toThrow(DataFileError);
    expect(() => loadIdxPair(file, join(dir, IDX_NAMES.trainLabels), 10)).toThrow(new RegExp(`${file}: bad IDX magic`));
  });

  it('truncated file -> error naming the file', () => {
    const dir = writeIdxDir({ imagesTruncate: 1000 });
    const file = join(dir, IDX_NAMES.trainImages);
    expect(() => loadIdxPair(file, join(dir, IDX_NAMES.trainLabels), 10)).toThrow(`${file}: truncated`);
    expect(() => parseIdx(new Uint8Array([0, 0]), 'x.idx', 1)).toThrow('x.idx: truncated');
  });

  it('label out of range -> error naming the labels file', () => {
    const dir = writeIdxDir({ labels: [1, 10, 3] });
    const file = join(dir, IDX_NAMES.trainLabels);
    expect(() => loadIdxPair(join(dir, IDX_NAMES.trainImages), file, 10)).toThrow(`${file}: label 10 at index 1 is out of range [0, 9]`);
  });

  it('label/image count mismatch and missing files are named', () => {
    const dir = writeIdxDir({ labels: [1, 2] });
    expect(() => loadIdxPair(join(dir, IDX_NAMES.trainImages), join(dir, IDX_NAMES.trainLabels), 10)).toThrow(/2 labels but .* has 3 images/);
    expect(() => loadIdxDir(join(dir, 'nope'), 'X')).toThrow(/nope\/train-images-idx3-ubyte: file not found/);
  });
});

describe('packaged datasets', () => {
  const checkImages = (d: ImageData, train: number, val: number, test: number) => {
    expect([d.train.n, d.val.n, d.test.n]).toEqual([train, val, test]);
    for (const s of [d.train, d.val, d.test]) {
      expect(s.images.length).toBe(s.n * 784);
      expect(Math.max(...s.labels)).toBe(9);
      expect(Math.min(...s.labels)).toBe(0);
    }
  };

  it('MNIST: official 60k/10k IDX files, 5k validation carved from train', () => {
    const d = loadDataset('mnist') as ImageData;
    checkImages(d, 55000, 5000, 10000);
    expect(d.mean).toBeCloseTo(0.1307, 2);
    expect(d.note).toMatch(/official split/);
    expect(loadDataset('mnist')).toBe(d); // cached in memory
  });

  it('Fashion-MNIST package: fixed 6000/1000 per-class split, labelled not official', () => {
    const d = loadDataset('fmnist') as ImageData;
    checkImages(d, 55000, 5000, 10000);
    const perClass = new Array(10).fill(0);
    d.test.labels.forEach((l) => perClass[l]++);
    expect(perClass).toEqual(new Array(10).fill(1000));
    expect(d.note).toMatch(/NOT the official split/);
  });

  it('Fashion-MNIST JSON: malformed rows name the file', () => {
    expect(() => parseFmnistClass('c.json', '{"data": [[1,2,3]]}')).toThrow('c.json: image 0 has 3 values, expected 784');
    expect(() => parseFmnistClass('c.json', '{"data": [' + JSON.stringify(new Array(784).fill(256)) + ']}')).toThrow('c.json: image 0 pixel 0 is 256');
    expect(() => parseFmnistClass('c.json', '{"dat')).toThrow(/c.json: not valid JSON/);
    expect(parseFmnistClass('c.json', '{"data": [[], ' + JSON.stringify(new Array(784).fill(7)) + ']}').length).toBe(784);
  });

  it('Moby Dick: char vocabulary, contiguous 90/5/5 split', () => {
    const d = loadMobyDick();
    expect(d.vocab.length).toBeGreaterThan(60);
    expect(d.train.length + d.val.length + d.test.length).toBeGreaterThan(1_100_000);
    expect(d.val.length).toBe(d.test.length);
    const text = Array.from(d.train.subarray(0, 10), (i) => d.vocab[i]).join('');
    expect(text).toBe('CHAPTER 1.');
    expect(() => loadMobyDick('/nonexistent/data.txt')).toThrow('/nonexistent/data.txt: cannot read');
  });
});
