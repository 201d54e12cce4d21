/**
 * Training-step benchmark: stock tfjs-wasm vs rootfree-patched wasm, 1 vs 2 XNNPACK threads, on
 * the CNN and transformer workloads of TFJS-FINDINGS. Every configuration runs in its own child
 * process (one wasm build per process; stock must not see rootfree's kernels), and passes
 * alternate the configurations so machine-load drift hits all of them alike.
 */
import { runJsonChild } from './jsonChild.js';
import { medianOrNull } from './stats.js';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ChildConfig, KernelSet } from './trainingChild.js';
import type { Workload } from './trainingWorkloads.js';

export interface WorkloadSteps { threads?: number[]; warmup?: number; rounds?: number; stepsPerRound?: number }

export interface BenchTrainingOptions {
  workloads?: Workload[];
  /** Default: stock, stock+dW (stock plus the one kernel a CNN needs), rootfree. */
  kernels?: KernelSet[];
  threads?: number[];
  /**
   * Per-workload overrides. Default: resnet and lstm at 1 thread, 1 warm-up and 2×2 timed steps
   * (their stock steps take seconds; thread scaling is shown on cnn/transformer).
   */
  perWorkload?: Partial<Record<Workload, WorkloadSteps>>;
  /** Child processes per configuration, interleaved. Default 2. */
  passes?: number;
  warmup?: number;
  rounds?: number;
  stepsPerRound?: number;
  /** Per child process. Default 10 minutes. */
  timeoutMs?: number;
  onProgress?: (message: string) => void;
}

export interface TrainingSample {
  workload: Workload;
  kernels: KernelSet;
  threads: number;
  pass: number;
  /** Threads the wasm backend really used (the shim may fall back to 1). */
  threadsActual?: number;
  msPerStep?: number[];
  cpuOverWall?: number;
  firstLoss?: number;
  lastLoss?: number;
  warnings?: string[];
  /** Kernel times of one profiled step after the timed ones (`tf.profile`), ms per kernel name. */
  kernelMs?: Record<string, number>;
  /** Load average when the child finished (the machine is shared). */
  loadavg?: number[];
  /** Set when the configuration cannot train (e.g. stock wasm lacks Conv2DBackpropFilter). */
  error?: string;
}

export interface TrainingSummary {
  workload: Workload;
  kernels: KernelSet;
  threads: number;
  medianMsPerStep: number | null;
  steps: number;
  error?: string;
}

export interface TrainingBenchResult {
  name: 'training';
  options: Required<Omit<BenchTrainingOptions, 'onProgress'>>;
  samples: TrainingSample[];
  summary: TrainingSummary[];
}

const LONG_STEPS: WorkloadSteps = { threads: [1], warmup: 1, rounds: 2, stepsPerRound: 2 };

export const isConvNet = (w: Workload) => w === 'cnn' || w === 'resnet';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '..');


async function runChild(cfg: ChildConfig, timeoutMs: number): Promise<Omit<TrainingSample, 'pass'>> {
  const r = await runJsonChild(process.execPath, ['--import', 'tsx', path.join(here, 'trainingChild.ts'), JSON.stringify(cfg)], repoRoot, timeoutMs);
  const who = { workload: cfg.workload, kernels: cfg.kernels, threads: cfg.threads };
  return 'json' in r ? { ...(r.json as object), ...who } as Omit<TrainingSample, 'pass'> : { ...who, error: `child ${r.error}` } as Omit<TrainingSample, 'pass'>;
}

export async function benchTraining(opts: BenchTrainingOptions = {}): Promise<TrainingBenchResult> {
  const options = {
    workloads: opts.workloads ?? (['cnn', 'transformer', 'resnet', 'lstm'] as Workload[]),
    kernels: opts.kernels ?? (['stock', 'stock+dW', 'rootfree'] as KernelSet[]),
    threads: opts.threads ?? [1, 2],
    perWorkload: opts.perWorkload ?? ({ resnet: LONG_STEPS, lstm: LONG_STEPS } as Partial<Record<Workload, WorkloadSteps>>),
    passes: opts.passes ?? 2,
    warmup: opts.warmup ?? 2,
    rounds: opts.rounds ?? 3,
    stepsPerRound: opts.stepsPerRound ?? 3,
    timeoutMs: opts.timeoutMs ?? 600_000,
  };
  const progress = opts.onProgress ?? (() => undefined);
  const configs: ChildConfig[] = [];
  for (const workload of options.workloads) {
    for (const kernels of options.kernels) {
      // stock+dW differs from stock only for conv nets.
      if (kernels === 'stock+dW' && !isConvNet(workload)) continue;
      const o = { ...options, ...options.perWorkload[workload] };
      for (const threads of o.threads) {
        configs.push({ workload, kernels, threads, warmup: o.warmup, rounds: o.rounds, stepsPerRound: o.stepsPerRound });
      }
    }
  }
  const samples: TrainingSample[] = [];
  const failed = new Set<string>();
  for (let pass = 0; pass < options.passes; pass++) {
    // Rotate the order each pass so no configuration always runs first (cold caches, load drift).
    const order = configs.map((_, i) => configs[(i + pass) % configs.length]);
    for (const cfg of order) {
      const key = `${cfg.workload}/${cfg.kernels}/${cfg.threads}`;
      // A configuration that cannot train fails the same way every time; record it once.
      if (failed.has(key)) continue;
      progress(`training bench pass ${pass + 1}/${options.passes}: ${key}`);
      const r = await runChild(cfg, options.timeoutMs);
      if (r.error) failed.add(key);
      samples.push({ ...r, pass });
    }
  }
  const summary: TrainingSummary[] = configs.map((c) => {
    const mine = samples.filter((s) => s.workload === c.workload && s.kernels === c.kernels && s.threads === c.threads);
    const steps = mine.flatMap((s) => s.msPerStep ?? []);
    const error = mine.find((s) => s.error)?.error;
    return { workload: c.workload, kernels: c.kernels, threads: c.threads, medianMsPerStep: medianOrNull(steps), steps: steps.length, ...(error ? { error } : {}) };
  });
  return {
    name: 'training',
    options,
    samples,
    summary,
  };
}

// `npx tsx bench/training.ts` runs it standalone and prints the summary.
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  benchTraining({ onProgress: (m) => console.error(m) }).then((r) => {
    console.table(r.summary);
    console.log(JSON.stringify(r));
  });
}
