import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { fusedBatchNormTrain } from 'rootfree/internal';

type Kwargs = { training?: boolean };

/** Switch for tests and benchmarks: `false` forces the composite below even where the kernels exist. */
export const useFusedBatchNorm = { on: true };

/**
 * Training-mode batch normalisation over `axes` with the closed-form gradient
 * dx = γ·rstd·(dy − mean(dy) − x̂·mean(dy·x̂)), dγ = Σ dy·x̂, dβ = Σ dy: two reductions and a few
 * elementwise ops, where autodiff through the forward ops records ~3× as many (the ResNet step
 * spent ~40% of its time in BatchNorm). Also returns the batch mean and biased variance for the
 * moving averages (not differentiated).
 */
export function batchNormTrain(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, epsilon: number, axes: number[]): { y: tf.Tensor; mean: tf.Tensor; variance: tf.Tensor } {
  // Over all axes but the last, cpu and wasm have a fused kernel pair (rootfree's batchNormKernel.ts).
  if (useFusedBatchNorm.on && axes.length === x.rank - 1 && axes.every((a, i) => a === i)) {
    const fused = fusedBatchNormTrain(x, gamma as tf.Tensor1D, beta as tf.Tensor1D, epsilon);
    if (fused) return fused;
  }
  const stats: { mean?: tf.Tensor; variance?: tf.Tensor } = {};
  const n = axes.reduce((a, i) => a * x.shape[i], 1);
  const f = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [xIn, g, b] = args as tf.Tensor[];
    const save = args[3] as tf.GradSaveFunc;
    const mean = tf.mean(xIn, axes);
    const centred = tf.sub(xIn, mean);
    const variance = tf.mean(tf.square(centred), axes);
    const rstd = tf.rsqrt(tf.add(variance, epsilon));
    const xhat = tf.mul(centred, rstd);
    // customGrad runs this inside its own tidy: keep the statistics past it (handed back below).
    stats.mean = tf.keep(mean);
    stats.variance = tf.keep(variance);
    save([xhat, tf.mul(g, rstd)]);
    return {
      value: tf.add(tf.mul(xhat, g), b),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xh, scale] = saved;
        const dBeta = tf.sum(dy, axes);
        const dGamma = tf.sum(tf.mul(dy, xh), axes);
        const dx = tf.mul(tf.sub(tf.sub(dy, tf.div(dBeta, n)), tf.mul(xh, tf.div(dGamma, n))), scale);
        return [dx, dGamma, dBeta];
      },
    };
  });
  const y = (f as unknown as (...t: tf.Tensor[]) => tf.Tensor)(x, gamma, beta);
  // Clones share the storage and belong to the caller's scope; the kept originals are released.
  const mean = tf.clone(stats.mean!);
  const variance = tf.clone(stats.variance!);
  tf.dispose([stats.mean!, stats.variance!]);
  return { y, mean, variance };
}

/**
 * BatchNorm over all axes but the last, written with broadcasting primitives and a closed-form
 * gradient (batchNormTrain). tfjs's own batchNorm gradient tiles statistics to the input's shape,
 * and wasm's Tile made that ~half of a small CNN's step time. Same semantics as
 * tf.layers.batchNormalization (biased batch variance in training, moving averages with
 * `momentum`, moving statistics at inference).
 */
export class FastBatchNorm extends tfl.layers.Layer {
  static readonly className = 'RootfreeFastBatchNorm';
  private readonly momentum: number;
  private readonly epsilon: number;
  private gamma!: tfl.LayerVariable;
  private beta!: tfl.LayerVariable;
  private movingMean!: tfl.LayerVariable;
  private movingVariance!: tfl.LayerVariable;

  constructor(config: { momentum?: number; epsilon?: number; name?: string } = {}) {
    super({ name: config.name });
    this.momentum = config.momentum ?? 0.9;
    this.epsilon = config.epsilon ?? 1e-3;
  }

  override build(inputShape: tfl.Shape | tfl.Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tfl.Shape;
    const c = shape[shape.length - 1] as number;
    this.gamma = this.addWeight('gamma', [c], 'float32', tfl.initializers.ones());
    this.beta = this.addWeight('beta', [c], 'float32', tfl.initializers.zeros());
    this.movingMean = this.addWeight('moving_mean', [c], 'float32', tfl.initializers.zeros(), undefined, false);
    this.movingVariance = this.addWeight('moving_variance', [c], 'float32', tfl.initializers.ones(), undefined, false);
    this.built = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor {
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    const axes = x.shape.slice(0, -1).map((_, i) => i);
    return tf.tidy(() => {
      if (!kwargs.training) {
        const scale = tf.mul(this.gamma.read(), tf.rsqrt(tf.add(this.movingVariance.read(), this.epsilon)));
        return tf.add(tf.mul(tf.sub(x, this.movingMean.read()), scale), this.beta.read());
      }
      const { y: out, mean, variance } = batchNormTrain(x, this.gamma.read(), this.beta.read(), this.epsilon, axes);
      const d = 1 - this.momentum;
      tf.tidy(() => {
        const m = this.movingMean.read();
        const v = this.movingVariance.read();
        this.movingMean.write(tf.sub(m, tf.mul(tf.sub(m, mean), d)));
        this.movingVariance.write(tf.sub(v, tf.mul(tf.sub(v, variance), d)));
      });
      return out;
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), momentum: this.momentum, epsilon: this.epsilon };
  }
}

tf.serialization.registerClass(FastBatchNorm);
