import * as tf from '@tensorflow/tfjs-core';

/** Where the latest counted read came from (for failure messages). */
export let lastReadStack = '';
/** Reads of the latest `countReads` whose values were already in JS (not counted, reported). */
export let hostReads = 0;

/**
 * Synchronous device reads (`readSync`: what dataSync/arraySync end in) made by `fn`. A read of a
 * tensor whose values are still in JS memory (webgl/webgpu keep a small tensor there until a
 * program uses it, and run small ops on the CPU then: `WEBGL_CPU_FORWARD`/`WEBGPU_CPU_FORWARD`)
 * does not touch the device and is counted in `hostReads` instead.
 */
export function countReads(fn: () => void): number {
  const be = tf.backend() as any;
  const orig = be.readSync;
  const store = be.texData ?? be.tensorMap;
  let n = 0;
  hostReads = 0;
  be.readSync = function (this: unknown, ...args: unknown[]) {
    if (store?.get(args[0])?.values != null) {
      hostReads++;
      return orig.apply(this, args);
    }
    n++;
    lastReadStack = (new Error().stack ?? '').split('\n').slice(2, 14).join(' <- ');
    return orig.apply(this, args);
  };
  try {
    fn();
  } finally {
    be.readSync = orig;
  }
  return n;
}

/**
 * The engine kernels `fn` runs (what `tf.profile` lists, without its per-kernel reads when the
 * backend has no timer) and the GPU programs the backend runs for them.
 */
export function countWork(fn: () => void): { kernels: string[]; programs: number; names: string[] } {
  const engine = tf.engine() as any;
  const be = tf.backend() as any;
  const kernels: string[] = [];
  let programs = 0;
  const names: string[] = [];
  const origKernel = engine.runKernelFunc;
  engine.runKernelFunc = function (this: unknown, args: { kernelName?: string }) {
    kernels.push(args.kernelName ?? 'customGrad');
    return origKernel.call(this, args);
  };
  const progName = typeof be.runWebGLProgram === 'function' ? 'runWebGLProgram' : typeof be.runWebGPUProgram === 'function' ? 'runWebGPUProgram' : null;
  const origProg = progName ? be[progName] : null;
  if (progName) {
    be[progName] = function (this: unknown, ...args: unknown[]) {
      programs++;
      names.push((args[0] as any)?.constructor?.name ?? '?');
      return origProg.apply(this, args);
    };
  }
  try {
    fn();
  } finally {
    engine.runKernelFunc = origKernel;
    if (progName) be[progName] = origProg;
  }
  return { kernels, programs, names };
}
