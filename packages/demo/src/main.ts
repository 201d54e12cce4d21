/**
 * The demo page: pick a task, optimizers, precision and backend; they train side by side on the
 * same data and start, with live loss (training batch) and accuracy (held-out set) curves. A run
 * that hits NaN/Inf (e.g. Shampoo's Newton root in bf16) stops and says why.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients.js';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-webgl';
import '@tensorflow/tfjs-backend-webgpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { NonFiniteError, useBackend, type BackendName, type RootfreeOptimizer } from 'rootfree';
import { drawChart, type Series } from './chart.js';
import { accuracy, initParams, loss } from './model.js';
import { CHOICES, type Precision } from './optimizers.js';
import { fmnistTask, spiralTask, type Task } from './tasks.js';

const COLORS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b'];
const BATCH = 64;

interface Run {
  name: string;
  color: string;
  opt: RootfreeOptimizer<any>;
  params: tf.Variable[];
  loss: Array<[number, number]>;
  acc: Array<[number, number]>;
  failed: string;
}

/** What the browser test reads: settings, curves, and whether training finished. */
interface DemoState {
  backend: string;
  task: string;
  precision: string;
  done: boolean;
  runs: Array<{ name: string; loss: number[]; acc: number[]; failed: string }>;
}

const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;
const query = new URLSearchParams(location.search);
let stopRequested = false;

function setupControls(): void {
  const box = $('optimizers');
  CHOICES.forEach((c, i) => {
    const label = document.createElement('label');
    label.innerHTML = `<input type="checkbox" value="${c.name}" checked> <span style="color:${COLORS[i]}">■</span> ${c.name} <small>(bf16: ${c.bf16})</small>`;
    box.appendChild(label);
  });
  const only = query.get('optimizers')?.split(',');
  if (only) box.querySelectorAll<HTMLInputElement>('input').forEach((i) => (i.checked = only.includes(i.value)));
  for (const key of ['task', 'precision', 'backend', 'steps'] as const) {
    const v = query.get(key);
    if (v) ($(key) as HTMLInputElement).value = v;
  }
  $('start').addEventListener('click', () => void start());
  $('stop').addEventListener('click', () => (stopRequested = true));
}

function publish(state: DemoState, runs: Run[]): void {
  state.runs = runs.map((r) => ({ name: r.name, loss: r.loss.map(([, y]) => y), acc: r.acc.map(([, y]) => y), failed: r.failed }));
  (window as any).demoState = state;
}

/** Exponential moving average of the batch losses (batches differ; the trend is what matters). */
function smooth(points: Array<[number, number]>): Array<[number, number]> {
  let m = NaN;
  return points.map(([x, y]) => {
    m = Number.isNaN(m) ? y : 0.8 * m + 0.2 * y;
    return [x, m];
  });
}

function render(runs: Run[]): void {
  const series = (pick: (r: Run) => Array<[number, number]>): Series[] => runs.map((r) => ({ name: r.name, color: r.color, points: pick(r) }));
  drawChart($('loss'), 'training loss (batch, smoothed)', series((r) => smooth(r.loss)));
  drawChart($('acc'), 'held-out accuracy', series((r) => r.acc), [0, 1]);
  $('status').innerHTML = runs
    .map((r) => {
      const l = r.loss[r.loss.length - 1]?.[1];
      const a = r.acc[r.acc.length - 1]?.[1];
      const what = r.failed ? `<b style="color:#c00">failed: ${r.failed}</b>` : `loss ${l?.toFixed(4) ?? '–'}, accuracy ${a === undefined ? '–' : (100 * a).toFixed(1) + '%'}`;
      return `<tr><td style="color:${r.color}">■ ${r.name}</td><td>${what}</td></tr>`;
    })
    .join('');
}

async function start(): Promise<void> {
  stopRequested = false;
  const backend = ($('backend') as HTMLSelectElement).value as BackendName;
  const precision = ($('precision') as HTMLSelectElement).value as Precision;
  const taskName = ($('task') as HTMLSelectElement).value;
  const steps = Math.max(1, Number(($('steps') as HTMLInputElement).value) || 100);
  const chosen = Array.from(document.querySelectorAll<HTMLInputElement>('#optimizers input:checked'), (i) => i.value);
  ($('start') as HTMLButtonElement).disabled = true;
  const state: DemoState = { backend, task: taskName, precision, done: false, runs: [] };
  try {
    setWasmPaths(new URL('wasm/', location.href).href);
    await useBackend(backend);
    state.backend = tf.getBackend();
    $('info').textContent = `backend ${tf.getBackend()} · task ${taskName} · precision ${precision}`;
    const task: Task = taskName === 'fmnist' ? await fmnistTask(new URL('data/fmnist-subset.json', location.href).href) : spiralTask();
    const runs: Run[] = CHOICES.map((c, i) => ({ c, i }))
      .filter(({ c }) => chosen.includes(c.name))
      .map(({ c, i }) => ({ name: c.name, color: COLORS[i], opt: c.make(precision, BATCH), params: initParams(task, `${c.name}_${Date.now()}`), loss: [], acc: [], failed: '' }));
    const n = task.train.x.shape[0];
    for (let step = 0; step < steps && !stopRequested; step++) {
      const start = (step * BATCH) % n;
      const idx = tf.tensor1d(Array.from({ length: BATCH }, (_, k) => (start + k) % n), 'int32');
      const xb = tf.gather(task.train.x, idx) as tf.Tensor2D;
      const yb = tf.gather(task.train.y, idx) as tf.Tensor2D;
      for (const r of runs) {
        if (r.failed) continue;
        try {
          const { value, grads } = tf.variableGrads(() => loss(xb, yb, r.params), r.params);
          r.opt.applyGradients(r.params.map((p) => ({ name: p.name, tensor: grads[p.name] })));
          Object.values(grads).forEach((g) => g.dispose());
          const l = (await value.data())[0];
          value.dispose();
          r.loss.push([step + 1, l]);
          if (!Number.isFinite(l)) r.failed = 'loss is NaN/Inf';
          if (!(await r.opt.lastStepFinite())) r.failed ||= 'a step was rejected (NaN/Inf)';
          if ((step + 1) % 5 === 0 || step === 0) {
            const a = accuracy(task.test.x, task.test.y, r.params);
            r.acc.push([step + 1, (await a.data())[0]]);
            a.dispose();
          }
        } catch (e) {
          r.failed = e instanceof NonFiniteError ? e.message.replace(/;.*/, '') : `error: ${(e as Error).message}`;
        }
      }
      [idx, xb, yb].forEach((t) => t.dispose());
      render(runs);
      publish(state, runs);
      await new Promise((ok) => requestAnimationFrame(() => ok(undefined)));
    }
    state.done = true;
    publish(state, runs);
    runs.forEach((r) => {
      r.opt.dispose();
      r.params.forEach((p) => p.dispose());
    });
    [task.train.x, task.train.y, task.test.x, task.test.y].forEach((t) => t.dispose());
  } catch (e) {
    $('info').textContent = `could not start: ${(e as Error).message}`;
    state.done = true;
    (window as any).demoState = { ...state, error: String(e) };
  } finally {
    ($('start') as HTMLButtonElement).disabled = false;
  }
}

setupControls();
if (query.get('autostart') === '1') void start();
