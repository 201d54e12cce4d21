import * as tf from '@tensorflow/tfjs-core';

/**
 * `model.fit`/`trainOnBatch` call `optimizer.minimize` with a closure and never say how many
 * examples the batch has; the root-free methods need B (the last batch of an epoch is smaller).
 * Every tfjs-layers training path builds its step with `makeTrainFunction`, whose argument holds
 * the batch's input tensors, so wrapping it is the one place where B is known.
 *
 * tfjs-layers is an optional peer and rootfree never imports it: the model classes are found in
 * tfjs-core's serialization registry, where tfjs-layers registers them when it loads. So it is
 * whichever tfjs-layers the user's models come from that gets patched.
 */
const PATCHED = Symbol.for('rootfree.fitBatchSize');
const MODEL_CLASSES = ['Model', 'Functional', 'Sequential'];

type Proto = Record<string | symbol, unknown>;

/** Patches every registered tfjs-layers model class; returns how many prototypes it patched. */
export function installFitBatchSize(): number {
  const map = tf.serialization.SerializationMap.getMap().classNameMap as Record<string, [unknown, unknown]>;
  let patched = 0;
  for (const name of MODEL_CLASSES) {
    const cls = map[name]?.[0] as { prototype?: Proto } | undefined;
    const proto = ownerOfTrainFunction(cls?.prototype);
    if (proto && patchPrototype(proto)) patched++;
  }
  return patched;
}

/** The prototype in the chain that defines `makeTrainFunction` (LayersModel's). */
function ownerOfTrainFunction(proto: Proto | undefined): Proto | undefined {
  for (let p = proto; p && p !== Object.prototype; p = Object.getPrototypeOf(p)) {
    if (Object.prototype.hasOwnProperty.call(p, 'makeTrainFunction')) return p;
  }
  return undefined;
}

function patchPrototype(proto: Proto): boolean {
  if (proto[PATCHED]) return false;
  const original = proto.makeTrainFunction as (this: unknown) => (data: unknown[]) => unknown;
  if (typeof original !== 'function') return false;
  proto[PATCHED] = true;
  proto.makeTrainFunction = function (this: { optimizer?: unknown }) {
    const train = original.call(this);
    return (data: Array<{ shape: number[] }>) => {
      const opt = this.optimizer as { setNextBatchSize?: (b: number) => void } | undefined;
      const b = data[0]?.shape?.[0];
      if (typeof opt?.setNextBatchSize === 'function' && typeof b === 'number' && b > 0) opt.setNextBatchSize(b);
      return train(data);
    };
  };
  return true;
}
