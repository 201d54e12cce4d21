import { spawn } from 'node:child_process';

/**
 * Runs a bench child and returns the last JSON line it printed, or why there was none (exit code
 * and the tail of stderr). A child past `timeoutMs` is killed.
 */
export function runJsonChild(cmd: string, args: string[], cwd: string, timeoutMs: number): Promise<{ json: Record<string, unknown> } | { error: string }> {
  return new Promise((resolve) => {
    const proc = spawn(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    proc.stdout.on('data', (d) => (out += d));
    proc.stderr.on('data', (d) => (err += d));
    const timer = setTimeout(() => proc.kill('SIGKILL'), timeoutMs);
    proc.on('close', (code) => {
      clearTimeout(timer);
      const line = out.trim().split('\n').filter((l) => l.startsWith('{')).pop();
      try {
        if (line) return resolve({ json: JSON.parse(line) as Record<string, unknown> });
      } catch {
        // fall through
      }
      resolve({ error: `exited with ${code}: ${err.trim().split('\n').slice(-3).join(' | ')}` });
    });
  });
}
