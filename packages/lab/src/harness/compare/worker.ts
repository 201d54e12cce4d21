import { useBackend } from 'rootfree';
import '../../tfjsSetup.js';
import { executeJob } from './execute.js';
import { noteBackendThreads } from '../provenance/meta.js';
import type { RunJob } from './jobs.js';
import type { ProgressSink } from '../train/progress.js';
import type { RunKeyConfig } from '../runKey.js';

/**
 * Child-process worker for `compare --jobs N`: one tfjs backend per process (wasm with the
 * `--threads` the parent chose; the first job decides, as a process has one wasm build), jobs
 * arrive over IPC one at a time, results go back the same way. When the
 * parent draws on a terminal (`tty`), progress goes to it over IPC (it keeps one line per job);
 * otherwise the worker prints plain lines itself.
 */
let ready: Promise<unknown> | null = null;
const sink: ProgressSink = {
  bar: (text) => process.send!({ progress: text }),
  line: (text) => process.send!({ line: text }),
};
process.on('message', async (msg: { job: RunJob; keyed: { key: string; config: RunKeyConfig }; threads?: number; tty?: boolean; progress?: boolean }) => {
  try {
    ready ??= useBackend(msg.job.backend, msg.job.backend === 'wasm' ? { threads: msg.threads ?? 1 } : {}).then(() => noteBackendThreads(msg.threads ?? 1));
    await ready;
    const result = await executeJob(msg.job, msg.progress === false ? false : msg.tty ? sink : 'lines', msg.keyed);
    process.send!({ ok: true, result });
  } catch (e) {
    process.send!({ ok: false, error: (e as Error).stack ?? String(e) });
  }
});
// The parent is gone (killed, crashed): stop instead of training on unseen. The event is handled
// at the next await, i.e. after the current epoch's checkpoint, so the run resumes from there.
process.on('disconnect', () => process.exit(1));
process.send!({ ready: true });
