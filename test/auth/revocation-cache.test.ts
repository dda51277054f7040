import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RevocationCache } from '../../src/cache/revocation.js';
import { REDIS_URL } from '../support/env.js';

/**
 * The Redis side of revocation on its own (src/cache/revocation.ts): what it writes, for how
 * long, and how it tells "not revoked" from "Redis could not answer" (the caller then asks
 * PostgreSQL).
 */
let redis: Redis;
let down: Redis;
beforeAll(() => {
  redis = new Redis(REDIS_URL, { keyPrefix: `test:revocation:${randomUUID().slice(0, 8)}:` });
  // Nothing listens on port 1: every command fails at once.
  down = new Redis({ port: 1, host: '127.0.0.1', lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 0, retryStrategy: () => null });
});
afterAll(() => {
  redis.disconnect();
  down.disconnect();
});

describe('RevocationCache', () => {
  it('marks sessions revoked for the given time, and knows the others are not', async () => {
    const cache = new RevocationCache(redis, 900);
    const [a, b, other] = [randomUUID(), randomUUID(), randomUUID()];
    expect(await cache.markRevoked([a, b])).toBe(true);
    expect(await cache.isRevoked(a)).toBe(true);
    expect(await cache.isRevoked(b)).toBe(true);
    expect(await cache.isRevoked(other)).toBe(false);
    for (const id of [a, b]) {
      const ttl = await redis.ttl(`revoked-session:${id}`);
      expect(ttl).toBeGreaterThan(890);
      expect(ttl).toBeLessThanOrEqual(900);
    }
  });

  it('takes an empty list as done without asking Redis', async () => {
    expect(await new RevocationCache(redis, 900).markRevoked([])).toBe(true);
    expect(await new RevocationCache(down, 900).markRevoked([])).toBe(true);
  });

  it('says false when Redis did not take the list, and undefined (not false) when it cannot answer', async () => {
    const cache = new RevocationCache(down, 900);
    expect(await cache.markRevoked([randomUUID()])).toBe(false);
    expect(await cache.isRevoked(randomUUID())).toBeUndefined();
  });
});
