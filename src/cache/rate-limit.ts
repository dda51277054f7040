import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';

export interface LimitRule {
  /** Part of the Redis key: one counter space per rule. */
  name: string;
  points: number;
  windowSeconds: number;
}

export class RateLimitExceeded extends Error {
  constructor(
    readonly rule: string,
    readonly retryAfterSeconds: number,
  ) {
    super(`Rate limit ${rule} exceeded`);
  }
}

/**
 * A fixed-window counter kept in Redis so every replica shares it. While Redis is away
 * each process falls back to its own in-memory counter: limits loosen to per-process but
 * never switch off.
 */
export class RateLimit {
  private readonly limiter: RateLimiterRedis;

  constructor(
    redis: Redis,
    readonly rule: LimitRule,
  ) {
    this.limiter = new RateLimiterRedis({
      storeClient: redis,
      keyPrefix: `rl:${rule.name}`,
      points: rule.points,
      duration: rule.windowSeconds,
      insuranceLimiter: new RateLimiterMemory({ points: rule.points, duration: rule.windowSeconds }),
    });
  }

  /** Counts one attempt against `key`; throws RateLimitExceeded past the limit. */
  async consume(key: string): Promise<void> {
    try {
      await this.limiter.consume(key, 1);
    } catch (res) {
      if (res instanceof RateLimiterRes) {
        throw new RateLimitExceeded(this.rule.name, Math.max(1, Math.ceil(res.msBeforeNext / 1000)));
      }
      throw res;
    }
  }

  /** Gives back one attempt (a successful sign-in does not count as a failure). */
  async refund(key: string): Promise<void> {
    await this.limiter.reward(key, 1).catch(() => undefined);
  }
}
