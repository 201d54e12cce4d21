import type * as tf from '@tensorflow/tfjs-core';
import type { RootfreeOptimizer } from 'rootfree';
import type { GoldenCase } from './golden.js';

/**
 * How one stored parameter is presented to rootfree: the variable's name and shape, and the
 * conversions of flat row-major values between the file's layout and the variable's (e.g. a
 * PyTorch `[out, in]` weight fed as a tfjs `[in, out]` kernel).
 */
export interface ParamView {
  name: string;
  shape: number[];
  toRootfree(values: readonly number[]): number[];
  fromRootfree(values: ArrayLike<number>): number[];
}

/** A mapped case: the optimizer, and optionally how each parameter is presented (default: as stored). */
export interface CaseSetup {
  optimizer: RootfreeOptimizer<any>;
  views?: ParamView[];
  /**
   * Called before each step's `applyGradients` with the file's step object (which may carry
   * extension data, e.g. v3's `layer_io`) and the variables: for mappings that feed more than gradients.
   */
  beforeStep?(step: GoldenCase['steps'][number] & Record<string, unknown>, vars: readonly tf.Variable[]): void;
}

/** Builds the rootfree optimizer equivalent to a golden case; throws {@link MappingError} when it cannot. */
export type CaseFactory = (c: GoldenCase) => RootfreeOptimizer<any> | CaseSetup;

/** A case the mapping cannot express (an unmapped hyper-parameter or value): the runner SKIPs it with this reason. */
export class MappingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MappingError';
  }
}

interface Entry {
  factory: CaseFactory;
  extensions: string[];
}

const factories: Record<string, Entry> = {};

/**
 * Registers the mapping of one reference class. `extensions`: the file-format extensions
 * (`format_extensions`, e.g. v3's `layer_io`) this mapping understands; files needing others are SKIPped.
 */
export function registerCaseFactory(referenceClass: string, factory: CaseFactory, options: { extensions?: string[] } = {}): void {
  factories[referenceClass] = { factory, extensions: options.extensions ?? [] };
}

export function factoryFor(referenceClass: string): CaseFactory | undefined {
  return factories[referenceClass]?.factory;
}

export function extensionsOf(referenceClass: string): string[] {
  return factories[referenceClass]?.extensions ?? [];
}

let counter = 0;

/**
 * A fresh prefix `g<n>_` for one case's variable names (tfjs names are global). It holds no
 * letters, so name-based options (paramGroups, IF-Shampoo's discount patterns) see only the stored names.
 */
export function casePrefix(): string {
  return `g${++counter}_`;
}

/** A parameter as stored, named `<prefix><name>` (default name: the stored one). */
export function storedView(p: GoldenCase['params'][number], prefix: string, name = p.name): ParamView {
  return { name: prefix + name, shape: p.shape.slice(), toRootfree: (v) => v.slice(), fromRootfree: (v) => Array.from(v) };
}

/** A 2-D `[r, c]` parameter fed transposed (`[c, r]`), named `<prefix><name>`. */
export function transposedView(p: GoldenCase['params'][number], prefix: string, name: string): ParamView {
  const [r, c] = p.shape;
  const t = (v: ArrayLike<number>, rows: number, cols: number) => Array.from({ length: rows * cols }, (_, k) => v[(k % rows) * cols + Math.floor(k / rows)]);
  return { name: prefix + name, shape: [c, r], toRootfree: (v) => t(v, r, c), fromRootfree: (v) => t(v, c, r) };
}

/** Throws a {@link MappingError} naming every hyper-parameter of the file the mapping does not know. */
export function checkMappedKeys(c: GoldenCase, known: readonly string[]): void {
  const unknown = Object.keys(c.hyperparameters).filter((k) => !known.includes(k));
  if (unknown.length) throw new MappingError(`hyper-parameter(s) ${unknown.map((k) => `'${k}'`).join(', ')} not mapped for ${c.optimizer}`);
}
