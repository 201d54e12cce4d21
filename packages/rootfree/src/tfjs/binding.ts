import type * as tf from '@tensorflow/tfjs-core';
import type { GradList } from './gradients.js';

/**
 * The variables an optimizer's state belongs to, by identity (the `tf.Variable` objects of its
 * first step). Names cannot be keys: tfjs renames variables when a model is reloaded, and saved
 * state re-attaches by position at the first step after loading. From then on a step may pass
 * these variables in any order, and leave some out (a frozen layer: like a null gradient, its
 * state waits); another model's variables (even of the same shapes) are an error instead of
 * silently sharing state.
 */
export class Binding {
  private readonly index = new Map<tf.Variable, number>();
  constructor(readonly vars: readonly tf.Variable[]) {
    vars.forEach((v, i) => this.index.set(v, i));
  }

  /**
   * The step's gradients and variables in bound order, a null gradient for each bound variable
   * the step leaves out; throws naming the variables the optimizer holds no state for (or that
   * appear twice).
   */
  order(list: GradList, vars: tf.Variable[], owner: string): { list: GradList; vars: tf.Variable[] } {
    const pos = vars.map((v) => this.index.get(v));
    const seen = new Set<number>();
    const foreign: string[] = [];
    pos.forEach((p, i) => {
      if (p === undefined || seen.has(p)) foreign.push(list[i].name);
      else seen.add(p);
    });
    if (foreign.length) {
      throw new Error(
        `${owner}: this optimizer's state belongs to the ${this.vars.length} variables of its first step ` +
          `(${this.vars.map((v) => v.name).join(', ')}); got variables it holds no state for, or twice: ${foreign.join(', ')}. ` +
          'Pass those variables (in any order), use one optimizer per model, or call reset() to drop the state and bind again',
      );
    }
    if (pos.length === this.vars.length && pos.every((p, i) => p === i)) return { list, vars };
    const outList: GradList = this.vars.map((v) => ({ name: v.name, tensor: null }));
    pos.forEach((p, i) => (outList[p!] = list[i]));
    return { list: outList, vars: this.vars.slice() };
  }
}
