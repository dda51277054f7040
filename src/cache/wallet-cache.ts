import type { Redis } from 'ioredis';
import type { LedgerAccount } from '../domain/ledger/ledger.service.js';
import type { LedgerChanges } from '../domain/ledger/ledger-changes.js';

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

type Serialized = Omit<LedgerAccount, 'debitsPosted' | 'creditsPosted' | 'debitsPending' | 'creditsPending' | 'createdAt' | 'updatedAt'> & {
  debitsPosted: string;
  creditsPosted: string;
  debitsPending: string;
  creditsPending: string;
  createdAt: string;
  updatedAt: string;
};

interface Log {
  warn(obj: object, msg: string): void;
}

export class WalletCache {
  constructor(
    private readonly redis: Redis,
    private readonly ttlSeconds: number,
    private readonly log: Log,
  ) {}

  async getAccount(id: string): Promise<LedgerAccount | null> {
    const raw = await this.redis.get(`acct:${id}`).catch(() => null);
    if (!raw) return null;
    const json = raw.slice(raw.indexOf('|') + 1);
    if (!json) return null;
    const s = JSON.parse(json) as Serialized;
    return {
      ...s,
      debitsPosted: BigInt(s.debitsPosted),
      creditsPosted: BigInt(s.creditsPosted),
      debitsPending: BigInt(s.debitsPending),
      creditsPending: BigInt(s.creditsPending),
      createdAt: new Date(s.createdAt),
      updatedAt: new Date(s.updatedAt),
    };
  }

  async putAccount(a: LedgerAccount): Promise<void> {
    const json = JSON.stringify(a, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
    await this.redis.eval(WRITE_IF_NEWER, 1, `acct:${a.id}`, a.version, json, this.ttlSeconds).catch(() => undefined);
  }

  /** The first history page of a wallet, under its current generation. */
  async getHistory<T>(accountId: string, variant: string): Promise<{ value: T | null; generation: string }> {
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
    await this.redis
      .set(`hist:${accountId}:${generation}:${variant}`, JSON.stringify(value), 'EX', this.ttlSeconds)
      .catch(() => undefined);
  }

  /** After a commit, before the mutation returns: what changed is unreachable in the cache. */
  async invalidate(changes: LedgerChanges): Promise<void> {
    try {
      const pipeline = this.redis.pipeline();
      for (const [id, version] of changes.accounts) {
        pipeline.eval(WRITE_IF_NEWER, 1, `acct:${id}`, version, '', this.ttlSeconds);
      }
      for (const id of changes.histories) {
        pipeline.incr(`hist-gen:${id}`);
        pipeline.expire(`hist-gen:${id}`, this.ttlSeconds * 10);
      }
      await pipeline.exec();
    } catch (err) {
      // Redis away: its entries expire on their own (ttl), and reads fall back to PostgreSQL.
      this.log.warn({ err: (err as Error).message }, 'cache invalidation failed');
    }
  }
}
