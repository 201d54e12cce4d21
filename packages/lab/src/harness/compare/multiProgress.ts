/**
 * One progress line per parallel job on a terminal: the block of lines is redrawn in place
 * (cursor up, clear to the end of the screen), and log lines are printed above it.
 */
export class MultiProgress {
  private readonly lines: string[];
  private drawn = 0;

  constructor(
    slots: number,
    private readonly write: (s: string) => void = (s) => process.stdout.write(s),
    // A pseudo-terminal without a size reports 0 columns.
    private readonly columns: () => number = () => (process.stdout.columns > 20 ? process.stdout.columns : 100),
  ) {
    this.lines = Array.from({ length: slots }, () => '');
  }

  /** Replaces job `slot`'s line. */
  set(slot: number, text: string): void {
    this.lines[slot] = text;
    this.redraw('');
  }

  /** Prints a line above the progress block. */
  log(s: string): void {
    this.redraw(`${s}\n`);
  }

  /** Removes the block (the jobs are finished). */
  done(): void {
    this.write(this.clear());
    this.drawn = 0;
  }

  private clear(): string {
    return this.drawn > 0 ? `\x1b[${this.drawn}A\r\x1b[0J` : '';
  }

  private redraw(above: string): void {
    const w = this.columns() - 1;
    const shown = this.lines.filter((l) => l !== '');
    // One write per redraw, so other output cannot land between clearing and drawing.
    this.write(this.clear() + above + shown.map((l) => `${l.length > w ? l.slice(0, w - 1) + '…' : l}\n`).join(''));
    this.drawn = shown.length;
  }
}
