import { PubSub, type PubSubEngine } from 'graphql-subscriptions';
import { RedisPubSub } from 'graphql-redis-subscriptions';
import { Redis } from 'ioredis';

interface Log {
  warn(obj: object, msg: string): void;
}

/**
 * Pub/sub between replicas (Redis, through graphql-redis-subscriptions), or inside this one
 * process without REDIS_URL. Channels are per user, so a subscriber only ever hears its own
 * user's events. Delivery is at most once: a publish Redis cannot take is dropped (clients
 * notice the version gap and query). Events travel as plain JSON objects, never entities or
 * bigints; `P` maps each topic to what it carries, and which topics there are is the domain's to
 * say (`src/domain/events/topics.ts`).
 */
export class EventBus<P extends object> {
  private constructor(
    private readonly engine: PubSubEngine & { asyncIterableIterator<T>(t: string | string[]): AsyncIterableIterator<T> },
    private readonly prefix: string,
    private readonly log: Log,
    private readonly clients: Redis[],
    /** The connection events leave on, when it is one the caller also writes to (see `create`). */
    readonly publisher?: Redis,
  ) {}

  /**
   * With `publisher`, events are published on that connection (the app's own, which must
   * auto-pipeline and have no offline queue), and the bus does not close it: what the caller
   * writes to it before publishing in the same tick reaches Redis first and in the same socket
   * write, so Redis has applied it before any subscriber hears the event (ChangeEvents relies
   * on this: one round trip after a commit). Channels carry their own prefix, never ioredis's
   * `keyPrefix`, which does not apply to PUBLISH.
   */
  static create<P extends object>(settings: { url?: string; keyPrefix: string }, log: Log, shared?: Redis): EventBus<P> {
    if (!settings.url) return new EventBus<P>(new PubSub() as never, settings.keyPrefix, log, []);
    const options = { enableOfflineQueue: false, maxRetriesPerRequest: 1, retryStrategy: (n: number) => Math.min(n * 200, 2_000) };
    // A movement's events (one per party and kind) leave in one socket write.
    const publisher = shared ?? new Redis(settings.url, { ...options, enableAutoPipelining: true });
    // The subscriber re-subscribes by itself when Redis comes back (ioredis autoResubscribe).
    // Its SUBSCRIBE/UNSUBSCRIBE commands wait for Redis instead of failing: graphql-redis-subscriptions
    // leaves some of those promises unobserved (unsubscribe, and a failed first subscribe to a
    // channel), and a rejected one is an unhandled rejection that ends the process.
    const subscriber = new Redis(settings.url, { ...options, enableOfflineQueue: true, maxRetriesPerRequest: null });
    // Those same promises also reject when the bus closes while Redis is away: mark them
    // handled (callers that await them still see the error).
    for (const method of ['subscribe', 'unsubscribe', 'psubscribe', 'punsubscribe'] as const) {
      const original = subscriber[method].bind(subscriber) as (...args: unknown[]) => Promise<unknown>;
      (subscriber as unknown as Record<string, unknown>)[method] = (...args: unknown[]) => {
        const result = original(...args);
        result.catch(() => undefined);
        return result;
      };
    }
    const own = shared ? [subscriber] : [publisher, subscriber];
    for (const client of own) client.on('error', () => undefined);
    return new EventBus<P>(new RedisPubSub({ publisher, subscriber }) as never, settings.keyPrefix, log, own, shared);
  }

  private channel(topic: string, key: string): string {
    return `${this.prefix}events:${topic}:${key}`;
  }

  async publish<T extends keyof P & string>(topic: T, key: string, payload: P[T]): Promise<void> {
    try {
      await this.engine.publish(this.channel(topic, key), payload);
    } catch (err) {
      this.log.warn({ err: (err as Error).message, topic }, 'event not published (Redis unavailable)');
    }
  }

  subscribe<T extends keyof P & string>(topic: T, key: string): AsyncIterableIterator<P[T]> {
    return this.engine.asyncIterableIterator<P[T]>(this.channel(topic, key));
  }

  async close(): Promise<void> {
    // QUIT waits for a connection that may never come back: only a ready client gets one.
    await Promise.all(
      this.clients.map((c) => (c.status === 'ready' ? c.quit().catch(() => c.disconnect()) : Promise.resolve(c.disconnect()))),
    );
  }
}

/** Only the events `keep` accepts; closing the result closes the source. */
export function filterEvents<T>(source: AsyncIterableIterator<T>, keep: (event: T) => boolean): AsyncIterableIterator<T> {
  return {
    async next() {
      for (;;) {
        const item = await source.next();
        if (item.done || keep(item.value)) return item;
      }
    },
    return: (value?: unknown) => source.return?.(value) ?? Promise.resolve({ done: true, value: undefined }),
    throw: (err?: unknown) => source.throw?.(err) ?? Promise.reject(err),
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}
