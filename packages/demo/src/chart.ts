/** A minimal line chart on a canvas: one series per run, autoscaled, with axes labels. */
export interface Series {
  name: string;
  color: string;
  points: Array<[number, number]>;
}

export function drawChart(canvas: HTMLCanvasElement, title: string, series: Series[], yRange?: [number, number]): void {
  const ctx = canvas.getContext('2d')!;
  const { width: w, height: h } = canvas;
  const pad = { l: 48, r: 12, t: 26, b: 26 };
  ctx.clearRect(0, 0, w, h);
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, w, h);
  const all = series.flatMap((s) => s.points).filter(([, y]) => Number.isFinite(y));
  const xMax = Math.max(1, ...all.map(([x]) => x));
  let [yMin, yMax] = yRange ?? [Math.min(...all.map(([, y]) => y)), Math.max(...all.map(([, y]) => y))];
  if (!Number.isFinite(yMin) || !Number.isFinite(yMax)) [yMin, yMax] = [0, 1];
  if (yMax - yMin < 1e-6) [yMin, yMax] = [yMin - 0.5, yMax + 0.5];
  const X = (x: number): number => pad.l + (x / xMax) * (w - pad.l - pad.r);
  const Y = (y: number): number => h - pad.b - ((y - yMin) / (yMax - yMin)) * (h - pad.t - pad.b);
  ctx.strokeStyle = '#ccc';
  ctx.fillStyle = '#333';
  ctx.font = '12px sans-serif';
  ctx.fillText(title, pad.l, 16);
  for (let k = 0; k <= 4; k++) {
    const y = yMin + ((yMax - yMin) * k) / 4;
    ctx.beginPath();
    ctx.moveTo(pad.l, Y(y));
    ctx.lineTo(w - pad.r, Y(y));
    ctx.stroke();
    ctx.fillText(y.toFixed(2), 4, Y(y) + 4);
  }
  ctx.fillText(`step (0–${xMax})`, w - pad.r - 80, h - 6);
  for (const s of series) {
    ctx.strokeStyle = s.color;
    ctx.lineWidth = 2;
    ctx.beginPath();
    let started = false;
    for (const [x, y] of s.points) {
      if (!Number.isFinite(y)) continue;
      if (started) ctx.lineTo(X(x), Y(Math.min(yMax, Math.max(yMin, y))));
      else ctx.moveTo(X(x), Y(Math.min(yMax, Math.max(yMin, y))));
      started = true;
    }
    ctx.stroke();
    ctx.lineWidth = 1;
  }
}
