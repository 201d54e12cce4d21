import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** Processes a test started, each the leader of its own process group (killed with its children). */
export interface Proc {
  child: ChildProcess;
  output: () => string;
  /** Resolves with the exit code (null when killed by a signal). */
  exited: Promise<number | null>;
}

const here = dirname(fileURLToPath(import.meta.url));
export const repoRoot = resolve(here, '../../../../..');
const cli = join(here, 'cli.ts');
const started: Proc[] = [];

export function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.on('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => ok(port));
    });
  });
}

function start(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): Proc {
  // detached: a process group of its own, so a kill takes the training processes a worker forked.
  const child = spawn(cmd, args, { cwd, env: { ...process.env, ...env }, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr!.on('data', (b: Buffer) => (out += b.toString()));
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  const p = { child, output: () => out, exited };
  started.push(p);
  return p;
}

/** A redis-server on 127.0.0.1:`port`, no persistence; resolves once it accepts connections. */
export async function startRedis(port: number): Promise<Proc> {
  if (spawnSync('redis-server', ['--version']).error) throw new Error('redis-server not found: apt-get install redis-server (.ci/run installs it)');
  const p = start('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], repoRoot);
  await waitFor(p, /Ready to accept connections/, 10_000);
  return p;
}

/** `rootfree <args>` from the sources (tsx, the repo's tsconfig so `rootfree` is the library's sources too). */
export function startCli(args: string[], cwd = repoRoot): Proc {
  // tsx's loader by URL: a worker started in another directory has no node_modules to find 'tsx' in.
  const tsx = pathToFileURL(join(repoRoot, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;
  return start(process.execPath, ['--import', tsx, cli, ...args], cwd, { TSX_TSCONFIG_PATH: join(repoRoot, 'tsconfig.json') });
}

/** `rootfree <args>` from the built CLI (packages/lab/dist, built by `npm ci`): other code than the sources. */
export function startBuiltCli(args: string[], cwd = repoRoot): Proc {
  return start(process.execPath, [join(repoRoot, 'packages', 'lab', 'bin', 'rootfree.js'), ...args], cwd);
}

export async function waitFor(p: Proc, pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray> {
  const t0 = Date.now();
  for (;;) {
    // Log lines wrap at 100 columns with a two-space indent (util/fitLines.ts): match them unwrapped.
    const m = p.output().replace(/\n {2}/g, ' ').match(pattern);
    if (m) return m;
    if (p.child.exitCode !== null || p.child.signalCode !== null) throw new Error(`process exited (${p.child.exitCode ?? p.child.signalCode}) before printing ${pattern}; output:\n${p.output()}`);
    if (Date.now() - t0 > timeoutMs) throw new Error(`no ${pattern} within ${timeoutMs / 1000} s; output:\n${p.output()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export function kill(p: Proc, signal: NodeJS.Signals = 'SIGKILL'): void {
  try {
    process.kill(-p.child.pid!, signal);
  } catch {
    // already gone
  }
}

/** Kills every process (group) this test file started. */
export function killAll(): void {
  for (const p of started) kill(p);
}

process.on('exit', killAll);
