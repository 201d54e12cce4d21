import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { useBackend } from 'rootfree';
import '../../tfjsSetup.js';
import { executeJob } from '../compare/execute.js';
import { getTask } from '../tasks.js';
import { codeIdentity, dataIdentity, incompatibility } from './identity.js';
import { RUN_FILES, type JobData } from './protocol.js';

/** A request from the worker process: run `data.run` in `outDir`. */
export interface ChildRequest {
  data: JobData;
  outDir: string;
  /** wasm threads of this process (the first run decides: a process has one wasm build). */
  threads: number;
}

export type ChildReply = { ready: true } | { ok: true; files: Record<string, string> } | { refused: string } | { error: string };

/**
 * Child process of `rootfree worker`: trains one run at a time. Training blocks the event loop
 * for a whole epoch, so it runs here rather than in the worker process, which must keep renewing
 * its job locks with Redis. It checks the code and data identity first (it loads the data anyway).
 */
let backend: Promise<unknown> | null = null;
const send = (m: ChildReply): void => void process.send!(m);

process.on('message', async ({ data, outDir, threads }: ChildRequest) => {
  try {
    const run = data.run;
    let mine;
    try {
      mine = { code: codeIdentity(), data: dataIdentity(getTask(run.task).dataset, run.dataSource) };
    } catch (e) {
      // No such data (or task) here: a machine set up differently, like a mismatch.
      return send({ refused: `cannot load the data or task here: ${(e as Error).message}` });
    }
    const why = incompatibility(data.identity, mine);
    if (why) return send({ refused: why });
    backend ??= useBackend(run.backend, run.backend === 'wasm' ? { threads } : {});
    await backend;
    await executeJob({ ...run, outDir }, 'lines', data.keyed);
    const files: Record<string, string> = {};
    for (const f of RUN_FILES) {
      const p = join(outDir, f);
      if (existsSync(p)) files[f] = gzipSync(readFileSync(p)).toString('base64');
    }
    send({ ok: true, files });
  } catch (e) {
    send({ error: (e as Error).stack ?? String(e) });
  }
});
// The worker process is gone (killed): nothing will collect this run.
process.on('disconnect', () => process.exit(1));
send({ ready: true });
