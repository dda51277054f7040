import type { AuditEntry } from '../audit/audit.service.js';
import { IdempotencyError, IdempotencyException } from '../idempotency/idempotency.errors.js';
import { noteAccountState, noteHistoryChanged } from '../ledger/ledger-changes.js';
import { toAccount } from '../ledger/ledger.repository.js';
import { WalletError, WalletException } from '../wallets/wallets.errors.js';
import type { ReceivedEvent } from '../webhooks/webhook-event.repository.js';
import type { Settled } from './payment.repository.js';

/**
 * What deposits and withdrawals share around their SQL functions (src/db/functions: deposit_open,
 * deposit_settle, withdraw_hold, payout_settle), each one statement that commits on its own.
 */

/** A provider's event, recorded with the effect it causes, and its audit row, written with the outcome. */
export interface WebhookRecord {
  event: ReceivedEvent;
  audit: Omit<AuditEntry, 'outcome' | 'userId'>;
}

/** The JSON the settle functions take for an event and its audit row (nulls without one). */
export function webhookArguments(webhook: WebhookRecord | undefined): { event: string | null; audit: string | null } {
  return webhook ? { event: JSON.stringify(webhook.event), audit: JSON.stringify(webhook.audit) } : { event: null, audit: null };
}

/**
 * What a settle function changed, for the caches and events: it committed when it returned, so
 * these are the states the accounts and rows now show, and whose they are. Returns its outcome.
 */
export function noteSettled(settled: Settled): string {
  for (const account of settled.accounts) noteAccountState(toAccount(account), true);
  for (const row of settled.transactions) noteHistoryChanged(row.account_id, row.id, row.user_id);
  return settled.outcome;
}

/** The settle functions commit on their own: a caller inside a transaction would break that promise. */
export function outsideTransaction(em: { isInTransaction(): boolean }, what: string): void {
  if (em.isInTransaction()) throw new Error(`${what} commits on its own: call it outside a transaction`);
}

/**
 * deposit_open's and withdraw_hold's errors that are not recorded on the key, by SQLSTATE (no such
 * wallet of the user: WA001), and a key still held by its first request (55P03); anything else is
 * passed on as it came.
 */
export function openRefusal(err: unknown): unknown {
  const code = (err as { code?: string } | undefined)?.code;
  if (code === '55P03') return new IdempotencyException(IdempotencyError.KeyInProgress);
  if (code === 'WA001') return new WalletException(WalletError.WalletNotFound);
  return err;
}
