import type { OptimizerSummary, TaskSummary } from './aggregate.js';
import { ema, smoothingSpan } from './curves.js';
import { stylesFor } from './style.js';
import { lineChart, type Series } from './svg.js';

const metricAxis = (t: TaskSummary, split: string) => (t.metric === 'accuracy' ? `${split} accuracy (%)` : `${split} bits/char`);

/** The report's charts: test metric vs epoch and vs time, validation and clean-train metric, per-step loss, LR schedule. */
export function charts(t: TaskSummary, logLoss = false): string[] {
  const styles = stylesFor(t.optimizers.map((o) => o.optimizer));
  const mk = (f: (o: OptimizerSummary) => Series['points']): Series[] => t.optimizers.map((o, i) => ({ label: o.label, ...styles[i], points: f(o) }));
  const out = [
    lineChart(`${metricAxis(t, 'test')} vs epoch`, 'epoch', metricAxis(t, 'test'), mk((o) => o.evalCurve.map((c) => ({ x: c.epoch, y: c.test })))),
    lineChart(`${metricAxis(t, 'test')} vs training time`, 'training time (s, mean over seeds; evaluation excluded)', metricAxis(t, 'test'), mk((o) => o.evalCurve.map((c) => ({ x: c.seconds.mean, y: c.test })))),
    lineChart(`${metricAxis(t, 'validation')} vs epoch`, 'epoch', metricAxis(t, 'validation'), mk((o) => o.evalCurve.map((c) => ({ x: c.epoch, y: c.val })))),
  ];
  // Results written before trainEval existed have no clean train-set curve.
  if (t.optimizers.some((o) => o.evalCurve.some((c) => Number.isFinite(c.trainEval.mean)))) {
    out.push(lineChart(`${metricAxis(t, 'clean train-set')} vs epoch`, 'epoch', metricAxis(t, 'clean train-set'), mk((o) => o.evalCurve.map((c) => ({ x: c.epoch, y: c.trainEval })))));
  }
  const hasSteps = t.optimizers.some((o) => o.stepLoss.length > 0);
  if (hasSteps) {
    const n = Math.max(...t.optimizers.map((o) => o.stepLoss.length));
    const span = smoothingSpan(n);
    out.push(
      lineChart(
        `training loss per step (EMA, span ${span})`,
        'optimizer step',
        'training loss (augmented batch)',
        mk((o) => {
          const m = ema(o.stepLoss.map((p) => p.loss.mean), span);
          const s = ema(o.stepLoss.map((p) => (Number.isFinite(p.loss.std) ? p.loss.std : 0)), span);
          return o.stepLoss.map((p, i) => ({ x: p.step, y: { mean: m[i], std: s[i], n: p.loss.n } }));
        }),
        { logY: logLoss },
      ),
    );
  } else {
    out.push(lineChart('training loss vs epoch', 'epoch', 'mean training loss (epoch)', mk((o) => o.curve.map((c) => ({ x: c.epoch, y: c.trainLoss }))), { logY: logLoss }));
  }
  if (t.optimizers.some((o) => o.lrCurve.length > 0)) {
    out.push(lineChart('learning-rate schedule', 'optimizer step', 'learning rate', mk((o) => o.lrCurve.map((p) => ({ x: p.step, y: { mean: p.lr, std: NaN, n: 1 } }))), { logY: true }));
  }
  return out;
}
