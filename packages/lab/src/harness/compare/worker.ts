import { useBackend } from 'rootfree';
import '../../tfjsSetup.js';
import { executeJob } from './execute.js';
import type { RunJob } from './jobs.js';

/**
 * Child-process worker for `compare --jobs N`: one tfjs backend per process (wasm with the
 * `--threads` the parent chose; the first job decides, as a process has one wasm build), jobs
 * arrive over IPC one at a time, results go back the same way.
 */
let ready: Promise<unknown> | null = null;
process.on('message', async (msg: { job: RunJob; threads?: number }) => {
  try {
    ready ??= useBackend(msg.job.backend, msg.job.backend === 'wasm' ? { threads: msg.threads ?? 1 } : {});
    await ready;
    const result = await executeJob(msg.job, 'lines');
    process.send!({ ok: true, result });
  } catch (e) {
    process.send!({ ok: false, error: (e as Error).stack ?? String(e) });
  }
});
process.send!({ ready: true });
