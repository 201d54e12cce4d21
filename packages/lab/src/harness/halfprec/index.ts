export { lstsqProblem, type LstsqOptions } from './lstsq.js';
export { mlpProblem, type MlpOptions } from './mlp.js';
export { HALFPREC_METHODS, HALFPREC_PRECISIONS, HYPER, methodOptions, makeOptimizer, type HalfprecMethod, type HalfprecPrecision } from './methods.js';
export type { HalfprecProblem } from './problem.js';
export { DIVERGENCE_FACTOR, runOne, type FailureKind, type RunFailure, type RunResult } from './run.js';
export { makeProblem, runHalfprecSuite, type HalfprecProblemName, type HalfprecSuiteOptions } from './suite.js';
export { buildReport, buildRows, formatMarkdown, formatText, relativeL2, type HalfprecReport, type HalfprecRow } from './table.js';
