/**
 * A numerical failure: NaN or Inf in a gradient or in optimizer state (for example a half-precision
 * Newton inverse root). Separate from input and option errors so that a training loop can treat it
 * as divergence of the run (the harness does) while programming errors still surface.
 */
export class NonFiniteError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NonFiniteError';
  }
}
