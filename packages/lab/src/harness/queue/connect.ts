import { Redis } from 'ioredis';
import { redisOptions, type QueueUrl } from './url.js';

/** How long a coordinator or worker waits for Redis at start before giving up. */
export const CONNECT_TIMEOUT_MS = 5000;

/**
 * Connects once, without retries, and sends PING: BullMQ's own connections retry forever, so an
 * unreachable or misconfigured Redis would otherwise look like a sweep that never starts.
 */
export async function checkRedis(q: QueueUrl, timeoutMs = CONNECT_TIMEOUT_MS): Promise<void> {
  const client = new Redis({
    ...redisOptions(q),
    lazyConnect: true,
    connectTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  // Without a listener ioredis reports the failed attempt as an unhandled 'error' event.
  let last: Error | undefined;
  client.on('error', (e: Error) => (last = e));
  let timer: NodeJS.Timeout | undefined;
  try {
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs / 1000} s`)), timeoutMs);
    });
    await Promise.race([client.connect().then(() => client.ping()), deadline]);
  } catch (e) {
    const why = ((last ?? (e as Error)).message || String(e)).replace(/\.+$/, '');
    const advice = /NOAUTH/.test(why)
      ? 'This Redis wants a password: give it in the URL (redis://user:password@host:port).'
      : /WRONGPASS|NOPERM/.test(why)
        ? "Check the user and password in the URL and the user's ACL (docs/HARNESS.md, multi-machine sweeps)."
        : `Is redis-server running and reachable from this machine (bind address, firewall${q.tls ? ', TLS port' : ''})?`;
    throw new Error(`--queue: cannot reach Redis at ${q.display}: ${why}. ${advice}`);
  } finally {
    clearTimeout(timer);
    client.disconnect();
  }
}
