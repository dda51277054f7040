import type { ApolloServerPlugin } from '@apollo/server';
import responseCachePlugin from '@apollo/server-plugin-response-cache';
import type { Redis } from 'ioredis';

/** Apollo's KeyValueCache, over our ioredis client: every failure is a miss, never an error. */
export class RedisKeyValueCache {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  async get(key: string): Promise<string | undefined> {
    return (await this.redis.get(this.prefix + key).catch(() => null)) ?? undefined;
  }

  async set(key: string, value: string, options?: { ttl?: number | null }): Promise<void> {
    const ttl = options?.ttl;
    await (
      ttl ? this.redis.set(this.prefix + key, value, 'EX', Math.max(1, Math.ceil(ttl))) : this.redis.set(this.prefix + key, value)
    ).catch(() => undefined);
  }

  async delete(key: string): Promise<boolean> {
    return (await this.redis.del(this.prefix + key).catch(() => 0)) > 0;
  }
}

/**
 * Per-user cache generations: private responses are cached under the user's current
 * generation, and every change to that user's money or cards moves it on, which makes all
 * their cached responses unreachable at once (the plugin cannot evict single entries).
 */
export class CacheGenerations {
  /**
   * Users whose generation Redis did not take (it was away): their answers are neither read
   * from nor written to the cache until a later bump gets through, since Redis may still hold,
   * after a partition, what was cached before the change.
   */
  private readonly unsent = new Set<string>();

  constructor(private readonly redis: Redis) {}

  /** Null when the cache must not be used for this user now. */
  async current(userId: string): Promise<string | null> {
    if (this.unsent.has(userId)) return null;
    try {
      return (await this.redis.get(`cache-gen:${userId}`)) ?? '0';
    } catch {
      return null;
    }
  }

  /**
   * Moves the users' generations on. The commands are issued before this returns its promise
   * (no await before them), so with auto-pipelining they share a socket write with whatever
   * else the caller issues in the same tick, in order.
   */
  async bump(userIds: Iterable<string>): Promise<void> {
    const ids = new Set([...userIds, ...this.unsent]);
    if (ids.size === 0) return;
    const writes: Promise<unknown>[] = [];
    for (const id of ids) writes.push(this.redis.incr(`cache-gen:${id}`), this.redis.expire(`cache-gen:${id}`, 24 * 60 * 60));
    const failed = (await Promise.allSettled(writes)).some((r) => r.status === 'rejected');
    for (const id of ids) {
      if (failed) this.unsent.add(id);
      else this.unsent.delete(id);
    }
  }

  /** How many users wait for a bump Redis did not take (zero while Redis answers). */
  get pendingBumps(): number {
    return this.unsent.size;
  }

  /** Redis is back: deliver the bumps it missed. */
  resend(): Promise<void> {
    return this.bump([]);
  }
}

/** What the cache needs of a request's context: who asks, if anyone. */
export interface ViewerContext {
  viewer: { userId: string } | null;
}

/**
 * Apollo's response cache: public answers (currencies, banks) are shared by everyone;
 * a signed-in viewer's answers are private, kept per user and generation.
 */
export function responseCache<C extends ViewerContext>(
  generations: CacheGenerations,
  /** Told of each look-up (a query the cache was asked to answer): hit or miss (GET /metrics). */
  observe?: (hit: boolean) => void,
): ApolloServerPlugin<C> {
  // One look-up per request, shared by the three hooks below.
  const seen = new WeakMap<C, Promise<string | null>>();
  const generationOf = (ctx: C): Promise<string | null> => {
    let g = seen.get(ctx);
    if (!g) {
      g = ctx.viewer ? generations.current(ctx.viewer.userId) : Promise.resolve('public');
      seen.set(ctx, g);
    }
    return g;
  };
  // Without a way to tell generations (Redis away), private answers are neither read nor kept.
  const usable = async ({ contextValue }: { contextValue: C }) => (await generationOf(contextValue)) !== null;
  // Requests whose answer the plugin went to look up (it asks shouldReadFromCache just before).
  const lookedUp = new WeakSet<object>();
  const plugin = responseCachePlugin<C>({
    sessionId: async ({ contextValue }) => {
      if (!contextValue.viewer) return null;
      const generation = await generationOf(contextValue);
      return generation === null ? null : `${contextValue.viewer.userId}:${generation}`;
    },
    shouldReadFromCache: async (requestContext) => {
      const read = await usable(requestContext);
      if (read && observe) lookedUp.add(requestContext);
      return read;
    },
    shouldWriteToCache: usable,
  });
  if (!observe) return plugin;
  return {
    ...plugin,
    async requestDidStart(requestContext) {
      const listener = await plugin.requestDidStart!(requestContext);
      const answer = listener?.responseForOperation;
      if (!listener || !answer) return listener;
      return {
        ...listener,
        async responseForOperation(rc) {
          const response = await answer.call(listener, rc);
          if (lookedUp.has(rc)) observe(response !== null);
          return response;
        },
      };
    },
  };
}

/** Everything a signed-in viewer asks is private to them, whatever its fields' hints say. */
export function privateForViewers<C extends ViewerContext>(): ApolloServerPlugin<C> {
  return {
    async requestDidStart() {
      return {
        async executionDidStart({ contextValue, overallCachePolicy }) {
          if (contextValue.viewer) overallCachePolicy.restrict({ scope: 'PRIVATE' });
        },
      };
    },
  };
}
