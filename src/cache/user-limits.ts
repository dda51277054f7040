import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { RateLimit, type LimitRule } from './rate-limit.js';

export interface UserLimitRules {
  /** Every mutation a signed-in user makes. */
  mutations: LimitRule;
  /** Queries that cost a provider call (`resolveBankAccount`), per user or else per address. */
  expensive: LimitRule;
  /** Distinct recipients a user names (by email) in a window: look-ups that say who is registered. */
  recipients: LimitRule;
}

/**
 * Per-user rate limits, shared by every replica through Redis (per process while it is away,
 * as every RateLimit). Each throws RateLimitExceeded past its limit.
 */
export class UserLimits {
  private readonly mutations: RateLimit;
  private readonly expensiveQueries: RateLimit;
  private readonly recipients: RateLimit;

  constructor(
    private readonly redis: Redis,
    private readonly rules: UserLimitRules,
  ) {
    this.mutations = new RateLimit(redis, rules.mutations);
    this.expensiveQueries = new RateLimit(redis, rules.expensive);
    this.recipients = new RateLimit(redis, rules.recipients);
  }

  /**
   * Counts a mutation and, when it names a recipient (a transfer), that recipient as
   * `recipient` does. Both questions go to Redis in one round trip (issued in the same tick,
   * ioredis pipelines them); only a recipient not named within the window costs a second.
   * A mutation refused by its own limit leaves the recipient as it found it.
   */
  async mutation(userId: string, recipient?: string): Promise<void> {
    if (recipient === undefined) return this.mutations.consume(userId);
    const seen = this.seenKey(userId, recipient);
    const [refusal, fresh] = await Promise.all([
      this.mutations.consume(userId).then(
        () => undefined,
        (err: unknown) => ({ err }),
      ),
      this.markSeen(seen),
    ]);
    if (refusal) {
      if (fresh) await this.forget(seen);
      throw refusal.err;
    }
    if (fresh) await this.countRecipient(userId, seen);
  }

  expensive(key: string): Promise<void> {
    return this.expensiveQueries.consume(key);
  }

  /**
   * Counts a recipient the user has not named within the window; naming the same one again
   * (a second transfer, a retry) is free. When Redis cannot say, it counts.
   */
  async recipient(userId: string, recipient: string): Promise<void> {
    const seen = this.seenKey(userId, recipient);
    if (await this.markSeen(seen)) await this.countRecipient(userId, seen);
  }

  private seenKey(userId: string, recipient: string): string {
    return `recipient-seen:${userId}:${createHash('sha256').update(recipient).digest('hex').slice(0, 32)}`;
  }

  /** True when the recipient was not named within the window (or Redis cannot say). */
  private markSeen(seen: string): Promise<boolean> {
    return this.redis.set(seen, '1', 'EX', this.rules.recipients.windowSeconds, 'NX').then(
      (ok) => ok === 'OK',
      () => true,
    );
  }

  private async countRecipient(userId: string, seen: string): Promise<void> {
    try {
      await this.recipients.consume(userId);
    } catch (err) {
      // Refused: it was not looked up, so it must count next time it is named.
      await this.forget(seen);
      throw err;
    }
  }

  private async forget(seen: string): Promise<void> {
    await this.redis.del(seen).catch(() => undefined);
  }
}
