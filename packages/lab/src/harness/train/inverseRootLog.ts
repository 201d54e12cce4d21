import type { InverseRootInfo } from 'rootfree';

/** Per-epoch summary of Shampoo's inverse-root refreshes (docs/REPRODUCTION.md, claim 4: the Newton residual is logged). */
export interface InverseRootSummary {
  refreshes: number;
  /** Largest ε actually added (differs from the option with `relativeEpsilon`). */
  epsilonMax: number;
  /** Newton refreshes only. */
  newton?: { count: number; iterationsMean: number; iterationsMax: number; residualMedian: number; residualMax: number; notConverged: number };
}

/** Collects `onInverseRoot` reports between {@link InverseRootLog.take} calls. */
export class InverseRootLog {
  private infos: InverseRootInfo[] = [];
  readonly record = (info: InverseRootInfo): void => {
    this.infos.push(info);
  };

  /** The summary since the last call (undefined when nothing was refreshed), and a fresh start. */
  take(): InverseRootSummary | undefined {
    const infos = this.infos;
    this.infos = [];
    if (infos.length === 0) return undefined;
    const out: InverseRootSummary = { refreshes: infos.length, epsilonMax: Math.max(...infos.map((i) => i.epsilon)) };
    const nw = infos.filter((i) => i.method === 'newton' && i.iterations !== undefined);
    if (nw.length) {
      // A non-finite residual (NaN from an overflowing iteration) sorts last and is the max.
      const res = nw.map((i) => (Number.isFinite(i.residual) ? (i.residual as number) : Infinity)).sort((a, b) => a - b);
      const its = nw.map((i) => i.iterations as number);
      out.newton = {
        count: nw.length,
        iterationsMean: its.reduce((a, b) => a + b, 0) / its.length,
        iterationsMax: Math.max(...its),
        residualMedian: res[Math.floor((res.length - 1) / 2)],
        residualMax: res[res.length - 1],
        notConverged: nw.filter((i) => !i.converged).length,
      };
    }
    return out;
  }
}
