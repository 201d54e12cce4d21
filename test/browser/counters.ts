import * as tf from '@tensorflow/tfjs-core';

/** Synchronous device reads (`readSync`: what dataSync/arraySync end in) made by `fn`. */
export function countReads(fn: () => void): number {
  const be = tf.backend() as any;
  const orig = be.readSync;
  let n = 0;
  be.readSync = function (this: unknown, ...args: unknown[]) {
    n++;
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
