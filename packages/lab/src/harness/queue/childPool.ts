import { fork, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ChildReply, ChildRequest } from './child.js';

function childPath(): string {
  // Built: child.js next to this file; from source (tsx): child.ts, forked with tsx's loader (inherited execArgv).
  for (const ext of ['.js', '.ts']) {
    const p = fileURLToPath(new URL(`./child${ext}`, import.meta.url));
    if (existsSync(p)) return p;
  }
  throw new Error('queue child module not found');
}

type Outcome = Exclude<ChildReply, { ready: true }>;

interface Slot {
  child: ChildProcess;
  ready: Promise<void>;
  busy: boolean;
  pending?: (o: Outcome) => void;
}

/** `n` long-lived training processes; `run` hands a request to a free one (callers never exceed `n`). */
export class ChildPool {
  private slots: Slot[] = [];
  private closed = false;

  constructor(private readonly n: number) {
    for (let i = 0; i < n; i++) this.slots.push(this.spawn());
  }

  private spawn(): Slot {
    const child = fork(childPath(), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    let markReady!: () => void;
    const slot: Slot = { child, busy: false, ready: new Promise((r) => (markReady = r)) };
    child.on('message', (m: ChildReply) => {
      if ('ready' in m) return markReady();
      const done = slot.pending;
      slot.pending = undefined;
      done?.(m);
    });
    child.on('exit', (code, signal) => {
      markReady();
      slot.pending?.({ error: `training process exited (${signal ?? `code ${code}`})` });
      slot.pending = undefined;
      // A crashed process (out of memory, a kill) is replaced so the worker keeps its capacity.
      if (!this.closed) this.slots[this.slots.indexOf(slot)] = this.spawn();
    });
    return slot;
  }

  async run(req: ChildRequest): Promise<Outcome> {
    const slot = this.slots.find((s) => !s.busy);
    if (!slot) throw new Error(`internal: more than ${this.n} concurrent runs`);
    slot.busy = true;
    try {
      await slot.ready;
      return await new Promise<Outcome>((resolve) => {
        slot.pending = resolve;
        slot.child.send(req);
      });
    } finally {
      slot.busy = false;
    }
  }

  close(): void {
    this.closed = true;
    for (const s of this.slots) s.child.kill();
  }
}
