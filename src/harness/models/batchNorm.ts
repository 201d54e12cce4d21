import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

type Kwargs = { training?: boolean };

/**
 * BatchNorm over all axes but the last, written with broadcasting primitives. tfjs's own
 * batchNorm gradient tiles statistics to the input's shape, and wasm's Tile made that ~half of
 * a small CNN's step time; this layer's gradient is only broadcasts and reductions. Same
 * semantics as tf.layers.batchNormalization (biased batch variance in training, moving averages
 * with `momentum`, moving statistics at inference).
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
      const mean = tf.mean(x, axes);
      const centred = tf.sub(x, mean);
      const variance = tf.mean(tf.square(centred), axes);
      const out = tf.add(tf.mul(centred, tf.mul(this.gamma.read(), tf.rsqrt(tf.add(variance, this.epsilon)))), this.beta.read());
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
