import * as tf from '@tensorflow/tfjs-core';
import { storageAccess } from '../backend/fusedKernels.js';
import { gpuFusedActive } from '../backend/gpu/register.js';
import { stepFlag, flagAsBool, type DeviceCheck } from './devicePolicy.js';
import type { GpuPlan } from '../optim/fused/gpuPlan.js';
import { NonFiniteError } from '../errors.js';
import type { Method } from '../optim/types.js';
import { firstNonFiniteTensor, maxAbs } from './finiteCheck.js';
import type { Snapshot } from './snapshot.js';
import { createState, dropState, type Unit } from './unit.js';

export interface StepRun<O> {
  method: Method<O>;
  units: Array<Unit<O>>;
  /** Gradients and variables in bound order (null: no gradient this step). */
  grads: Array<tf.Tensor | null>;
  vars: tf.Variable[];
  step: number;
  batchSize: number;
  /** Use `Method.applyInPlace` where it can run. */
  fused: boolean;
  /** Check the new parameters and state and undo the step when any is non-finite. */
  guard: boolean;
  snapshot: Snapshot;
  owner: string;
  /** Prefix of state variable names. */
  statePrefix: string;
  /**
   * webgl/webgpu with a non-finite policy (devicePolicy.ts): nothing is read back and no snapshot
   * is taken. Every gradient and every new value is checked on the device into one flag, and
   * every write selects with it (fused GPU programs inside, composite units with `where`);
   * `guard` is not applied. `out` receives that flag and the culprit names of its codes.
   */
  deviceCheck?: { names: string[]; out: DeviceCheck };
}

/** A unit computed by `apply`: its new values, held until the whole step is known to be finite. */
interface Staged<O> {
  unit: Unit<O>;
  params: tf.Variable[];
  grads: tf.Tensor[];
  slots: string[];
  kept: tf.Tensor[];
}

/**
 * One optimizer step over all units, all or nothing (call inside `tf.tidy`). Composite units
 * compute their new values into fresh tensors that are assigned only after every unit ran and
 * (with `guard`) every new value is finite; fused units write in place after their variables were
 * copied into `snapshot`, which is written back when the step fails. Returns null when the step
 * was applied, else the error to report (nothing has changed then: parameters, state, counters,
 * and units created on this step are stateless again).
 */
export function runStep<O>(r: StepRun<O>): Error | null {
  const { method, units, snapshot } = r;
  const staged: Array<Staged<O>> = [];
  const fusedUnits: Array<Unit<O>> = [];
  const created: Array<Unit<O>> = [];
  const onDevice = r.deviceCheck !== undefined;
  const canFuse = r.fused && method.applyInPlace !== undefined && (storageAccess() !== null || gpuFusedActive());
  const guard = r.guard && !onDevice;
  // webgl/webgpu: fused units only plan their checks and writes (optim/fused/gpuPlan.ts).
  const plan: GpuPlan = { checks: [], commits: [] };
  snapshot.begin();
  let thrown: unknown = null;
  try {
    for (const unit of units) {
      if (!gather(unit, r.grads, r.vars)) continue;
      const ctx = unit.ctx;
      ctx.step = r.step;
      ctx.unitStep = unit.count;
      ctx.lr = unit.lrNow;
      ctx.batchSize = r.batchSize;
      ctx.gpuPlan = undefined;
      if (unit.state === null) {
        createState(unit, method, ctx, r.statePrefix);
        created.push(unit);
      }
      const { p, g } = unit;
      const state = unit.state!;
      if (canFuse && onDevice && method.gpuInPlace) {
        ctx.gpuPlan = plan;
        try {
          if (!method.applyInPlace!(p, g, state, unit.options, ctx, unit.info)) throw new Error(`internal: method '${method.id}' declined its fused GPU update`);
        } finally {
          ctx.gpuPlan = undefined;
        }
        fusedUnits.push(unit);
        continue;
      }
      if (canFuse && !onDevice) {
        if (guard) {
          p.forEach((v) => snapshot.save(v));
          Object.values(state).forEach((v) => snapshot.save(v));
        }
        if (method.applyInPlace!(p, g, state, unit.options, ctx, unit.info)) {
          fusedUnits.push(unit);
          continue;
        }
      }
      const slots = Object.keys(state);
      const kept = tf.tidy(() => {
        const out = method.apply(p, g, state, unit.options, ctx, unit.info);
        const next = slots.map((slot) => {
          const t = out.state[slot];
          if (!t) throw new Error(`internal: method '${method.id}' dropped state slot '${slot}'`);
          return t;
        });
        // A method may return one of its inputs (SGD's first momentum buffer is the gradient);
        // kept tensors are disposed after the commit, and the caller's gradient must survive.
        const inputs = new Set<tf.Tensor>([...p, ...g, ...Object.values(state)]);
        return [...out.params, ...next].map((t) => (inputs.has(t) ? tf.clone(t) : t));
      });
      staged.push({ unit, params: p.slice(), grads: g.slice(), slots, kept });
    }
    if (onDevice) {
      for (const s of staged) {
        const names = s.unit.info.map((i) => `'${i.name}'`).join(' + ');
        s.kept.forEach((t, k) =>
          plan.checks.push({ kind: 'tensor', tensor: t, what: k < s.params.length ? `the new value of '${s.unit.info[k].name}'` : `the new state slot '${s.slots[k - s.params.length]}' of ${names}` }),
        );
      }
      r.deviceCheck!.out = stepFlag(r.grads, r.deviceCheck!.names, plan.checks);
    }
  } catch (e) {
    thrown = e;
  } finally {
    try {
      method.endStep?.();
    } catch (e) {
      thrown ??= e;
    }
  }
  const failure = thrown !== null ? asStepError(thrown, r) : guard ? nonFiniteResult(r, staged, fusedUnits) : null;
  if (failure !== null) {
    snapshot.restore();
    staged.forEach((s) => s.kept.forEach((t) => t.dispose()));
    created.forEach((u) => dropState(u));
    return failure;
  }
  const flag = onDevice ? r.deviceCheck!.out.flag : null;
  plan.commits.forEach((commit) => commit(flag));
  const ok = staged.length > 0 && flag !== null ? flagAsBool(flag) : null;
  const pick = (next: tf.Tensor, old: tf.Variable): tf.Tensor => (ok === null ? next : tf.where(ok, next, old));
  for (const s of staged) {
    const np = s.params.length;
    s.params.forEach((v, k) => v.assign(pick(s.kept[k], v)));
    s.slots.forEach((slot, j) => s.unit.state![slot].assign(pick(s.kept[np + j], s.unit.state![slot])));
    s.kept.forEach((t) => t.dispose());
  }
  for (const u of fusedUnits) u.count++;
  for (const s of staged) s.unit.count++;
  return null;
}

/** Fills the unit's scratch arrays; false when a gradient of the unit is missing (unit skipped). */
function gather<O>(unit: Unit<O>, grads: Array<tf.Tensor | null>, vars: tf.Variable[]): boolean {
  const { indices, g, p } = unit;
  for (let k = 0; k < indices.length; k++) {
    const t = grads[indices[k]];
    if (t === null) return false;
    g[k] = t;
    p[k] = vars[indices[k]];
  }
  return true;
}

function asStepError<O>(e: unknown, r: StepRun<O>): Error {
  if (e instanceof NonFiniteError) {
    return new NonFiniteError(`${e.message} (the method's own arithmetic, ${r.owner} step ${r.step}); no state was changed`);
  }
  return e instanceof Error ? e : new Error(String(e));
}

/** The first non-finite new value of the step as a NonFiniteError naming variable and slot, or null. */
function nonFiniteResult<O>(r: StepRun<O>, staged: Array<Staged<O>>, fusedUnits: Array<Unit<O>>): NonFiniteError | null {
  const tensors: tf.Tensor[] = [];
  const where: Array<{ unit: Unit<O>; grads: tf.Tensor[]; what: string }> = [];
  for (const s of staged) {
    s.kept.forEach((t, k) => {
      tensors.push(t);
      where.push({ unit: s.unit, grads: s.grads, what: k < s.params.length ? 'its new value' : `state slot '${s.slots[k - s.params.length]}'` });
    });
  }
  for (const u of fusedUnits) {
    const grads = u.indices.map((i) => r.grads[i]!);
    u.p.forEach((v) => {
      tensors.push(v);
      where.push({ unit: u, grads, what: 'its new value' });
    });
    for (const [slot, v] of Object.entries(u.state!)) {
      tensors.push(v);
      where.push({ unit: u, grads, what: `state slot '${slot}'` });
    }
  }
  const bad = firstNonFiniteTensor(tensors);
  if (bad < 0) return null;
  const { unit, grads, what } = where[bad];
  const names = unit.info.map((i) => `'${i.name}'`).join(' + ');
  return new NonFiniteError(
    `${r.owner}: step ${r.step}: the update of ${names} gives NaN or Inf in ${what} although its gradient is finite (max |g| = ${maxAbs(grads)}): ` +
      `the method's own arithmetic overflowed or divided by zero; no state was changed. ` +
      'Lower the learning rate, clip gradients (clipGradNorm), raise the damping/epsilon, or use a wider precision.',
  );
}
