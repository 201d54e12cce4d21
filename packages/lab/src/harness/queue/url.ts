import { isIP } from 'node:net';

/** Where the queue lives, parsed from `--queue redis://[user:password@]host:port[/db]` (or `rediss://` for TLS). */
export interface QueueUrl {
  host: string;
  port: number;
  db: number;
  username?: string;
  password?: string;
  tls: boolean;
  /** The URL with the password replaced by `***`, for messages and result files. */
  display: string;
}

const USAGE = 'expected redis://[user:password@]host:port[/db] or rediss://… (TLS)';

/** Parses and validates a `--queue` URL; errors name the flag, the value (password hidden) and the expected form. */
export function parseQueueUrl(text: string): QueueUrl {
  let u: URL;
  try {
    u = new URL(text);
  } catch {
    throw new Error(`--queue: ${USAGE}, got '${redactUrl(text)}'`);
  }
  const shown = redactUrl(text);
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') throw new Error(`--queue: ${USAGE}, got '${shown}' (scheme '${u.protocol.slice(0, -1)}')`);
  if (!u.hostname) throw new Error(`--queue: ${USAGE}, got '${shown}' (no host)`);
  const port = u.port === '' ? 6379 : Number(u.port);
  const path = u.pathname.replace(/^\//, '');
  const db = path === '' ? 0 : Number(path);
  if (!Number.isInteger(db) || db < 0 || !/^\d*$/.test(path)) throw new Error(`--queue: database '${path}' in '${shown}' must be an integer >= 0`);
  if (u.search || u.hash) throw new Error(`--queue: '${shown}' has a query or fragment; ${USAGE}`);
  return {
    host: u.hostname.replace(/^\[(.*)\]$/, '$1'),
    port,
    db,
    ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
    tls: u.protocol === 'rediss:',
    display: shown,
  };
}

/** The URL without its password; in text that is no redis URL, whatever looks like `user:password@`. */
export function redactUrl(text: string): string {
  try {
    const u = new URL(text);
    if (u.protocol === 'redis:' || u.protocol === 'rediss:') {
      if (u.password) u.password = '***';
      return u.toString().replace(/\/$/, '');
    }
  } catch {
    // not a URL: the pattern below
  }
  return text.replace(/(^|\/\/|\s)([^:@/\s]*):[^@/\s]*@/g, '$1$2:***@');
}

/** Connection options (ioredis's, which BullMQ passes on) for a parsed URL. */
export interface RedisConnection {
  host: string;
  port: number;
  db: number;
  username?: string;
  password?: string;
  tls?: { servername?: string };
}

export function redisOptions(q: QueueUrl): RedisConnection {
  return {
    host: q.host,
    port: q.port,
    db: q.db,
    ...(q.username !== undefined ? { username: q.username } : {}),
    ...(q.password !== undefined ? { password: q.password } : {}),
    // TLS checks the certificate against the host name (SNI takes names only; an IP is checked without it).
    ...(q.tls ? { tls: isIP(q.host) ? {} : { servername: q.host } } : {}),
  };
}
