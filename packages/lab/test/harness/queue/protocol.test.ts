import { describe, expect, it } from 'vitest';
import { incompatibility } from '../../../src/harness/queue/identity.js';
import { jobId, type RunSpec } from '../../../src/harness/queue/protocol.js';
import { parseQueueUrl, redactUrl, redisOptions } from '../../../src/harness/queue/url.js';

describe('--queue URL', () => {
  it('parses host, port, database, credentials and TLS; the display form hides the password', () => {
    expect(parseQueueUrl('redis://10.0.0.5:6380/3')).toEqual({ host: '10.0.0.5', port: 6380, db: 3, tls: false, display: 'redis://10.0.0.5:6380/3' });
    expect(parseQueueUrl('redis://queue.lab')).toEqual({ host: 'queue.lab', port: 6379, db: 0, tls: false, display: 'redis://queue.lab' });
    const q = parseQueueUrl('rediss://sweeper:p%40ss%2Fw@queue.lab:6390/1');
    expect(q).toEqual({ host: 'queue.lab', port: 6390, db: 1, username: 'sweeper', password: 'p@ss/w', tls: true, display: 'rediss://sweeper:***@queue.lab:6390/1' });
    expect(redisOptions(q)).toEqual({ host: 'queue.lab', port: 6390, db: 1, username: 'sweeper', password: 'p@ss/w', tls: { servername: 'queue.lab' } });
    expect(redisOptions(parseQueueUrl('rediss://10.0.0.5:6380')).tls).toEqual({});
    expect(parseQueueUrl('redis://:only-password@[::1]:7000').host).toBe('::1');
    expect(parseQueueUrl('redis://:only-password@[::1]:7000').password).toBe('only-password');
    expect(redactUrl('localhost:6379')).toBe('localhost:6379');
    expect(redactUrl('user:secret@host:6379')).toBe('user:***@host:6379');
    expect(redactUrl('redis//x:secret@host')).toBe('redis//x:***@host');
    expect(redactUrl('http://x:secret@host')).toBe('http://x:***@host');
    expect(redactUrl('redis://x:secret@host:1')).toBe('redis://x:***@host:1');
  });

  it('rejects other schemes, bad databases, queries and non-URLs, naming the value without its password', () => {
    expect(() => parseQueueUrl('localhost:6379')).toThrow("--queue: expected redis://[user:password@]host:port[/db] or rediss://… (TLS), got 'localhost:6379' (scheme 'localhost')");
    expect(() => parseQueueUrl('127.0.0.1')).toThrow("got '127.0.0.1'");
    expect(() => parseQueueUrl('ann:hunter2@127.0.0.1:6379')).toThrow("got 'ann:***@127.0.0.1:6379'");
    expect(() => parseQueueUrl('redis://u:hunter2@h/-1')).toThrow("--queue: database '-1' in 'redis://u:***@h/-1' must be an integer >= 0");
    expect(() => parseQueueUrl('redis://h/1/2')).toThrow("database '1/2'");
    expect(() => parseQueueUrl('redis://h:6379?db=2')).toThrow("--queue: 'redis://h:6379?db=2' has a query or fragment");
    expect(() => parseQueueUrl('redis://u:hunter2@h:99999')).toThrow(/got 'redis:\/\/u:\*\*\*@h:99999'/);
  });
});

describe('job identity', () => {
  const run: RunSpec = {
    task: 'mnist-mlp',
    budget: { epochs: 2, batchSize: 128 },
    budgetName: 'custom',
    optimizer: 'sgd',
    hp: { lr: 0.05, momentum: 0.9, weightDecay: 5e-4 },
    seed: 1,
    precision: 'float32',
    backend: 'wasm',
    resume: true,
    label: 'trial 1.0',
  };
  const id = { code: 'rootfree-lab@0.2.0 src 0123456789abcdef (tfjs-core@4.22.0)', data: 'fedcba9876543210' };

  it('is the configuration, the destination and the identity; not the label', () => {
    const a = jobId(run, 'host:/runs/a', id);
    expect(a).toMatch(/^[0-9a-f]{32}$/);
    expect(jobId({ ...run, label: 'renamed' }, 'host:/runs/a', id)).toBe(a);
    expect(jobId({ ...run, hp: { ...run.hp, lr: 0.05000000000000001 } }, 'host:/runs/a', id)).not.toBe(a);
    expect(jobId({ ...run, seed: 2 }, 'host:/runs/a', id)).not.toBe(a);
    expect(jobId(run, 'host:/runs/b', id)).not.toBe(a);
    expect(jobId(run, 'host:/runs/a', { ...id, data: '0000000000000000' })).not.toBe(a);
  });

  it('a worker refuses a job for other code or data, saying which and both values', () => {
    expect(incompatibility(id, { ...id })).toBeNull();
    expect(incompatibility(id, { ...id, data: 'aaaaaaaaaaaaaaaa' })).toBe('data hash differs: coordinator fedcba9876543210, this worker aaaaaaaaaaaaaaaa');
    const other = { code: 'rootfree-lab@0.2.1 dist 1111111111111111 (tfjs-core@4.22.0)', data: 'aaaaaaaaaaaaaaaa' };
    expect(incompatibility(id, other)).toBe(`code differs: coordinator ${id.code}, this worker ${other.code}; data hash differs: coordinator fedcba9876543210, this worker aaaaaaaaaaaaaaaa`);
  });
});
