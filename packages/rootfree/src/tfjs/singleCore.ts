import * as tf from '@tensorflow/tfjs-core';

/**
 * Two copies of @tensorflow/tfjs-core share one engine (tfjs keeps it on the global object) but
 * not their class registries: a model of the other copy's tfjs-layers cannot load rootfree's
 * optimizers and `model.fit` there never reports the batch size. The engine is built by the copy
 * that loads first, with that copy's `Environment`; tfjs-layers' bundle inlines parts of
 * tfjs-core (flags, a `Tensor` global) but never builds the engine, so this is the trace to read.
 */
export function otherTfjsCoreLoaded(): boolean {
  const env = (tf.engine() as unknown as { ENV?: unknown }).ENV;
  return env !== undefined && !(env instanceof tf.Environment);
}

/** Throws a clear error when another copy of tfjs-core is loaded (call on first use). */
export function assertSingleTfjsCore(where: string): void {
  if (!otherTfjsCoreLoaded()) return;
  throw new Error(
    `${where}: two copies of @tensorflow/tfjs-core are loaded (rootfree's is ${tf.version_core}). ` +
      'Models of the other copy cannot save or load rootfree optimizers, and model.fit there would not pass the batch size. ' +
      'Make every tfjs package use one tfjs-core: check `npm ls @tensorflow/tfjs-core` and install matching versions ' +
      '(rootfree supports tfjs 4.20-4.22 as a peer dependency).',
  );
}
