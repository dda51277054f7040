import { Redis, type RedisOptions } from 'ioredis';

/**
 * The Redis connection. With REDIS_URL it is a real Redis; without it, an in-process
 * stand-in that speaks the same ioredis API, so every caller runs the same code in both.
 */
export interface RedisHandle {
  client: Redis;
  mode: 'redis' | 'in-process';
  /** True while the connection is usable. */
  isUp(): boolean;
  /** A PING that gives up after the command timeout. */
  ping(): Promise<boolean>;
  /**
   * Redis's `maxmemory-policy`: 'noeviction' is what this service expects; any other can drop
   * rate-limit counters under memory pressure. Undefined when Redis cannot say (down, or
   * CONFIG disabled, as some managed services do).
   */
  evictionPolicy(): Promise<string | undefined>;
  /** Called every time the connection becomes ready again (not on the first connect). */
  onReconnect(listener: () => void): void;
  close(): Promise<void>;
}

interface Log {
  warn(obj: object | string, msg?: string): void;
  info(msg: string): void;
}

export interface RedisSettings {
  url?: string;
  keyPrefix: string;
  commandTimeoutMs: number;
}

export async function connectRedis(settings: RedisSettings, log: Log): Promise<RedisHandle> {
  const reconnectListeners: Array<() => void> = [];
  if (!settings.url) {
    log.warn(
      'REDIS_URL is not set: using an in-process stand-in for Redis. Rate limits, revocations and ' +
        'events then live in this one process only: fine for local use, wrong for several replicas.',
    );
    // Loaded only here: the stand-in is for the quick start, and the Docker image leaves it out.
    const { default: RedisMock } = await import('ioredis-mock').catch((err: Error) => {
      const message = 'REDIS_URL is not set and the in-process stand-in (ioredis-mock) is not installed here (a production image?)';
      throw new Error(`${message}: set REDIS_URL`, { cause: err });
    });
    const client = new RedisMock({ keyPrefix: settings.keyPrefix }) as unknown as Redis;
    return {
      client,
      mode: 'in-process',
      isUp: () => true,
      ping: async () => true,
      evictionPolicy: async () => 'noeviction',
      onReconnect: (l) => reconnectListeners.push(l),
      close: async () => {
        client.disconnect();
      },
    };
  }

  const options: RedisOptions = {
    keyPrefix: settings.keyPrefix,
    // Redis must never hold a request up: fail fast while it is away, and retry in the background.
    commandTimeout: settings.commandTimeoutMs,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 2_000,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
    lazyConnect: true,
    // Commands issued in the same tick (a request's revocation check and cache generation,
    // a movement's invalidations and events) share one socket write.
    enableAutoPipelining: true,
  };
  const client = new Redis(settings.url, options);
  let everReady = false;
  let lastErrorLogged = 0;
  client.on('error', (err: Error) => {
    // ioredis reports every failed reconnect; one line every 10 s is enough.
    if (Date.now() - lastErrorLogged > 10_000) {
      lastErrorLogged = Date.now();
      log.warn({ err: err.message }, 'Redis unavailable; carrying on without it');
    }
  });
  client.on('ready', () => {
    if (everReady) {
      log.info('Redis connection restored');
      for (const l of reconnectListeners) l();
    }
    everReady = true;
  });
  await client.connect().catch((err: Error) => {
    log.warn({ err: err.message }, 'Redis is not reachable at start-up; carrying on without it until it is');
  });

  const handle: RedisHandle = {
    client,
    mode: 'redis',
    isUp: () => client.status === 'ready',
    ping: async () => {
      if (client.status !== 'ready') return false;
      return client.ping().then(
        (r) => r === 'PONG',
        () => false,
      );
    },
    evictionPolicy: async () => {
      if (client.status !== 'ready') return undefined;
      const reply = (await client.config('GET', 'maxmemory-policy').catch(() => [])) as string[];
      return reply[1];
    },
    onReconnect: (l) => reconnectListeners.push(l),
    close: async () => {
      await client.quit().catch(() => client.disconnect());
    },
  };
  const policy = await handle.evictionPolicy();
  if (policy !== undefined && policy !== 'noeviction') {
    log.warn(
      { maxmemoryPolicy: policy },
      'Redis may evict keys under memory pressure (maxmemory-policy is not noeviction): rate-limit counters can be lost, and /readyz reports degraded',
    );
  }
  return handle;
}
