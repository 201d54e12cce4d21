import * as tf from '@tensorflow/tfjs-core';
import { storageAccess } from '../../backend/fusedKernels.js';
import { structureClass, type Structured, type StructureClass } from '../../structures/index.js';
import { evaluateSchedule } from '../schedules.js';
import { compositeTail, fusedTail, type TailOptions } from '../fused/tail.js';
import type { Method, ParamInfo, State, StepContext } from '../types.js';
import { layerDims, type KfacLayer } from './layers.js';
import { effectiveAlpha1, resolveSINGD, type SINGDOptions } from './options.js';
import { gradMatrix, splitMatrix } from './statistics.js';
import type { KfacStore } from './store.js';
import { curvature, naturalGradient, updateFactors } from './update.js';

/** Whether factors change at this 0-based step (singd: `steps` mod T = 0). */
export const isSingdUpdateStep = (o: SINGDOptions, step: number): boolean => step % o.T === 0;

/**
 * SINGD (SPEC §4) over a {@link KfacStore}: one unit per registered layer (its weight and bias),
 * with structured factors K (dim_K, inputs + bias) and C (dim_C, outputs). Parameters of no
 * registered layer get the same parameter step without preconditioning (N = gradient). State
 * slots: `K_<t>`, `C_<t>` (the structures' stored tensors), `mK_<t>`, `mC_<t>` (Riemannian
 * momenta, only when α₁ ≠ 0 after the kfacLike override), `buf<i>` (only when momentum ≠ 0).
 */
export function singdMethod(store: KfacStore): Method<SINGDOptions> {
  const layerOf = (infos: readonly ParamInfo[]): KfacLayer | undefined => store.layerOfParam(infos[0].name);
  const method: Method<SINGDOptions> = {
    id: 'singd',
    resolve: resolveSINGD,
    partition(params) {
      store.frozen = true;
      const index = new Map(params.map((p, i) => [p.name, i]));
      const claimed = new Set<number>();
      const units: number[][] = [];
      params.forEach((p, i) => {
        if (claimed.has(i)) return;
        const layer = store.layerOfParam(p.name);
        if (!layer) {
          units.push([i]);
          return;
        }
        const w = index.get(layer.weight);
        const b = layer.bias === null ? undefined : index.get(layer.bias);
        if (w === undefined || (layer.bias !== null && b === undefined)) {
          const missing = w === undefined ? layer.weight : layer.bias;
          throw new Error(`SINGD layer '${layer.name}': its variable '${missing}' is not among the optimized variables (weight and bias of one layer are updated together)`);
        }
        layerDims(layer, params[w].shape, b === undefined ? null : params[b].shape);
        const unit = b === undefined ? [w] : [w, b];
        unit.forEach((k) => claimed.add(k));
        units.push(unit);
      });
      return units;
    },
    init(infos, o) {
      const s: State = {};
      const layer = layerOf(infos);
      if (layer) {
        const { dimK, dimC } = layerDims(layer, infos[0].shape, infos[1]?.shape ?? null);
        const [cK, cC] = classes(o);
        const [pK, pC] = o.preconditionerDtypes;
        write(s, 'K', cK.eye(dimK, pK));
        write(s, 'C', cC.eye(dimC, pC));
        if (effectiveAlpha1(o) !== 0) {
          write(s, 'mK', cK.zeros(dimK, pK));
          write(s, 'mC', cC.zeros(dimC, pC));
        }
      }
      if (o.momentum !== 0) infos.forEach((info, i) => (s[`buf${i}`] = tf.zeros(info.shape)));
      return s;
    },
    apply(params, grads, state, o, ctx, infos) {
      const { parts, updated } = directions(grads, state, o, ctx, infos);
      const next: State = { ...updated };
      for (const [k, t] of Object.entries(state)) if (!k.startsWith('buf') && !(k in next)) next[k] = tf.clone(t);
      const out = params.map((p, i) => {
        const t = compositeTail(p, parts[i], o.momentum !== 0 ? state[`buf${i}`] : null, tailOptions(o, ctx));
        if (t.buf) next[`buf${i}`] = t.buf;
        return t.p;
      });
      return { params: out, state: next };
    },
    applyInPlace(params, grads, state, o, ctx, infos) {
      const acc = storageAccess();
      if (acc === null) return false;
      const bufs = params.map((_, i) => (o.momentum !== 0 ? state[`buf${i}`] : null));
      if (params.some((p) => acc.write(p) === null) || bufs.some((b) => b !== null && (b === undefined || acc.write(b) === null))) return false;
      tf.tidy(() => {
        const { parts, updated } = directions(grads, state, o, ctx, infos);
        for (const [k, t] of Object.entries(updated)) state[k].assign(t);
        const to = tailOptions(o, ctx);
        params.forEach((p, i) => {
          if (fusedTail(p, parts[i], bufs[i], to)) return;
          const t = compositeTail(p, parts[i], bufs[i], to);
          p.assign(t.p);
          if (t.buf) bufs[i]!.assign(t.buf);
        });
      });
      return true;
    },
  };

  /** The natural gradient of each parameter of the unit, and the factor slots that changed. */
  function directions(grads: tf.Tensor[], state: State, o: SINGDOptions, ctx: StepContext, infos: ParamInfo[]): { parts: tf.Tensor[]; updated: State } {
    const layer = layerOf(infos);
    if (!layer) return { parts: grads, updated: {} };
    const [cK, cC] = classes(o);
    const [pK, pC] = o.preconditionerDtypes;
    const hasBias = infos.length === 2;
    const { dimK, dimC } = layerDims(layer, infos[0].shape, infos[1]?.shape ?? null);
    let K = read(state, 'K', cK, dimK, pK);
    let C = read(state, 'C', cC, dimC, pC);
    const updated: State = {};
    if (isSingdUpdateStep(o, ctx.step)) {
      const entries = store.take(layer.name);
      if (entries.length === 0) {
        throw new Error(
          `SINGD: no statistics for layer '${layer.name}' at step ${ctx.step}, a factor-update step (T = ${o.T}). ` +
            'Capture them with optimizer.attach(model) (model.fit / custom loops on tfjs-layers), optimizer.capture(...) around the layer, or feed them with optimizer.setLayerStatistics(...)',
        );
      }
      const alpha1 = effectiveAlpha1(o);
      const up = updateFactors(
        K,
        C,
        alpha1 !== 0 ? read(state, 'mK', cK, dimK, pK) : null,
        alpha1 !== 0 ? read(state, 'mC', cC, dimC, pC) : null,
        curvature(K, entries.map((e) => e.a)),
        curvature(C, entries.map((e) => e.g!)),
        { damping: o.damping, alpha1, lrCov: evaluateSchedule(o.lrCov, ctx.step), normalizeLrCov: o.normalizeLrCov, kfacLike: o.kfacLike },
      );
      K = up.K;
      C = up.C;
      write(updated, 'K', K);
      write(updated, 'C', C);
      if (alpha1 !== 0) {
        write(updated, 'mK', up.mK);
        write(updated, 'mC', up.mC);
      }
    }
    const N = naturalGradient(K, C, gradMatrix(layer, grads[0], hasBias ? grads[1] : null), pK, pC);
    return { parts: splitMatrix(layer, N, infos[0].shape, hasBias), updated };
  }
  return method;
}

function tailOptions(o: SINGDOptions, ctx: StepContext): TailOptions {
  return { lr: ctx.lr, kappa: o.weightDecay, alpha1: o.momentum };
}

function classes(o: SINGDOptions): [StructureClass, StructureClass] {
  return [structureClass(o.structures[0]), structureClass(o.structures[1])];
}

function write(out: State, prefix: string, f: Structured): void {
  for (const [name, t] of Object.entries(f.tensors())) out[`${prefix}_${name}`] = t;
}

function read(state: State, prefix: string, cls: StructureClass, d: number, p: SINGDOptions['preconditionerDtypes'][number]): Structured {
  const head = `${prefix}_`;
  const tensors: Record<string, tf.Tensor> = {};
  for (const [k, t] of Object.entries(state)) if (k.startsWith(head)) tensors[k.slice(head.length)] = t;
  return cls.fromTensors(d, tensors, p);
}
