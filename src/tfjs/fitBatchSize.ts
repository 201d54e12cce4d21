import { LayersModel } from '@tensorflow/tfjs-layers';

/**
 * `model.fit`/`trainOnBatch` call `optimizer.minimize` with a closure and never say how many
 * examples the batch has; the root-free methods need B (the last batch of an epoch is smaller).
 * Every tfjs-layers training path builds its step with `makeTrainFunction`, whose argument holds
 * the batch's input tensors, so wrapping it is the one place where B is known.
 */
const PATCHED = Symbol.for('rootfree.fitBatchSize');

export function installFitBatchSize(): void {
  const proto = LayersModel.prototype as unknown as Record<string | symbol, unknown>;
  if (proto[PATCHED]) return;
  const original = proto.makeTrainFunction as (this: LayersModel) => (data: unknown[]) => unknown;
  if (typeof original !== 'function') return;
  proto[PATCHED] = true;
  proto.makeTrainFunction = function (this: LayersModel) {
    const train = original.call(this);
    return (data: Array<{ shape: number[] }>) => {
      const opt = this.optimizer as unknown as { setNextBatchSize?: (b: number) => void };
      const b = data[0]?.shape?.[0];
      if (typeof opt?.setNextBatchSize === 'function' && typeof b === 'number' && b > 0) opt.setNextBatchSize(b);
      return train(data);
    };
  };
}
