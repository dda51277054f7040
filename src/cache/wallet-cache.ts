import type { Redis } from 'ioredis';
import type { LedgerAccount } from '../domain/ledger/ledger.service.js';
import { noChanges, type LedgerChanges } from '../domain/ledger/ledger-changes.js';

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
  ) {}

  async getAccount(id: string): Promise<LedgerAccount | null> {
    if (this.unsent.has(id)) return null;
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
  async invalidate(changes: LedgerChanges): Promise<void> {
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
    await this.invalidate(noChanges());
  }
}
