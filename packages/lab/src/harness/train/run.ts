import * as tf from '@tensorflow/tfjs-core';
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ScheduleSpec } from 'rootfree';
import { loadDataset } from '../data/index.js';
import { headRows, type ImageData, type ImageSet, type TextData } from '../data/types.js';
import { withLabelNoise } from '../data/labelNoise.js';
import { paramCount, type Net } from '../models/types.js';
import { NonFiniteError } from 'rootfree';
import { buildOptimizer, type Hp } from '../optimizers.js';
import { Rng } from '../rng.js';
import type { Budget, TaskSpec } from '../tasks.js';
import { imageBatch, textBatch } from './batches.js';
import { checkpointText, checkRestoredState, makeCheckpoint, restoreCheckpoint, type Checkpoint } from './checkpoint.js';
import { readCheckpoint } from './checkpointCheck.js';
import { writeAtomic } from '../../util/writeAtomic.js';
import { crossEntropy } from './loss.js';
import { evaluate, type SplitMetrics } from './evaluate.js';
import { InverseRootLog, type InverseRootSummary } from './inverseRootLog.js';
import { toTarget, type EvalPoint, type ToTarget } from './target.js';
import { Progress, type ProgressSink } from './progress.js';
import type { RunKeyConfig } from '../runKey.js';
import type { ReproMeta } from '../provenance/meta.js';

export interface RunConfig {
  task: TaskSpec;
  budget: Budget;
  optimizer: string;
  hp: Hp;
  seed: number;
  precision: 'float32' | 'bfloat16';
  /** `idx:<dir>` for image tasks; undefined = packaged data. */
  dataSource?: string;
  /** Where metrics.jsonl, checkpoint.json and result.json go; undefined = nothing written. */
  outDir?: string;
  /** Continue from outDir/checkpoint.json if present. */
  resume?: boolean;
  /** Evaluate the test split every epoch (for curves; selection never uses it). Default true. */
  evalTest?: boolean;
  /** Stop after this many epochs (simulates an interruption; the schedule still spans all epochs). */
  stopAfterEpoch?: number;
  /** Progress output: a bar on a TTY, periodic lines otherwise ('lines' forces lines). Default false. */
  progress?: boolean | 'lines' | ProgressSink;
  /** Also evaluate (val, test, trainEval) every k optimizer steps, besides every epoch end. 0/undefined = epoch ends only. */
  evalEvery?: number;
  /** Validation metric for steps-/time-to-target; default the task's {@link TaskSpec.target}. */
  target?: number;
  label?: string;
  log?: (line: string) => void;
  /** Identity and provenance stored in result.json (run key, full configuration, reproducibility metadata). */
  record?: Pick<RunResult, 'key' | 'config' | 'meta'>;
}

export type { SplitMetrics } from './evaluate.js';
export type { EvalPoint, ToTarget } from './target.js';

export interface EpochRecord {
  epoch: number;
  step: number;
  lr: number;
  /** Mean of this epoch's per-step training losses (augmented batches, training mode). */
  trainLoss: number;
  /** Training loss of every optimizer step of this epoch (the loss the step was computed on). */
  stepLoss?: number[];
  val: SplitMetrics;
  test?: SplitMetrics;
  /** Clean train-set evaluation: fixed non-augmented training rows in inference mode (see evaluate.ts). */
  trainEval?: SplitMetrics;
  /** Evaluations inside this epoch (`evalEvery`); the epoch end is this record itself. */
  evals?: EvalPoint[];
  /** Cumulative training wall-clock (s), evaluation excluded. */
  trainSeconds: number;
  /** Mean wall-clock per optimizer step in this epoch (ms). */
  msPerStep: number;
  evalSeconds: number;
  /** Steps whose loss was not finite (the run is marked diverged). */
  diverged?: boolean;
  /** Why the run diverged: a non-finite loss, or the optimizer's NonFiniteError message. */
  failure?: string;
  /** Shampoo only: this epoch's inverse-root refreshes (Newton iterations and residuals). */
  inverseRoots?: InverseRootSummary;
}

export interface RunResult {
  task: string;
  optimizer: string;
  seed: number;
  hp: Hp;
  precision: string;
  epochs: EpochRecord[];
  final: EpochRecord;
  diverged: boolean;
  /** Why the run diverged (see {@link EpochRecord.failure}). */
  failure?: string;
  params: number;
  steps: number;
  msPerStep: number;
  trainSeconds: number;
  completed: boolean;
  /** Hash of the final trainable weights (resume checks). */
  weightsDigest: string;
  /** Every evaluation in step order (intra-epoch ones from `evalEvery`, then each epoch end). */
  evals?: EvalPoint[];
  evalEvery?: number;
  /** Steps- and time-to-target on the validation metric. */
  toTarget?: ToTarget;
  /** The learning-rate schedule the run used (for the report's schedule plot). */
  schedule?: ScheduleSpec;
  /** Optimizer steps per epoch. */
  stepsPerEpoch?: number;
  /** Run key: hash of `config` (harness/runKey.ts); a result is reused only under the same key. */
  key?: string;
  config?: RunKeyConfig;
  meta?: ReproMeta;
}

export function configKey(c: RunConfig): string {
  // evalEvery changes what is recorded, not the training; keys without it stay as they were.
  return JSON.stringify({ task: c.task.name, budget: c.budget, optimizer: c.optimizer, hp: c.hp, seed: c.seed, precision: c.precision, data: c.dataSource ?? null, ...(c.evalEvery ? { evalEvery: c.evalEvery } : {}) });
}

/** SINGD needs the layers' inputs and output gradients: hand it the tfjs-layers model. */
function attachLayers(opt: unknown, net: Net): void {
  const attach = (opt as { attach?: (model: unknown) => string[] }).attach;
  if (typeof attach !== 'function') return;
  if (net.layersModel === undefined) throw new Error(`${net.name}: SINGD needs a tfjs-layers model to capture layer statistics; this net is hand-written`);
  attach.call(opt, net.layersModel);
}

function stepsPerEpoch(task: TaskSpec, budget: Budget, train: ImageSet | null): number {
  if (task.dataset === 'moby') return budget.stepsPerEpoch ?? 100;
  return Math.ceil(train!.n / budget.batchSize);
}

export function lrSchedule(task: TaskSpec, base: number, totalSteps: number): ScheduleSpec {
  const s = task.schedule;
  if (s.type === 'cosine') return { type: 'cosine', value: base, totalSteps, warmupSteps: Math.min(totalSteps, Math.round(s.warmup * totalSteps)), minValue: 0 };
  return { type: 'multistep', value: base, milestones: s.milestones.map((f) => Math.round(f * totalSteps)), gamma: s.gamma };
}

function digest(vars: tf.Variable[]): string {
  // FNV-1a over the float bits: equal digests <=> bitwise-equal weights (up to collisions).
  let h = 0x811c9dc5;
  for (const v of vars) {
    const f = v.dataSync() as Float32Array;
    const u = new Uint32Array(f.buffer, f.byteOffset, f.length);
    for (let i = 0; i < u.length; i++) h = Math.imul(h ^ u[i], 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, '0');
}

/**
 * Trains one (task, optimizer, hyper-parameters, seed) run: seeded init and data order,
 * augmentation, LR schedule, per-epoch evaluation, JSONL metrics and an atomic checkpoint after
 * every epoch. With `resume`, continues from the checkpoint to a bitwise-identical result.
 */
export async function trainRun(c: RunConfig): Promise<RunResult> {
  const log = c.log ?? (() => {});
  const data = loadDataset(c.task.dataset, c.dataSource) as ImageData | TextData;
  if (c.budget.labelNoise && data.kind !== 'image') throw new Error(`labelNoise: only image tasks have labels to corrupt; ${c.task.name} is a text task`);
  const train = data.kind === 'image' ? withLabelNoise(headRows(data.train, c.budget.trainSubset), c.budget.labelNoise ?? 0, data.numClasses) : null;
  const spe = stepsPerEpoch(c.task, c.budget, train);
  const totalSteps = spe * c.budget.epochs;
  const net = c.task.model(data, Rng.derive(c.seed, 'init'));
  const schedule = lrSchedule(c.task, c.hp.lr, totalSteps);
  const rootLog = new InverseRootLog();
  const opt = buildOptimizer(c.optimizer, c.hp, { lr: schedule, batchSize: c.budget.batchSize, precision: c.precision, onInverseRoot: rootLog.record });
  attachLayers(opt, net);
  const evalEvery = c.evalEvery ?? 0;
  if (!Number.isInteger(evalEvery) || evalEvery < 0) throw new Error(`evalEvery: expected an integer >= 0 (steps), got ${evalEvery}`);
  const testEvery = c.budget.testEvery ?? 1;
  if (!Number.isInteger(testEvery) || testEvery < 1) throw new Error(`testEvery: expected an integer >= 1 (epochs), got ${testEvery}`);
  const evalAll = (withTest = true): Pick<EvalPoint, 'val' | 'test' | 'trainEval'> => ({
    val: evaluate(net, c.task, data, 'val', c.budget, train),
    test: c.evalTest === false || !withTest ? undefined : evaluate(net, c.task, data, 'test', c.budget, train),
    trainEval: evaluate(net, c.task, data, 'trainEval', c.budget, train),
  });
  const rng = Rng.derive(c.seed, 'data');
  const key = configKey(c);
  const files = c.outDir ? { ckpt: join(c.outDir, 'checkpoint.json'), metrics: join(c.outDir, 'metrics.jsonl'), result: join(c.outDir, 'result.json') } : null;
  if (c.outDir) mkdirSync(c.outDir, { recursive: true });

  let epoch0 = 0;
  let step = 0;
  /** Set while the restored optimizer state is still to be checked against what the optimizer binds. */
  let restored: Checkpoint | null = null;
  let trainSeconds = 0;
  const epochs: EpochRecord[] = [];
  try {
    if (files && c.resume) {
      const ck = readCheckpoint(files.ckpt, { configKey: key, epochs: c.budget.epochs, stepsPerEpoch: spe, vars: net.stateVars });
      if (ck) {
        await restoreCheckpoint(ck, net.stateVars, opt);
        restored = ck;
        epoch0 = ck.epoch;
        step = ck.step;
        rng.state = ck.rngState;
        trainSeconds = ck.trainSeconds;
        // Metrics written after the checkpoint's epoch (a crash between the two writes) are dropped.
        {
          const kept = (existsSync(files.metrics) ? readFileSync(files.metrics, 'utf8') : '').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as EpochRecord).filter((r) => r.epoch <= ck.epoch);
          // The result is built from these records: they must be epochs 1..ck.epoch, each once.
          if (kept.map((r) => r.epoch).join() !== Array.from({ length: ck.epoch }, (_, i) => i + 1).join()) {
            throw new Error(`${files.metrics}: holds epochs [${kept.map((r) => r.epoch).join(', ')}] but ${files.ckpt} is at epoch ${ck.epoch}; delete the run directory to restart it`);
          }
          epochs.push(...kept);
          writeAtomic(files.metrics, kept.map((r) => JSON.stringify(r) + '\n').join(''));
        }
        log(`resuming from epoch ${ck.epoch} (step ${ck.step})`);
      }
    }
    if (files && epoch0 === 0) writeFileSync(files.metrics, '');

    const progress = Progress.create(c.label ?? `${c.task.name}/${c.optimizer}/s${c.seed}`, totalSteps, c.progress);
    const lastEpoch = Math.min(c.budget.epochs, c.stopAfterEpoch ?? Infinity);
    let diverged = epochs.some((e) => e.diverged);
    let failure = epochs.find((e) => e.diverged)?.failure;
    for (let epoch = epoch0 + 1; epoch <= lastEpoch && !diverged; epoch++) {
      const order = train ? rng.permutation(train.n) : null;
      let lossSum = 0;
      let lossCount = 0;
      let epochMs = 0;
      let evalMs = 0;
      const stepLoss: number[] = [];
      const evals: EvalPoint[] = [];
      for (let s = 0; s < spe; s++) {
        const batch =
          data.kind === 'image'
            ? imageBatch(data, train!, order!.subarray(s * c.budget.batchSize, Math.min(train!.n, (s + 1) * c.budget.batchSize)), c.task.augment, rng)
            : textBatch(data.train, c.budget.batchSize, c.task.seq!, rng);
        const b = batch.x.shape[0];
        const t0 = performance.now();
        const { value, grads } = tf.tidy(() => tf.variableGrads(() => crossEntropy(net.forward(batch.x, true), batch.y, c.task.labelSmoothing), net.trainable));
        const loss = value.dataSync()[0];
        if (!Number.isFinite(loss)) {
          diverged = true;
          failure = `non-finite training loss at step ${step + 1}`;
        } else {
          try {
            opt.applyGradients(net.trainable.map((v) => ({ name: v.name, tensor: grads[v.name] })), { batchSize: b });
          } catch (e) {
            // A numerical failure of the method (e.g. a bf16 Newton root) is a result; anything else is a bug.
            if (!(e instanceof NonFiniteError)) {
              // The first step after a restore binds the saved state: a rejection there is the checkpoint's fault.
              if (restored) throw new Error(`${files!.ckpt}: corrupt checkpoint: the optimizer rejected its saved state (${(e as Error).message}); delete it to restart the run`);
              throw e;
            }
            diverged = true;
            failure = `step ${step + 1}: ${e.message}`;
          }
          if (restored) await checkRestoredState(restored, opt, files!.ckpt);
          restored = null;
        }
        tf.dispose([value, ...Object.values(grads), batch.x, batch.y]);
        // Reading one weight syncs the backend, so the step time includes the update.
        net.trainable[0].dataSync();
        epochMs += performance.now() - t0;
        step++;
        stepLoss.push(loss);
        if (diverged) break;
        lossSum += loss;
        lossCount++;
        progress.update(step, loss, `epoch ${epoch}/${c.budget.epochs}`);
        // Intra-epoch evaluations; the epoch end is evaluated below anyway.
        if (evalEvery > 0 && step % evalEvery === 0 && s < spe - 1) {
          const e0 = performance.now();
          evals.push({ step, epoch: step / spe, trainSeconds: trainSeconds + epochMs / 1000, ...evalAll() });
          evalMs += performance.now() - e0;
        }
      }
      trainSeconds += epochMs / 1000;
      const e0 = performance.now();
      // The test split costs evaluation time only; the last epoch (or a diverged one) always has it.
      const { val, test, trainEval } = evalAll(epoch % testEvery === 0 || epoch === c.budget.epochs || diverged);
      const rec: EpochRecord = {
        epoch,
        step,
        lr: opt.learningRate,
        trainLoss: lossCount ? lossSum / lossCount : NaN,
        stepLoss,
        val,
        test,
        trainEval,
        ...(evals.length ? { evals } : {}),
        trainSeconds,
        msPerStep: epochMs / Math.max(1, lossCount + (diverged ? 1 : 0)),
        evalSeconds: (performance.now() - e0 + evalMs) / 1000,
        ...(diverged ? { diverged: true, failure } : {}),
      };
      const roots = rootLog.take();
      if (roots) rec.inverseRoots = roots;
      epochs.push(rec);
      const m = c.task.metric === 'accuracy' ? `acc ${(100 * val.metric).toFixed(2)}%` : `bpc ${val.metric.toFixed(3)}`;
      progress.line(`${c.label ?? c.optimizer} epoch ${epoch}/${c.budget.epochs}: train loss ${rec.trainLoss.toFixed(4)}, val loss ${val.loss.toFixed(4)}, val ${m}, ${rec.msPerStep.toFixed(1)} ms/step${diverged ? ` DIVERGED (${failure})` : ''}`);
      if (files) {
        appendFileSync(files.metrics, JSON.stringify(rec) + '\n');
        // A diverged epoch leaves no checkpoint (its state is not finite; the run is complete anyway).
        if (!diverged) writeAtomic(files.ckpt, checkpointText(await makeCheckpoint({ epoch, step, rngState: rng.state, trainSeconds, configKey: key }, net.stateVars, opt)));
      }
      // One event-loop turn per epoch: every await above resolves as a microtask, so without this a
      // compare worker never sees its parent disconnect (it would train on as an orphan) or a signal.
      await new Promise((r) => setImmediate(r));
    }
    progress.done();
    const last = epochs[epochs.length - 1];
    const completed = diverged || last?.epoch === c.budget.epochs;
    const evals: EvalPoint[] = epochs.flatMap((e) => [...(e.evals ?? []), { step: e.step, epoch: e.step / spe, trainSeconds: e.trainSeconds, val: e.val, test: e.test, trainEval: e.trainEval }]);
    const result: RunResult = {
      task: c.task.name,
      optimizer: c.optimizer,
      seed: c.seed,
      hp: c.hp,
      precision: c.precision,
      epochs,
      final: last,
      diverged,
      ...(failure ? { failure } : {}),
      params: paramCount(net),
      steps: step,
      msPerStep: (1000 * trainSeconds) / Math.max(1, step),
      trainSeconds,
      completed,
      weightsDigest: digest(net.stateVars),
      evals,
      evalEvery,
      toTarget: toTarget(evals, c.task.metric, c.target ?? c.task.target),
      schedule,
      stepsPerEpoch: spe,
      ...c.record,
    };
    if (files && completed) writeAtomic(files.result, JSON.stringify(result, null, 1));
    return result;
  } finally {
    opt.dispose();
    net.dispose();
  }
}
