import * as tf from '@tensorflow/tfjs-core';
import { maybeRound } from '../../precision/index.js';
import { evaluateSchedule } from '../schedules.js';
import type { Method, State } from '../types.js';
import { aspectScale, muonMatrix, newtonSchulz } from './newtonSchulz.js';
import { resolveMuon, usesMuon, type MuonOptions } from './options.js';

/**
 * Muon (v3 README §5.1) per parameter; with `aux`, parameters Muon does not take get the
 * reference's auxiliary AdamW. State: `buf` (Muon momentum), or `m`, `v` (AdamW; the bias
 * correction uses the unit's own step count).
 */
export function muonMethod(aux: boolean): Method<MuonOptions> {
  return {
    id: aux ? 'muonaux' : 'muon',
    resolve: (raw) => resolveMuon(raw, aux),
    init([p], o): State {
      if (usesMuon(o, p.shape)) {
        if (p.shape.length !== 2 && p.shape.length !== 4) {
          throw new Error(
            `Muon: parameter '${p.name}' has shape [${p.shape}]; Muon orthogonalizes 2-D and 4-D weights only` +
              (aux ? " (give it useMuon: false in a parameter group, or use useMuon: 'auto')" : ' (use MuonWithAuxAdam for biases, gains and embeddings)'),
          );
        }
        return { buf: tf.zeros(p.shape) };
      }
      return { m: tf.zeros(p.shape), v: tf.zeros(p.shape) };
    },
    apply([p], [g], state, o, ctx, [info]) {
      if (!usesMuon(o, info.shape)) return adamStep(p, g, state, o, ctx.step, ctx.unitStep + 1);
      // buf.lerp_(G, 1 − μ) and G.lerp_(buf, μ) in torch's lerp forms.
      const buf = tf.add(state.buf, tf.mul(tf.sub(g, state.buf), 1 - o.momentum));
      const u = o.nesterov ? tf.sub(buf, tf.mul(tf.sub(buf, g), 1 - o.momentum)) : buf;
      const X = newtonSchulz(muonMatrix(u, o.weightLayout), o.nsSteps, o.nsCoefficients, o.nsEps, o.nsPrecision);
      const update = maybeRound(tf.mul(X, aspectScale(info.shape, o.weightLayout)), o.nsPrecision);
      const decayed = o.weightDecay !== 0 ? tf.mul(p, 1 - ctx.lr * o.weightDecay) : p;
      return { params: [tf.sub(decayed, tf.mul(tf.reshape(update, p.shape), ctx.lr))], state: { buf } };
    },
  };
}

function adamStep(p: tf.Tensor, g: tf.Tensor, state: State, o: MuonOptions, step: number, t: number) {
  const a = o.adam;
  const lr = evaluateSchedule(a.lr, step);
  const m = tf.add(state.m, tf.mul(tf.sub(g, state.m), 1 - a.beta1));
  const v = tf.add(state.v, tf.mul(tf.sub(tf.square(g), state.v), 1 - a.beta2));
  const den = tf.add(tf.sqrt(tf.div(v, 1 - a.beta2 ** t)), a.epsilon);
  const u = tf.div(tf.div(m, 1 - a.beta1 ** t), den);
  const decayed = a.weightDecay !== 0 ? tf.mul(p, 1 - lr * a.weightDecay) : p;
  return { params: [tf.sub(decayed, tf.mul(u, lr))], state: { m, v } };
}
