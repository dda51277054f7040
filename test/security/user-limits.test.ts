import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RateLimitExceeded } from '../../src/cache/rate-limit.js';
import { UserLimits } from '../../src/cache/user-limits.js';
import { REDIS_URL } from '../support/env.js';
import { redisWritesDuring } from '../support/helpers.js';

/**
 * The Redis side of the per-user limits on its own (src/cache/user-limits.ts): a mutation that
 * names a recipient asks both questions in one round trip, and a refusal leaves the recipient
 * as it was. The API-level behaviour is in rate-limits.test.ts.
 */
let redis: Redis;
beforeAll(async () => {
  redis = new Redis(REDIS_URL, { keyPrefix: `test:user-limits:${randomUUID().slice(0, 8)}:`, enableAutoPipelining: true });
  await redis.ping();
});
afterAll(() => redis.disconnect());

const limits = (mutations: number, recipients: number) =>
  new UserLimits(redis, {
    mutations: { name: `m-${randomUUID().slice(0, 8)}`, points: mutations, windowSeconds: 60 },
    expensive: { name: `e-${randomUUID().slice(0, 8)}`, points: 10, windowSeconds: 60 },
    recipients: { name: `r-${randomUUID().slice(0, 8)}`, points: recipients, windowSeconds: 60 },
  });

const writesDuring = (work: () => Promise<unknown>) => redisWritesDuring(redis, work);

const refusedBy = (err: unknown) => (err instanceof RateLimitExceeded ? err.rule : String(err));

describe('UserLimits', () => {
  it('asks about the mutation and a recipient already named in one round trip; a new recipient costs one more', async () => {
    const l = limits(10, 10);
    const user = randomUUID();
    expect(await writesDuring(() => l.mutation(user, 'a@example.com'))).toBe(2);
    expect(await writesDuring(() => l.mutation(user, 'a@example.com'))).toBe(1);
    expect(await writesDuring(() => l.mutation(user))).toBe(1);
  });

  it('counts each recipient once per window, and refuses the one past the limit without remembering it', async () => {
    const l = limits(10, 2);
    const user = randomUUID();
    await l.mutation(user, 'a@example.com');
    await l.mutation(user, 'a@example.com');
    await l.mutation(user, 'b@example.com');
    const refused = await l.mutation(user, 'c@example.com').catch(refusedBy);
    expect(refused).toMatch(/^r-/);
    // Not remembered: naming it again is refused again, while the two named stay free.
    expect(await l.mutation(user, 'c@example.com').catch(refusedBy)).toBe(refused);
    await expect(l.recipient(user, 'b@example.com')).resolves.toBeUndefined();
    // Another user has a window of their own.
    await expect(l.mutation(randomUUID(), 'c@example.com')).resolves.toBeUndefined();
  });

  it('a mutation refused by its own limit leaves a new recipient unnamed and uncounted', async () => {
    const l = limits(1, 1);
    const user = randomUUID();
    await l.mutation(user);
    const refused = await l.mutation(user, 'new@example.com').catch(refusedBy);
    expect(refused).toMatch(/^m-/);
    // The recipient was neither remembered nor counted: looking it up now is its first naming,
    // which the recipient limit of 1 still allows, and only a second new one is refused.
    await expect(l.recipient(user, 'new@example.com')).resolves.toBeUndefined();
    expect(await l.recipient(user, 'other@example.com').catch(refusedBy)).toMatch(/^r-/);
  });

  it('a recipient already named is not forgotten when the mutation is refused', async () => {
    const l = limits(1, 1);
    const user = randomUUID();
    await l.mutation(user, 'known@example.com');
    expect(await l.mutation(user, 'known@example.com').catch(refusedBy)).toMatch(/^m-/);
    // Still remembered: naming it again costs nothing, so the limit of 1 is not spent by it.
    await expect(l.recipient(user, 'known@example.com')).resolves.toBeUndefined();
  });
});
