import type { Redis } from 'ioredis';

/** Apollo's KeyValueCache as the persisted-query store uses it. */
interface DocumentStore {
  get(key: string): Promise<string | undefined>;
  set(key: string, value: string): Promise<void>;
  delete(key: string): Promise<boolean>;
}

/**
 * Adds one document unless it is there, first dropping the oldest until the store fits its
 * byte budget. KEYS: the documents (a hash), their order (a sorted set), the bytes held.
 * ARGV: hash, document, now, budget. Answers 1 stored, 0 already there, -1 larger than the budget.
 */
const STORE = `
local docs, order, total = KEYS[1], KEYS[2], KEYS[3]
local hash, query, now, budget = ARGV[1], ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4])
if redis.call('HEXISTS', docs, hash) == 1 then return 0 end
local size = string.len(query) + string.len(hash)
if size > budget then return -1 end
local used = tonumber(redis.call('GET', total) or '0') + size
while used > budget do
  local oldest = redis.call('ZPOPMIN', order)
  if #oldest == 0 then used = size break end
  local gone = redis.call('HGET', docs, oldest[1])
  if gone then
    used = used - string.len(gone) - string.len(oldest[1])
    redis.call('HDEL', docs, oldest[1])
  end
end
redis.call('HSET', docs, hash, query)
redis.call('ZADD', order, now, hash)
redis.call('SET', total, used)
return 1
`;

type StoringRedis = Redis & {
  apqStore(docs: string, order: string, total: string, hash: string, query: string, now: number, budget: number): Promise<number>;
};

/**
 * Automatic persisted queries with a byte budget: whoever registers documents, the store never
 * holds more than `budgetBytes` (document and hash bytes; the oldest leave first). A client whose
 * document left re-sends it when told PERSISTED_QUERY_NOT_FOUND, as APQ clients do. In Redis,
 * shared by replicas; the time-to-live Apollo asks for is not used (the budget bounds the store).
 */
export class RedisPersistedQueries implements DocumentStore {
  private readonly redis: StoringRedis;

  constructor(
    redis: Redis,
    private readonly budgetBytes: number,
  ) {
    if (!('apqStore' in redis)) redis.defineCommand('apqStore', { numberOfKeys: 3, lua: STORE });
    this.redis = redis as StoringRedis;
  }

  /** Every failure is a miss (the client then sends the document), never an error. */
  async get(key: string): Promise<string | undefined> {
    return (await this.redis.hget('apq:docs', key).catch(() => null)) ?? undefined;
  }

  async set(key: string, value: string): Promise<void> {
    await this.redis.apqStore('apq:docs', 'apq:order', 'apq:bytes', key, value, Date.now(), this.budgetBytes).catch(() => undefined);
  }

  /** Documents leave by the budget only (Apollo never removes one). */
  async delete(): Promise<boolean> {
    return false;
  }
}

/** The same budget in this process's memory (no REDIS_URL). */
export class MemoryPersistedQueries implements DocumentStore {
  private readonly docs = new Map<string, string>();
  private used = 0;

  constructor(private readonly budgetBytes: number) {}

  async get(key: string): Promise<string | undefined> {
    return this.docs.get(key);
  }

  async set(key: string, value: string): Promise<void> {
    const size = Buffer.byteLength(value) + Buffer.byteLength(key);
    if (this.docs.has(key) || size > this.budgetBytes) return;
    for (const [oldKey, oldValue] of this.docs) {
      if (this.used + size <= this.budgetBytes) break;
      this.docs.delete(oldKey);
      this.used -= Buffer.byteLength(oldValue) + Buffer.byteLength(oldKey);
    }
    this.docs.set(key, value);
    this.used += size;
  }

  async delete(key: string): Promise<boolean> {
    const value = this.docs.get(key);
    if (value === undefined) return false;
    this.docs.delete(key);
    this.used -= Buffer.byteLength(value) + Buffer.byteLength(key);
    return true;
  }
}
