import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * Which ledger accounts (with their newest version) and which accounts' histories a piece of
 * work changed, collected while it runs, so caches can be invalidated once it has committed.
 */
export interface LedgerChanges {
  accounts: Map<string, number>;
  histories: Set<string>;
}

const storage = new AsyncLocalStorage<LedgerChanges>();

export function noteAccountChanged(id: string, version: number): void {
  const changes = storage.getStore();
  if (!changes) return;
  changes.accounts.set(id, Math.max(version, changes.accounts.get(id) ?? 0));
  changes.histories.add(id);
}

export function noteHistoryChanged(accountId: string): void {
  storage.getStore()?.histories.add(accountId);
}

/** Runs `work`, then hands what it changed to `afterwards` (even when it failed half-way). */
export async function trackLedgerChanges<T>(
  work: () => Promise<T>,
  afterwards: (changes: LedgerChanges) => Promise<void>,
): Promise<T> {
  const changes: LedgerChanges = { accounts: new Map(), histories: new Set() };
  try {
    return await storage.run(changes, work);
  } finally {
    if (changes.accounts.size > 0 || changes.histories.size > 0) await afterwards(changes);
  }
}
