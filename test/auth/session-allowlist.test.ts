import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SessionAllowlist } from '../../src/cache/session-allowlist.js';
import { REDIS_URL } from '../support/env.js';

/**
 * The Redis side of session checks on its own (src/cache/session-allowlist.ts): what it
 * writes, for how long, and how it tells "not listed" from "Redis could not answer".
 */
let redis: Redis;
let down: Redis;
beforeAll(() => {
  redis = new Redis(REDIS_URL, { keyPrefix: `test:allowlist:${randomUUID().slice(0, 8)}:` });
  // Nothing listens on port 1: every command fails at once.
  down = new Redis({ port: 1, host: '127.0.0.1', lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 0, retryStrategy: () => null });
});
afterAll(() => {
  redis.disconnect();
  down.disconnect();
});

describe('SessionAllowlist', () => {
  it('lists sessions for the given time, and removes them', async () => {
    const list = new SessionAllowlist(redis, 960);
    const [a, b, other] = [randomUUID(), randomUUID(), randomUUID()];
    expect(await list.add([a, b])).toBe(true);
    expect(await list.lookUp(a)).toBe('listed');
    expect(await list.lookUp(b)).toBe('listed');
    expect(await list.lookUp(other)).toBe('absent');
    for (const id of [a, b]) {
      const ttl = await redis.ttl(`live-session:${id}`);
      expect(ttl).toBeGreaterThan(950);
      expect(ttl).toBeLessThanOrEqual(960);
    }
    expect(await list.remove([a])).toBe(true);
    expect(await list.lookUp(a)).toBe('absent');
    expect(await list.lookUp(b)).toBe('listed');
  });

  it('takes an empty list as done without asking Redis', async () => {
    for (const client of [redis, down]) {
      expect(await new SessionAllowlist(client, 960).add([])).toBe(true);
      expect(await new SessionAllowlist(client, 960).remove([])).toBe(true);
    }
  });

  it('says false when Redis did not take a change, and unknown (not absent) when it cannot answer', async () => {
    const list = new SessionAllowlist(down, 960);
    expect(await list.add([randomUUID()])).toBe(false);
    expect(await list.remove([randomUUID()])).toBe(false);
    expect(await list.lookUp(randomUUID())).toBe('unknown');
  });
});
