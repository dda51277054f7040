import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * Which ledger accounts (with their newest version) and which accounts' histories a piece of
 * work changed, collected while it runs, so caches can be invalidated once it has committed.
 */
export interface LedgerChanges {
  accounts: Map<string, number>;
  histories: Set<string>;
  /** User-facing transaction rows written or moved to another status. */
  transactions: Set<string>;
  /** Cards whose status or limit changed (balance changes are in `accounts`). */
  cards: Set<string>;
  /** Owners already known to the work (accounts and transaction rows): the fan-out need not read them again. */
  owners: Map<string, { userId: string | null; kind?: string }>;
}

const storage = new AsyncLocalStorage<LedgerChanges>();

export function noChanges(): LedgerChanges {
  return { accounts: new Map(), histories: new Set(), transactions: new Set(), cards: new Set(), owners: new Map() };
}

export function noteAccountChanged(id: string, version: number, owner?: { userId: string | null; kind: string }): void {
  const changes = storage.getStore();
  if (!changes) return;
  changes.accounts.set(id, Math.max(version, changes.accounts.get(id) ?? 0));
  changes.histories.add(id);
  if (owner) changes.owners.set(id, owner);
}

export function noteHistoryChanged(accountId: string, transactionId?: string, userId?: string): void {
  const changes = storage.getStore();
  changes?.histories.add(accountId);
  if (transactionId) changes?.transactions.add(transactionId);
  if (transactionId && userId) changes?.owners.set(transactionId, { userId });
}

export function noteCardChanged(cardId: string): void {
  storage.getStore()?.cards.add(cardId);
}

/**
 * Runs `work`, then hands what it changed to `afterwards`, also when it failed half-way
 * (`succeeded` false): caches must forget then too, but events are only sent for work that
 * finished, so nothing rolled back is ever announced.
 */
export async function trackLedgerChanges<T>(
  work: () => Promise<T>,
  afterwards: (changes: LedgerChanges, succeeded: boolean) => Promise<void>,
): Promise<T> {
  const changes = noChanges();
  let succeeded = false;
  try {
    const result = await storage.run(changes, work);
    succeeded = true;
    return result;
  } finally {
    const any = changes.accounts.size + changes.histories.size + changes.transactions.size + changes.cards.size;
    if (any > 0) await afterwards(changes, succeeded);
  }
}
