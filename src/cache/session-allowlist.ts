import type { Redis } from 'ioredis';

/**
 * The sessions known to be live, kept in Redis so every replica can answer "is this access
 * token's session still live?" without PostgreSQL. Only presence counts: a missing entry
 * (never written, evicted, lost in a restart, or Redis not answering) sends the caller to
 * PostgreSQL, so losing Redis data can only cost a query, never revive a session.
 */
export class SessionAllowlist {
  constructor(
    private readonly redis: Redis,
    /** How long an access token can live, plus a margin: the entry need not outlive it. */
    private readonly ttlSeconds: number,
  ) {}

  private key(sessionId: string): string {
    return `live-session:${sessionId}`;
  }

  /** Lists sessions as live. Best effort: false when Redis did not take it. */
  add(sessionIds: string[]): Promise<boolean> {
    return this.apply(sessionIds, (pipeline, key) => pipeline.set(key, '1', 'EX', this.ttlSeconds));
  }

  /** Takes sessions off the list. False when Redis did not take it (the caller remembers). */
  remove(sessionIds: string[]): Promise<boolean> {
    return this.apply(sessionIds, (pipeline, key) => pipeline.del(key));
  }

  /** 'listed', 'absent', or 'unknown' when Redis could not answer. */
  async lookUp(sessionId: string): Promise<'listed' | 'absent' | 'unknown'> {
    return this.redis.exists(this.key(sessionId)).then(
      (n) => (n === 1 ? 'listed' : 'absent'),
      () => 'unknown',
    );
  }

  private async apply(sessionIds: string[], command: (pipeline: ReturnType<Redis['pipeline']>, key: string) => unknown): Promise<boolean> {
    if (sessionIds.length === 0) return true;
    const pipeline = this.redis.pipeline();
    for (const id of sessionIds) command(pipeline, this.key(id));
    // Each command answers for itself (an error when Redis is away or refuses it).
    const results = await pipeline.exec().catch(() => null);
    return results !== null && results.every(([err]) => !err);
  }
}
