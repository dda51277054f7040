import type { Redis } from 'ioredis';

/**
 * A Redis denylist of revoked sessions, so a logged-out access token stops working on
 * every replica at once. PostgreSQL stays the record: when Redis cannot answer, callers
 * ask PostgreSQL, and after Redis comes back the list is written again from it.
 */
export class RevocationCache {
  constructor(
    private readonly redis: Redis,
    /** How long an access token can live: after that the entry has nothing left to deny. */
    private readonly ttlSeconds: number,
  ) {}

  private key(sessionId: string): string {
    return `revoked-session:${sessionId}`;
  }

  /** Best effort; false when Redis did not take it. */
  async markRevoked(sessionIds: string[]): Promise<boolean> {
    // An empty pipeline answers [] without asking Redis.
    try {
      const pipeline = this.redis.pipeline();
      for (const id of sessionIds) pipeline.set(this.key(id), '1', 'EX', this.ttlSeconds);
      const results = await pipeline.exec();
      return (results ?? []).every(([err]) => !err);
    } catch {
      return false;
    }
  }

  /** True or false when Redis answered; undefined when it could not. */
  async isRevoked(sessionId: string): Promise<boolean | undefined> {
    return this.redis.exists(this.key(sessionId)).then(
      (n) => n === 1,
      () => undefined,
    );
  }
}
