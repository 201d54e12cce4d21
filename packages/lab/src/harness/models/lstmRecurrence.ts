import * as tf from '@tensorflow/tfjs-core';

/**
 * The sequential part of an LSTM layer with a hand-written backward pass (BPTT). Input: the
 * input projections x·Wx + b, time-major [T, B, 4H] (gate blocks i | f | g | o), and Wh [H, 4H];
 * output: hidden states [B, T·H] (= [B, T, H], b-major), zero initial state.
 *
 * Why not autodiff: the tape's backward does three small matmuls per step (dh = dz·Whᵀ with a fresh
 * transpose of Wh, and hᵀ·dz for dWh with a fresh transpose of h). Here each step does one,
 * against a Whᵀ transposed once, and dWh is a single [4H, T·B]·[T·B, H] product after the loop.
 */
export function lstmRecurrence(xw: tf.Tensor3D, wh: tf.Tensor2D): tf.Tensor2D {
  const [steps, batch, four] = xw.shape;
  const h = four / 4;
  const f = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [xwIn, whIn] = args as [tf.Tensor3D, tf.Tensor2D];
    const save = args[2] as tf.GradSaveFunc;
    const perStep = tf.split(xwIn, steps, 0).map((t) => tf.reshape(t, [batch, four]) as tf.Tensor2D);
    let hPrev = tf.zeros([batch, h]) as tf.Tensor2D;
    let cPrev = hPrev;
    const acts: tf.Tensor2D[] = []; // activated gates i, f, g, o per step
    const cs: tf.Tensor2D[] = [];
    const hs: tf.Tensor2D[] = [];
    for (const xt of perStep) {
      const [zi, zf, zg, zo] = tf.split(tf.add(xt, tf.matMul(hPrev, whIn)), 4, 1);
      const [i, fg, g, o] = [tf.sigmoid(zi), tf.sigmoid(zf), tf.tanh(zg), tf.sigmoid(zo)];
      cPrev = tf.add(tf.mul(fg, cPrev), tf.mul(i, g));
      hPrev = tf.mul(o, tf.tanh(cPrev));
      acts.push(tf.concat([i, fg, g, o], 1) as tf.Tensor2D);
      cs.push(cPrev);
      hs.push(hPrev);
    }
    save([whIn, ...acts, ...cs, ...hs]);
    return {
      value: tf.concat(hs, 1),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const whS = saved[0] as tf.Tensor2D;
        const actS = saved.slice(1, 1 + steps) as tf.Tensor2D[];
        const cS = saved.slice(1 + steps, 1 + 2 * steps) as tf.Tensor2D[];
        const hS = saved.slice(1 + 2 * steps) as tf.Tensor2D[];
        const whT = tf.transpose(whS) as tf.Tensor2D;
        const dH = tf.split(dy, steps, 1) as tf.Tensor2D[];
        const zero = tf.zeros([batch, h]) as tf.Tensor2D;
        let dhNext: tf.Tensor2D = zero;
        let dcNext: tf.Tensor2D = zero;
        const dz: tf.Tensor2D[] = new Array(steps);
        for (let t = steps - 1; t >= 0; t--) {
          const [i, fg, g, o] = tf.split(actS[t], 4, 1);
          const tanhC = tf.tanh(cS[t]);
          const dh = tf.add(dH[t], dhNext);
          const dc = tf.add(dcNext, tf.mul(tf.mul(dh, o), tf.sub(1, tf.square(tanhC))));
          const cBefore = t > 0 ? cS[t - 1] : zero;
          const di = tf.mul(tf.mul(dc, g), tf.mul(i, tf.sub(1, i)));
          const df = tf.mul(tf.mul(dc, cBefore), tf.mul(fg, tf.sub(1, fg)));
          const dg = tf.mul(tf.mul(dc, i), tf.sub(1, tf.square(g)));
          const dO = tf.mul(tf.mul(dh, tanhC), tf.mul(o, tf.sub(1, o)));
          dz[t] = tf.concat([di, df, dg, dO], 1) as tf.Tensor2D;
          dcNext = tf.mul(dc, fg);
          dhNext = tf.matMul(dz[t], whT);
        }
        const dZ = tf.concat(dz, 0); // [T·B, 4H], time-major like xw
        const hBefore = tf.concat([zero, ...hS.slice(0, steps - 1)], 0); // h_{t−1}, [T·B, H]
        const dWh = tf.transpose(tf.matMul(tf.transpose(dZ), hBefore));
        return [tf.reshape(dZ, [steps, batch, four]), dWh];
      },
    };
  });
  return (f as unknown as (a: tf.Tensor, b: tf.Tensor) => tf.Tensor2D)(xw, wh);
}
