import type { EntityManager } from '@mikro-orm/postgresql';
import { isUuid } from '../wallets/wallet.service.js';
import { WalletError, WalletException } from '../wallets/wallets.errors.js';
import type { HistoryCursors } from './history-cursor.js';
import type {
  HistoryFilter,
  PageWindow,
  TransactionRecord,
  TransactionRepository,
  TransactionStatus,
  TransactionType,
  WindowRows,
} from './transaction.repository.js';

export const MAX_PAGE = 100;
const DEFAULT_PAGE = 20;

/**
 * Relay connection arguments, as the client gave them: `first` is absent (undefined or null)
 * unless the client sent it, though the schema shows its default of 20.
 */
export interface PageArgs {
  first?: number | null;
  after?: string | null;
  last?: number | null;
  before?: string | null;
}

export interface PageRequest extends PageArgs {
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

/** The viewer's transaction history: newest first, keyset pages both ways, only their own rows. */
export class TransactionService {
  constructor(
    private readonly repo: TransactionRepository,
    private readonly cursors: HistoryCursors,
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
    // Cursors belong to one viewer's one list: a copied or altered one is refused.
    const scope = `history:${userId}:${scopeAccountId ?? 'all'}`;
    const window = this.window(req, scope);
    // The first, unfiltered page of a wallet is what apps show most: it may come from the cache.
    const plainFirstPage = window.start === 'newest' && window.olderThan === null && window.newerThan === null && !hasFilter(req.filter);
    if (scopeAccountId && this.cache && plainFirstPage) {
      // The key id keeps pages sealed under another cursor secret (or in an older format) out.
      const variant = `first:${window.limit}:${this.cursors.keyId}`;
      const { value, generation } = await this.cache.getHistory<StoredPage>(scopeAccountId, variant);
      if (value) {
        const edges = value.edges.map((e) => ({ cursor: e.cursor, node: revive(e.node) }));
        if (edges.every((e) => e.node.userId === userId)) return { edges, hasNextPage: value.hasNextPage, hasPreviousPage: false };
      }
      const page = await this.uncachedPage(em, userId, req, window, scope, scopeAccountId);
      await this.cache.putHistory(scopeAccountId, generation, variant, JSON.parse(JSON.stringify(page, bigintsAsText)));
      return page;
    }
    return this.uncachedPage(em, userId, req, window, scope, scopeAccountId);
  }

  private async uncachedPage(
    em: EntityManager,
    userId: string,
    req: PageRequest,
    window: PageWindow,
    scope: string,
    scopeAccountId?: string,
  ): Promise<Page> {
    const f = req.filter ?? {};
    const wanted = [scopeAccountId, f.walletId, f.cardId].filter((v): v is string => Boolean(v));
    if (new Set(wanted).size > 1 || wanted.some((id) => !isUuid(id))) return { edges: [], hasNextPage: false, hasPreviousPage: false };
    const filter: HistoryFilter = { types: f.types, statuses: f.statuses, from: f.from, to: f.to };
    if (wanted.length === 1) filter.accountIds = wanted;
    return this.toPage(await this.repo.page(em, userId, filter, window), window, scope);
  }

  /** Flagged rows of every user: for ADMINs only (the resolver checks the role). */
  async flaggedPage(em: EntityManager, viewerId: string, req: PageArgs): Promise<Page> {
    const scope = `flagged:${viewerId}`;
    const window = this.window(req, scope);
    return this.toPage(await this.repo.pageFlagged(em, window), window, scope);
  }

  /** Relay's arguments as a window of sequences; BAD_USER_INPUT names the argument at fault. */
  private window(req: PageArgs, scope: string): PageWindow {
    const given = (n: number | null | undefined): n is number => n !== null && n !== undefined;
    if (given(req.first) && given(req.last)) throw new WalletException(WalletError.FirstAndLast, { field: 'last' });
    const [field, size] = given(req.last) ? (['last', req.last] as const) : (['first', req.first ?? DEFAULT_PAGE] as const);
    if (!Number.isInteger(size) || size < 1) throw new WalletException(WalletError.InvalidPageSize, { field });
    const seqOf = (cursor: string | null | undefined, field: 'after' | 'before') => {
      if (!cursor) return null; // an empty one, as before, means none
      const seq = this.cursors.decode(scope, cursor);
      if (seq === null) throw new WalletException(WalletError.InvalidCursor, { field });
      return seq;
    };
    return {
      olderThan: seqOf(req.after, 'after'),
      newerThan: seqOf(req.before, 'before'),
      start: field === 'last' ? 'oldest' : 'newest',
      limit: Math.min(size, MAX_PAGE),
    };
  }

  /**
   * Newest first whichever end the page was read from. The side the page was read towards is
   * told by the extra row; the side of the cursor it started from, by the repository's look there.
   */
  private toPage({ rows, beyond }: WindowRows, window: PageWindow, scope: string): Page {
    const more = rows.length > window.limit;
    const kept = rows.slice(0, window.limit);
    const nodes = window.start === 'newest' ? kept : kept.reverse();
    const edges = nodes.map((node) => ({ cursor: this.cursors.encode(scope, node.seq), node }));
    return window.start === 'newest'
      ? { edges, hasNextPage: more, hasPreviousPage: beyond }
      : { edges, hasNextPage: beyond, hasPreviousPage: more };
  }
}

function hasFilter(filter: PageRequest['filter']): boolean {
  return Boolean(filter && Object.values(filter).some((v) => v !== null && v !== undefined));
}
