import type { EntityManager } from '@mikro-orm/postgresql';
import { isUuid } from '../wallets/wallet.service.js';
import { WalletError, WalletException } from '../wallets/wallets.errors.js';
import type {
  HistoryFilter,
  TransactionRecord,
  TransactionRepository,
  TransactionStatus,
  TransactionType,
} from './transaction.repository.js';

export const MAX_PAGE = 100;

export interface PageRequest {
  first?: number | null;
  after?: string | null;
  filter?: {
    types?: TransactionType[] | null;
    statuses?: TransactionStatus[] | null;
    walletId?: string | null;
    cardId?: string | null;
    from?: Date | null;
    to?: Date | null;
  } | null;
}

export interface Page {
  edges: { cursor: string; node: TransactionRecord }[];
  hasNextPage: boolean;
  hasPreviousPage: boolean;
}

const CURSOR_PREFIX = 'tx1:';
const MAX_SEQ = 2n ** 63n - 1n;

export function encodeCursor(seq: bigint): string {
  return Buffer.from(`${CURSOR_PREFIX}${seq}`).toString('base64url');
}

function decodeCursor(cursor: string): bigint {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!text.startsWith(CURSOR_PREFIX) || !/^\d{1,19}$/.test(text.slice(CURSOR_PREFIX.length))) {
    throw new WalletException(WalletError.InvalidCursor);
  }
  const seq = BigInt(text.slice(CURSOR_PREFIX.length));
  // 19 digits can exceed PostgreSQL's bigint, which would fail the query instead.
  if (seq > MAX_SEQ) throw new WalletException(WalletError.InvalidCursor);
  return seq;
}

/** Where the first page of a wallet's history may be kept (src/cache/wallet-cache.ts). */
export interface HistoryCache {
  getHistory<T>(accountId: string, variant: string): Promise<{ value: T | null; generation: string }>;
  putHistory(accountId: string, generation: string, variant: string, value: unknown): Promise<void>;
}

type StoredPage = { edges: { cursor: string; node: Record<string, unknown> }[]; hasNextPage: boolean };

const bigintsAsText = (_k: string, v: unknown) => (typeof v === 'bigint' ? v.toString() : v);

function revive(node: Record<string, unknown>): TransactionRecord {
  const t = node as unknown as TransactionRecord & { seq: string; amount: string; createdAt: string; updatedAt: string };
  return { ...t, seq: BigInt(t.seq), amount: BigInt(t.amount), createdAt: new Date(t.createdAt), updatedAt: new Date(t.updatedAt) };
}

/** The viewer's transaction history: newest first, keyset pages, only their own rows. */
export class TransactionService {
  constructor(
    private readonly repo: TransactionRepository,
    private readonly cache?: HistoryCache,
  ) {}

  async get(em: EntityManager, userId: string, id: string): Promise<TransactionRecord | null> {
    if (!isUuid(id)) return null;
    const [row] = await this.repo.findByIds(em, [id]);
    return row && row.userId === userId ? row : null;
  }

  /**
   * A page of the user's rows; `scopeAccountId` narrows it to one wallet or card (their
   * `transactions` field). A wallet or card in the filter that is not the viewer's yields
   * an empty page, like one that does not exist.
   */
  async page(em: EntityManager, userId: string, req: PageRequest, scopeAccountId?: string): Promise<Page> {
    const { limit, after } = pageBounds(req);
    // The first, unfiltered page of a wallet is what apps show most: it may come from the cache.
    if (scopeAccountId && this.cache && after === null && !hasFilter(req.filter)) {
      const variant = `first:${limit}`;
      const { value, generation } = await this.cache.getHistory<StoredPage>(scopeAccountId, variant);
      if (value) {
        const edges = value.edges.map((e) => ({ cursor: e.cursor, node: revive(e.node) }));
        if (edges.every((e) => e.node.userId === userId)) return { edges, hasNextPage: value.hasNextPage, hasPreviousPage: false };
      }
      const page = await this.uncachedPage(em, userId, req, limit, after, scopeAccountId);
      await this.cache.putHistory(scopeAccountId, generation, variant, JSON.parse(JSON.stringify(page, bigintsAsText)));
      return page;
    }
    return this.uncachedPage(em, userId, req, limit, after, scopeAccountId);
  }

  private async uncachedPage(
    em: EntityManager,
    userId: string,
    req: PageRequest,
    limit: number,
    after: bigint | null,
    scopeAccountId?: string,
  ): Promise<Page> {
    const f = req.filter ?? {};
    const wanted = [scopeAccountId, f.walletId, f.cardId].filter((v): v is string => Boolean(v));
    if (new Set(wanted).size > 1 || wanted.some((id) => !isUuid(id))) return { edges: [], hasNextPage: false, hasPreviousPage: false };
    const filter: HistoryFilter = { types: f.types, statuses: f.statuses, from: f.from, to: f.to };
    if (wanted.length === 1) filter.accountIds = wanted;
    return toPage(await this.repo.page(em, userId, filter, limit, after), limit, after);
  }

  /** Flagged rows of every user: for ADMINs only (the resolver checks the role). */
  async flaggedPage(em: EntityManager, req: { first?: number | null; after?: string | null }): Promise<Page> {
    const { limit, after } = pageBounds(req);
    const rows = await this.repo.pageFlagged(em, limit, after);
    return toPage(rows, limit, after);
  }
}

function pageBounds(req: { first?: number | null; after?: string | null }): { limit: number; after: bigint | null } {
  const first = req.first ?? 20;
  if (!Number.isInteger(first) || first < 1) throw new WalletException(WalletError.InvalidPageSize);
  return { limit: Math.min(first, MAX_PAGE), after: req.after ? decodeCursor(req.after) : null };
}

function toPage(rows: TransactionRecord[], limit: number, after: bigint | null): Page {
  const nodes = rows.slice(0, limit);
  return {
    edges: nodes.map((node) => ({ cursor: encodeCursor(node.seq), node })),
    hasNextPage: rows.length > limit,
    hasPreviousPage: after !== null,
  };
}

function hasFilter(filter: PageRequest['filter']): boolean {
  return Boolean(filter && Object.values(filter).some((v) => v !== null && v !== undefined));
}
