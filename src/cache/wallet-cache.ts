import type { Redis } from 'ioredis';

/**
 * Cache-aside for what wallet screens read most: the account behind a balance and the
 * first page of a wallet's history. Only reads use it; money decisions always read
 * PostgreSQL. Every Redis failure counts as a miss.
 *
 * Balances are stored as "version|json" and written by a script that refuses anything
 * older than what is there; after a commit a tombstone "version|" takes the entry's place,
 * so a reader that loaded the row before the commit cannot put the old balance back.
 * History pages are keyed by a per-wallet generation that every change bumps.
 */
const WRITE_IF_NEWER = `
local cur = redis.call('GET', KEYS[1])
local newv = tonumber(ARGV[1])
if cur then
  local sep = string.find(cur, '|', 1, true)
  local v = tonumber(string.sub(cur, 1, sep - 1))
  local tomb = sep == string.len(cur)
  if v > newv then return 0 end
  if ARGV[2] ~= '' and v == newv and not tomb then return 0 end
end
redis.call('SET', KEYS[1], ARGV[1] .. '|' .. ARGV[2], 'EX', ARGV[3])
return 1`;

/** What the cache keeps of an account: the domain says how it reads and writes as JSON. */
export interface CachedAccount {
  id: string;
  version: number;
}

export interface AccountCodec<A extends CachedAccount> {
  toJson(account: A): string;
  fromJson(json: string): A;
}

/** What a commit changed, as far as the cache cares: accounts with their newest version, and whose histories moved. */
export interface CacheChanges {
  accounts: ReadonlyMap<string, number>;
  histories: ReadonlySet<string>;
}

interface Log {
  warn(obj: object, msg: string): void;
}

export class WalletCache<A extends CachedAccount> {
  /**
   * Invalidations Redis did not take (it was unreachable), by account id, stamped: entries
   * for these ids are never read until a later invalidation (or Redis coming back) delivers
   * them, since Redis may still hold, after a partition, what was true before it.
   */
  private readonly unsent = new Map<string, { version?: number; history: boolean; stamp: number }>();
  private stamp = 0;

  constructor(
    private readonly redis: Redis,
    private readonly ttlSeconds: number,
    private readonly log: Log,
    private readonly codec: AccountCodec<A>,
  ) {}

  async getAccount(id: string): Promise<A | null> {
    if (this.unsent.has(id)) return null;
    const raw = await this.redis.get(`acct:${id}`).catch(() => null);
    if (!raw) return null;
    const json = raw.slice(raw.indexOf('|') + 1);
    if (!json) return null;
    return this.codec.fromJson(json);
  }

  async putAccount(a: A): Promise<void> {
    await this.redis.eval(WRITE_IF_NEWER, 1, `acct:${a.id}`, a.version, this.codec.toJson(a), this.ttlSeconds).catch(() => undefined);
  }

  /** The first history page of a wallet, under its current generation. */
  async getHistory<T>(accountId: string, variant: string): Promise<{ value: T | null; generation: string }> {
    if (this.unsent.has(accountId)) return { value: null, generation: 'unavailable' };
    try {
      const generation = (await this.redis.get(`hist-gen:${accountId}`)) ?? '0';
      const raw = await this.redis.get(`hist:${accountId}:${generation}:${variant}`);
      return { value: raw ? (JSON.parse(raw) as T) : null, generation };
    } catch {
      return { value: null, generation: 'unavailable' };
    }
  }

  async putHistory(accountId: string, generation: string, variant: string, value: unknown): Promise<void> {
    if (generation === 'unavailable') return;
    await this.redis.set(`hist:${accountId}:${generation}:${variant}`, JSON.stringify(value), 'EX', this.ttlSeconds).catch(() => undefined);
  }

  /** After a commit, before the mutation returns: what changed is unreachable in the cache. */
  async invalidate(changes: CacheChanges): Promise<void> {
    // What earlier invalidations could not deliver goes along with this one.
    const sentUpTo = this.stamp;
    const accounts = new Map(changes.accounts);
    const histories = new Set(changes.histories);
    for (const [id, u] of this.unsent) {
      if (u.version !== undefined) accounts.set(id, Math.max(u.version, accounts.get(id) ?? 0));
      if (u.history) histories.add(id);
    }
    if (accounts.size === 0 && histories.size === 0) return;
    try {
      // Issued in one tick, so ioredis's auto-pipelining sends them in one write. Not an
      // explicit pipeline: the in-process stand-in (ioredis-mock) has no EVAL in pipelines.
      const writes: Promise<unknown>[] = [];
      for (const [id, version] of accounts) {
        writes.push(this.redis.eval(WRITE_IF_NEWER, 1, `acct:${id}`, version, '', this.ttlSeconds));
      }
      for (const id of histories) {
        writes.push(this.redis.incr(`hist-gen:${id}`), this.redis.expire(`hist-gen:${id}`, this.ttlSeconds * 10));
      }
      const failed = (await Promise.allSettled(writes)).find((r) => r.status === 'rejected');
      if (failed) throw failed.reason;
      for (const [id, u] of this.unsent) if (u.stamp <= sentUpTo) this.unsent.delete(id);
    } catch (err) {
      // Redis away: remembered and sent again with the next invalidation or when Redis is
      // back; until then reads of these wallets go to PostgreSQL.
      const stamp = ++this.stamp;
      for (const id of new Set([...changes.accounts.keys(), ...changes.histories])) {
        const before = this.unsent.get(id);
        const version = Math.max(changes.accounts.get(id) ?? 0, before?.version ?? 0) || undefined;
        this.unsent.set(id, { version, history: changes.histories.has(id) || (before?.history ?? false), stamp });
      }
      this.log.warn({ err: (err as Error).message }, 'cache invalidation failed');
    }
  }

  /** How many accounts wait for an invalidation Redis did not take (zero while Redis answers). */
  get pendingInvalidations(): number {
    return this.unsent.size;
  }

  /** Redis is back: deliver what could not be invalidated while it was away. */
  async resend(): Promise<void> {
    await this.invalidate({ accounts: new Map(), histories: new Set() });
  }
}
