import * as tf from '@tensorflow/tfjs-core';

/** A classification task that ships with the page: inputs, one-hot targets, a held-out set. */
export interface Task {
  name: string;
  inputs: number;
  classes: number;
  hidden: number;
  train: { x: tf.Tensor2D; y: tf.Tensor2D };
  test: { x: tf.Tensor2D; y: tf.Tensor2D };
}

/** Three interleaved spirals in 2-D (deterministic), 50 test points per class. */
export function spiralTask(): Task {
  const make = (perClass: number, offset: number) => {
    const xs: number[] = [];
    const ys: number[] = [];
    for (let i = 0; i < perClass; i++) {
      for (let c = 0; c < 3; c++) {
        const t = (i + offset) / perClass;
        const r = 0.1 + 0.9 * t;
        const a = (2 * Math.PI * c) / 3 + 4 * t + 0.15 * Math.sin(37 * i + 11 * c + offset);
        xs.push(r * Math.cos(a), r * Math.sin(a));
        ys.push(...[0, 1, 2].map((k) => (k === c ? 1 : 0)));
      }
    }
    // A fixed shuffle, so that every batch mixes radii and classes.
    const n = xs.length / 2;
    const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => Math.sin(a * 78.233 + 1) - Math.sin(b * 78.233 + 1));
    return { x: tf.tensor2d(order.flatMap((i) => [xs[2 * i], xs[2 * i + 1]]), [n, 2]), y: tf.tensor2d(order.flatMap((i) => ys.slice(3 * i, 3 * i + 3)), [n, 3]) };
  };
  return { name: 'spiral', inputs: 2, classes: 3, hidden: 32, train: make(100, 0), test: make(50, 0.5) };
}

interface SubsetFile {
  size: number;
  train: { labels: number[]; pixels: string };
  test: { labels: number[]; pixels: string };
}

/** The shipped Fashion-MNIST subset (data/fmnist-subset.json: 320 train, 80 test, 14×14). */
export async function fmnistTask(url: string): Promise<Task> {
  const file = (await (await fetch(url)).json()) as SubsetFile;
  const d = file.size * file.size;
  const set = (s: SubsetFile['train']) => {
    const bytes = Uint8Array.from(atob(s.pixels), (c) => c.charCodeAt(0));
    const x = Float32Array.from(bytes, (v) => v / 255);
    const y = new Float32Array(s.labels.length * 10);
    s.labels.forEach((l, i) => (y[i * 10 + l] = 1));
    return { x: tf.tensor2d(x, [s.labels.length, d]), y: tf.tensor2d(y, [s.labels.length, 10]) };
  };
  return { name: 'fmnist', inputs: d, classes: 10, hidden: 32, train: set(file.train), test: set(file.test) };
}
