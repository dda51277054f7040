import { AsyncLocalStorage } from 'node:async_hooks';
import type { CardRow } from '../cards/card.js';
import type { LedgerAccount } from './ledger-account.js';

/** A user's account as one version of it stands: what the event for that version shows. */
export interface AccountState {
  account: LedgerAccount;
  /** Whose account it is (only users' accounts have states: nobody watches system accounts). */
  userId: string;
  /**
   * For a card: its row as the work last read (locked) or wrote it. Every change of a card's
   * account happens under `CardRepository.lock`, which notes the row, so a card state has one.
   */
  card?: CardRow;
}

/**
 * Which ledger accounts (with their newest version) and which accounts' histories a piece of
 * work changed, collected while it runs, so caches can be invalidated once it has committed.
 */
export interface LedgerChanges {
  accounts: Map<string, number>;
  /**
   * Users' accounts, each version the work made (a version steps once per transaction), as
   * the work left it: one event per version, showing that version and no later one.
   */
  states: Map<string, Map<number, AccountState>>;
  histories: Set<string>;
  /** User-facing transaction rows written or moved to another status. */
  transactions: Set<string>;
  /** Card rows as the work last read or wrote them (attached to their account's states). */
  cardRows: Map<string, CardRow>;
  /** Owners already known to the work (accounts and transaction rows): the fan-out need not read them again. */
  owners: Map<string, { userId: string | null; kind?: string }>;
}

const storage = new AsyncLocalStorage<LedgerChanges>();

export function noChanges(): LedgerChanges {
  return { accounts: new Map(), states: new Map(), histories: new Set(), transactions: new Set(), cardRows: new Map(), owners: new Map() };
}

export function noteAccountChanged(id: string, version: number, owner?: { userId: string | null; kind: string }): void {
  const changes = storage.getStore();
  if (!changes) return;
  changes.accounts.set(id, Math.max(version, changes.accounts.get(id) ?? 0));
  changes.histories.add(id);
  if (owner) changes.owners.set(id, owner);
}

/**
 * An account as a statement of the work left it. `committed`: the statement committed on its
 * own (wallet_transfer), so the fan-out need not check that its version survived.
 */
export function noteAccountState(account: LedgerAccount, committed = false): void {
  const changes = storage.getStore();
  if (!changes) return;
  noteAccountChanged(account.id, account.version, committed ? { userId: account.userId, kind: account.kind } : undefined);
  const userId = account.userId;
  if (!userId) return; // system accounts: nobody watches them
  const versions = changes.states.get(account.id) ?? new Map<number, AccountState>();
  versions.set(account.version, { account, userId, card: account.kind === 'CARD' ? changes.cardRows.get(account.id) : undefined });
  changes.states.set(account.id, versions);
}

/** A card row read under its lock or written: later states of its account carry it. */
export function noteCardRow(row: CardRow): void {
  storage.getStore()?.cardRows.set(row.id, row);
}

/** Whose account it is, known to the work (read by it): the fan-out need not read it again. */
export function noteAccountOwner(accountId: string, owner: { userId: string | null; kind: string }): void {
  storage.getStore()?.owners.set(accountId, owner);
}

export function noteHistoryChanged(accountId: string, transactionId?: string, userId?: string): void {
  const changes = storage.getStore();
  changes?.histories.add(accountId);
  if (transactionId) changes?.transactions.add(transactionId);
  if (transactionId && userId) changes?.owners.set(transactionId, { userId });
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
    // Every note marks a history (an account that moved, a transaction written or moved).
    if (changes.histories.size > 0) await afterwards(changes, succeeded);
  }
}
