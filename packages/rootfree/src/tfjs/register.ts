import * as tf from '@tensorflow/tfjs-core';

/**
 * Registers an optimizer class for `tf.loadLayersModel`. Registration throws if the name is taken,
 * which happens when two copies of rootfree load; the first registration wins.
 */
export function registerOptimizerClass(cls: tf.serialization.SerializableConstructor<tf.serialization.Serializable>): void {
  const name = (cls as unknown as { className: string }).className;
  const map = tf.serialization.SerializationMap.getMap().classNameMap;
  if (map[name]) return;
  tf.serialization.registerClass(cls);
}
