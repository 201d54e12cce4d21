import { fitLines } from '../../util/fitLines.js';

/**
 * Where a run's progress goes when another process draws it (`compare --jobs N` on a terminal:
 * workers send their bar text to the parent, which keeps one line per job).
 */
export interface ProgressSink {
  bar(text: string): void;
  line(text: string): void;
}

/**
 * Training progress: a redrawn one-line bar (steps/s, ETA, loss) when stdout is a TTY, otherwise
 * a plain line every `intervalMs` (logs stay readable in CI and files; at most 100 columns).
 */
export class Progress {
  /** `true`: bar on a TTY, else lines; `'lines'`: lines; a sink: bar texts and lines go to it. */
  static create(label: string, total: number, mode: boolean | 'lines' | ProgressSink | undefined): Progress {
    if (mode && typeof mode === 'object') return new Progress(label, total, true, 15000, undefined, true, mode);
    return new Progress(label, total, !!mode, 15000, undefined, mode === 'lines' ? false : undefined);
  }

  private readonly tty: boolean;
  private last = 0;
  private readonly start = Date.now();
  private startStep = -1;
  private drawn = false;

  constructor(
    private readonly label: string,
    private readonly total: number,
    private readonly enabled: boolean,
    private readonly intervalMs = 15000,
    private readonly write: (s: string) => void = (s) => process.stdout.write(s),
    tty?: boolean,
    private readonly sink?: ProgressSink,
  ) {
    this.tty = tty ?? !!process.stdout.isTTY;
  }

  update(step: number, loss: number, extra = ''): void {
    if (!this.enabled) return;
    if (this.startStep < 0) this.startStep = step;
    const now = Date.now();
    const every = this.tty ? 200 : this.intervalMs;
    if (now - this.last < every && step < this.total) return;
    this.last = now;
    const rate = (step - this.startStep) / Math.max(1e-3, (now - this.start) / 1000);
    const eta = rate > 0 ? (this.total - step) / rate : NaN;
    const text = `${this.label} ${step}/${this.total} ${rate.toFixed(1)} step/s ETA ${fmtDuration(eta)} loss ${loss.toFixed(4)}${extra ? ' ' + extra : ''}`;
    const width = 20;
    const filled = Math.round((width * step) / Math.max(1, this.total));
    const bar = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${text}`;
    if (this.sink) {
      this.sink.bar(bar);
    } else if (this.tty) {
      this.write(`\r\x1b[2K${bar}`);
      this.drawn = true;
    } else {
      this.write(`${text}\n`);
    }
  }

  /** Prints a line without corrupting the bar. */
  line(s: string): void {
    if (!this.enabled) return;
    if (this.sink) return this.sink.line(s);
    if (this.tty && this.drawn) this.write('\r\x1b[2K');
    this.drawn = false;
    this.write(this.tty ? `${s}\n` : fitLines(s, 100).map((l) => `${l}\n`).join(''));
  }

  done(): void {
    if (this.enabled && this.tty && this.drawn) this.write('\n');
    this.drawn = false;
  }
}

export function fmtDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.round(seconds);
  const m = Math.floor(s / 60);
  const h = Math.floor(m / 60);
  return h > 0 ? `${h}:${String(m % 60).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}` : `${m}:${String(s % 60).padStart(2, '0')}`;
}
