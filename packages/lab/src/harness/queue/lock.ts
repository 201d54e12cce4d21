import { createHash, randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { Redis } from 'ioredis';
import { redisOptions, type QueueUrl } from './url.js';

/** A coordinator's lock expires this long after its last renewal (so after a kill -9). */
const TTL_MS = 6000;

// Extends the lock only if it is still ours (another coordinator may hold it after an expiry).
const RENEW = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end";
const RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end";

export interface CoordinatorLock {
  /** Set when the lock was lost (Redis unreachable for longer than the TTL): results must not be written. */
  lost(): string | null;
  release(): Promise<void>;
}

/**
 * One coordinator per output directory: two would both collect the same finished jobs, and the
 * second, finding a job gone, would queue it again — a duplicated trial. A killed coordinator's
 * lock expires after a few seconds; a restart waits for that.
 */
export async function lockOutput(q: QueueUrl, out: string, log: (s: string) => void, ttlMs = TTL_MS): Promise<CoordinatorLock> {
  const client = new Redis({ ...redisOptions(q), maxRetriesPerRequest: 1 });
  client.on('error', () => {});
  // Under bull:, the key prefix an ACL for the queue already grants.
  const key = `bull:rootfree-lock:${createHash('sha256').update(`${hostname()}:${resolve(out)}`).digest('hex').slice(0, 32)}`;
  const token = `${hostname()} pid ${process.pid} ${randomBytes(6).toString('hex')}`;
  const deadline = Date.now() + 3 * ttlMs;
  let said = false;
  while ((await client.set(key, token, 'PX', ttlMs, 'NX')) !== 'OK') {
    const holder = await client.get(key);
    if (Date.now() > deadline) {
      client.disconnect();
      throw new Error(`another coordinator (${holder}) is collecting results into ${out}; stop it first, or use another --out`);
    }
    if (!said) log(`queue: waiting for the lock on ${out} held by ${holder} (a coordinator that was killed releases it within ${ttlMs / 1000} s)`);
    said = true;
    await new Promise((r) => setTimeout(r, 500));
  }
  let lost: string | null = null;
  const timer = setInterval(() => {
    // A failed renewal is retried at the next tick; only finding the lock gone (or another's) is fatal.
    client.eval(RENEW, 1, key, token, ttlMs).then(
      (ok) => {
        if (ok !== 1) lost ??= `lost the coordinator lock on ${out} (Redis unreachable for more than ${ttlMs / 1000} s?); run the command again to resume`;
      },
      () => {},
    );
  }, ttlMs / 4);
  return {
    lost: () => lost,
    async release() {
      clearInterval(timer);
      await client.eval(RELEASE, 1, key, token).catch(() => {});
      client.disconnect();
    },
  };
}
