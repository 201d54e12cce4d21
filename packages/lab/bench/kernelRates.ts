/**
 * Raw kernel rates of the wasm backend in this process (GFLOP/s), for the peer bench and
 * docs/PROFILE.md: XNNPACK's 2-D GEMM and the Conv2D forward pass.
 */
import * as tf from '@tensorflow/tfjs-core';

function medianRate(flops: number, reps: number, rounds: number, call: () => tf.Tensor): number {
  call().dispose();
  const rates: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const outs: tf.Tensor[] = [];
    const t0 = performance.now();
    for (let i = 0; i < reps; i++) outs.push(call());
    const s = (performance.now() - t0) / 1000;
    tf.dispose(outs);
    rates.push((flops * reps) / s / 1e9);
  }
  rates.sort((x, y) => x - y);
  return rates[rates.length >> 1];
}

/**
 * XNNPACK's 2-D NN f32 GEMM (n×n·n×n) in GFLOP/s: operands resident on the wasm heap, one
 * warm-up call (operator creation, weight packing), then `rounds` rounds of `reps` products, the
 * median round. wasm kernels run synchronously, so timing the calls times the kernel; nothing is
 * read back inside the timed region. (The earlier form, `tf.tidy(() => matMul(a, b).dataSync())`,
 * measured tf.tidy walking the returned n² Float32Array element by element looking for tensors:
 * ~250 ms per call at n = 512, i.e. "3 GFLOP/s" for a kernel that takes ~7 ms; docs/PROFILE.md.)
 */
export function gemmGflops(n: number, reps: number, rounds = 5): number {
  const a = tf.randomUniform([n, n], 0, 1, 'float32', 1);
  const b = tf.randomUniform([n, n], 0, 1, 'float32', 2);
  const rate = medianRate(2 * n ** 3, reps, rounds, () => tf.matMul(a, b));
  tf.dispose([a, b]);
  return rate;
}

/** Conv2D forward (NHWC, 'same' padding) on resident tensors: 2·N·OH·OW·KH·KW·Ci·Co FLOP per call. */
export function convGflops(x: [number, number, number, number], filter: [number, number, number, number], stride: number, reps: number, rounds = 5): number {
  const xt = tf.randomUniform(x, 0, 1, 'float32', 1) as tf.Tensor4D;
  const w = tf.randomUniform(filter, -1, 1, 'float32', 2) as tf.Tensor4D;
  const oh = Math.ceil(x[1] / stride);
  const ow = Math.ceil(x[2] / stride);
  const flops = 2 * x[0] * oh * ow * filter[0] * filter[1] * filter[2] * filter[3];
  const rate = medianRate(flops, reps, rounds, () => tf.conv2d(xt, w, stride, 'same'));
  tf.dispose([xt, w]);
  return rate;
}
