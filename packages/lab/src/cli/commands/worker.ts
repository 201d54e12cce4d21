import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { startWorker } from '../../harness/queue/worker.js';
import { intFlag, stringFlag, type ParsedArgs } from '../args.js';
import type { Command } from '../command.js';

export const command: Command = {
  name: 'worker',
  summary:
    'Runs the trials and seeds that `rootfree tune --queue` and `rootfree compare --queue` put on a Redis queue (BullMQ), on this machine.\n' +
    'Needs the same code and data as the coordinator (a worker that differs refuses the first run it gets, says why, and exits with code 3).\n' +
    'A killed worker\'s runs go back to the queue after --stalled-seconds. Ctrl-C: finish the running runs, then stop; twice: stop now (they go back to the queue).',
  usage: 'rootfree worker --queue redis://[user:password@]host:port[/db] [options]',
  options: {
    queue: { type: 'string', value: 'url', description: 'redis://[user:password@]host:port[/db] (rediss:// for TLS); required' },
    concurrency: { type: 'string', value: 'N', description: 'runs at a time, one training process each; default cores / threads' },
    threads: { type: 'string', value: 'T', description: 'wasm threads per run; default 1' },
    'work-dir': { type: 'string', value: 'dir', description: 'scratch directory of the running runs; default <tmp>/rootfree-worker' },
    'stalled-seconds': { type: 'string', value: 'S', description: "a dead worker's runs go back to the queue after this long; default 30" },
    name: { type: 'string', value: 'name', description: 'how the worker names itself in the logs; default <host>/<pid>' },
  },
  async run(args: ParsedArgs): Promise<number> {
    const url = stringFlag(args, 'queue', '');
    if (!url) throw new Error(`--queue is required\nusage: ${this.usage}`);
    const stalled = Number(stringFlag(args, 'stalled-seconds', '30'));
    if (!(stalled >= 1 && stalled <= 3600)) throw new Error(`--stalled-seconds: expected a number in [1, 3600], got ${JSON.stringify(args.flags['stalled-seconds'])}`);
    const threads = intFlag(args, 'threads', 1, 1);
    const handle = await startWorker({
      url,
      concurrency: intFlag(args, 'concurrency', Math.max(1, Math.floor(availableParallelism() / threads)), 1),
      threads,
      workDir: stringFlag(args, 'work-dir', join(tmpdir(), 'rootfree-worker')),
      stalledSeconds: stalled,
      name: typeof args.flags.name === 'string' ? args.flags.name : undefined,
    });
    let signals = 0;
    const onSignal = (sig: NodeJS.Signals): void => {
      if (++signals > 1) process.exit(130);
      console.log(`${sig}: finishing the running runs, then stopping (again to stop now; they go back to the queue)`);
      void handle.stop();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    return handle.done;
  },
};
