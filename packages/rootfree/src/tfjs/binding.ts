import type * as tf from '@tensorflow/tfjs-core';
import type { GradList } from './gradients.js';

/**
 * The variables an optimizer's state belongs to, by identity (the `tf.Variable` objects of its
 * first step). Names cannot be keys: tfjs renames variables when a model is reloaded, and saved
 * state re-attaches by position at the first step after loading. From then on a step must pass
 * exactly these variables, in any order; another model's variables (even of the same shapes) are
 * an error instead of silently sharing state.
 */
export class Binding {
  private readonly index = new Map<tf.Variable, number>();
  constructor(readonly vars: readonly tf.Variable[]) {
    vars.forEach((v, i) => this.index.set(v, i));
  }

  /**
   * The step's gradients and variables in bound order; throws naming the foreign or missing
   * variables when the step's variables are not exactly the bound ones.
   */
  order(list: GradList, vars: tf.Variable[], owner: string): { list: GradList; vars: tf.Variable[] } {
    const pos = vars.map((v) => this.index.get(v));
    const seen = new Set<number>();
    const foreign: string[] = [];
    pos.forEach((p, i) => {
      if (p === undefined || seen.has(p)) foreign.push(list[i].name);
      else seen.add(p);
    });
    const missing = this.vars.filter((_, i) => !seen.has(i)).map((v) => v.name);
    if (foreign.length || missing.length) {
      const parts = [
        foreign.length ? `got variables it holds no state for or twice: ${foreign.join(', ')}` : '',
        missing.length ? `missing: ${missing.join(', ')}` : '',
      ].filter(Boolean);
      throw new Error(
        `${owner}: this optimizer's state belongs to the ${this.vars.length} variables of its first step ` +
          `(${this.vars.map((v) => v.name).join(', ')}); ${parts.join('; ')}. ` +
          'Pass the same variables every step (any order), use one optimizer per model, or call reset() to drop the state and bind again',
      );
    }
    if (pos.every((p, i) => p === i)) return { list, vars };
    const outList: GradList = new Array(list.length);
    const outVars: tf.Variable[] = new Array(list.length);
    pos.forEach((p, i) => {
      outList[p!] = list[i];
      outVars[p!] = vars[i];
    });
    return { list: outList, vars: outVars };
  }
}
