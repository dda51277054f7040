import type { EntityManager } from '@mikro-orm/postgresql';
import { prepared } from '../../db/prepared.js';
import type { Recorded, StoredKey } from '../idempotency/idempotency.repository.js';
import type { AccountRow } from '../ledger/ledger.repository.js';
import { pgDate } from '../shared/pg.js';
import type { TransactionRow } from '../transactions/transaction.repository.js';

export type PaymentStatus = 'PENDING' | 'SUCCEEDED' | 'FAILED' | 'REVERSED';

/** A deposit or withdrawal as the provider sees it: our reference, its state, when to ask again. */
export interface Payment {
  id: string;
  reference: string;
  kind: 'DEPOSIT' | 'WITHDRAWAL';
  provider: string;
  status: PaymentStatus;
  userId: string;
  accountId: string;
  transactionId: string;
  transferId: string | null;
  amount: bigint;
  currency: string;
  bankCode: string | null;
  accountNumber: string | null;
  accountName: string | null;
  checkoutUrl: string | null;
  attempts: number;
  expiresAt: Date | null;
}

/** A payment row as the payments table (and payment_json) gives it. */
export interface Row {
  id: string;
  reference: string;
  kind: Payment['kind'];
  provider: string;
  status: PaymentStatus;
  user_id: string;
  account_id: string;
  transaction_id: string;
  transfer_id: string | null;
  amount: string;
  currency: string;
  bank_code: string | null;
  account_number: string | null;
  account_name: string | null;
  checkout_url: string | null;
  attempts: number;
  expires_at: Date | string | null;
}

const COLUMNS =
  'id, reference, kind, provider, status, user_id, account_id, transaction_id, transfer_id, amount, currency, bank_code, account_number, account_name, checkout_url, attempts, expires_at';

export function toPayment(r: Row): Payment {
  return {
    id: r.id,
    reference: r.reference,
    kind: r.kind,
    provider: r.provider,
    status: r.status,
    userId: r.user_id,
    accountId: r.account_id,
    transactionId: r.transaction_id,
    transferId: r.transfer_id,
    amount: BigInt(r.amount),
    currency: r.currency,
    bankCode: r.bank_code,
    accountNumber: r.account_number,
    accountName: r.account_name,
    checkoutUrl: r.checkout_url,
    attempts: r.attempts,
    expiresAt: r.expires_at === null ? null : pgDate(r.expires_at),
  };
}

/** What deposit_open (src/db/functions/deposit_open.v1.sql) takes, in its order. */
export interface DepositOpenCall {
  userId: string;
  key: string;
  fingerprint: string;
  walletId: string;
  amount: bigint;
  /** Limits, times, the row's description and the wording of refusals, as JSON. */
  rules: string;
  /** The ids and the reference the function gives what it writes, as JSON. */
  ids: string;
  provider: string;
  requestId: string | null;
  ip: string | null;
}

/** What deposit_open returns. */
export type DepositOpenResult =
  /** The key was there already: its row as stored (found false when it vanished meanwhile). */
  | { replay: StoredKey<{ paymentId: string }> & { found: boolean } }
  /** A refusal, recorded on the key (no rows), or the rows this call wrote. */
  | { result: Recorded<{ paymentId: string }>; payment?: Row; transaction?: TransactionRow; wallet?: AccountRow };

/** What withdraw_hold (src/db/functions/withdraw_hold.v1.sql) takes, in its order. */
export interface WithdrawHoldCall {
  userId: string;
  key: string;
  fingerprint: string;
  walletId: string;
  amount: bigint;
  /** The bank account paid: code, number, name, and the row's description, as JSON. */
  bank: string;
  /** Limits, times and the wording of refusals, as JSON. */
  rules: string;
  /** The ids and the reference the function gives what it writes, as JSON. */
  ids: string;
  provider: string;
  /** The settlement shard the wallet picks. */
  shard: number;
  requestId: string | null;
  ip: string | null;
}

/** What withdraw_hold returns. */
export type WithdrawHoldResult =
  | { replay: StoredKey<{ paymentId: string }> & { found: boolean } }
  | { result: Recorded<{ paymentId: string }>; payment?: Row; transaction?: TransactionRow; wallet?: AccountRow; settlement?: AccountRow };

/** What deposit_settle and payout_settle (src/db/functions) take. */
export interface SettleCall {
  paymentId: string;
  /** SUCCEEDED or FAILED for a deposit; SUCCEEDED, FAILED or REVERSED for a payout. */
  status: string;
  reason: string | null;
  fee: bigint;
  /** The settlement (and fees) shard the payment's wallet picks. */
  shard: number;
  /** Ids for the transfers, rows and system accounts it may write, as JSON. */
  ids: string;
  /** The provider's event to record with the effect (JSON), or null (the recovery job). */
  event: string | null;
  /** The audit row to write with its outcome (JSON), or null. */
  audit: string | null;
}

/** What the settle functions return: the outcome, and the accounts and rows they changed as they now are. */
export interface Settled {
  outcome: string;
  accounts: AccountRow[];
  transactions: TransactionRow[];
}

const DEPOSIT_OPEN_SQL = 'select deposit_open(?, ?, ?, ?, ?::bigint, ?::jsonb, ?::jsonb, ?, ?, ?) as r';
const DEPOSIT_SETTLE_SQL = "select deposit_settle(?, ? = 'SUCCEEDED', ?, ?::bigint, ?, ?::jsonb, ?::jsonb, ?::jsonb) as r";
const WITHDRAW_HOLD_SQL = 'select withdraw_hold(?, ?, ?, ?, ?::bigint, ?::jsonb, ?::jsonb, ?::jsonb, ?, ?, ?, ?) as r';
const PAYOUT_SETTLE_SQL = 'select payout_settle(?, ?, ?, ?::bigint, ?, ?::jsonb, ?::jsonb, ?::jsonb) as r';

export class PaymentRepository {
  /** deposit_open: the key, the limits, the PENDING rows and the audit row, in one statement that commits on its own. */
  async openDeposit(em: EntityManager, c: DepositOpenCall): Promise<DepositOpenResult> {
    const [{ r }] = await prepared<{ r: DepositOpenResult }>(em, 'deposit_open', DEPOSIT_OPEN_SQL, [
      c.userId,
      c.key,
      c.fingerprint,
      c.walletId,
      c.amount.toString(),
      c.rules,
      c.ids,
      c.provider,
      c.requestId,
      c.ip,
    ]);
    return r;
  }

  /** deposit_settle: the event, the lock, the credit (or failure), the rows and the audit row, in one statement. */
  async settleDeposit(em: EntityManager, c: SettleCall): Promise<Settled> {
    return settle(em, 'deposit_settle', DEPOSIT_SETTLE_SQL, c);
  }

  /** withdraw_hold: the key, the limits, the hold, the PENDING rows and the audit row, in one statement that commits on its own. */
  async holdWithdrawal(em: EntityManager, c: WithdrawHoldCall): Promise<WithdrawHoldResult> {
    const [{ r }] = await prepared<{ r: WithdrawHoldResult }>(em, 'withdraw_hold', WITHDRAW_HOLD_SQL, [
      c.userId,
      c.key,
      c.fingerprint,
      c.walletId,
      c.amount.toString(),
      c.bank,
      c.rules,
      c.ids,
      c.provider,
      c.shard,
      c.requestId,
      c.ip,
    ]);
    return r;
  }

  /** payout_settle: the event, the lock, the hold posted, voided or reversed, the rows and the audit row, in one statement. */
  async settlePayout(em: EntityManager, c: SettleCall): Promise<Settled> {
    return settle(em, 'payout_settle', PAYOUT_SETTLE_SQL, c);
  }

  async get(em: EntityManager, id: string): Promise<Payment> {
    const [row] = await em.execute<Row[]>(`select ${COLUMNS} from payments where id = ?`, [id]);
    return toPayment(row);
  }

  /**
   * The payment a provider's event names, and whether that event was applied before (a cheap
   * early answer; the settle functions record it with the effect): one round trip for both.
   */
  async findForEvent(em: EntityManager, reference: string, eventKey: string): Promise<{ payment: Payment; seen: boolean } | null> {
    const [row] = await em.execute<(Row & { seen: boolean })[]>(
      `select ${COLUMNS}, exists (select 1 from webhook_events where event_key = ?) as seen from payments where reference = ?`,
      [eventKey, reference],
    );
    return row ? { payment: toPayment(row), seen: row.seen } : null;
  }

  async findByReference(em: EntityManager, reference: string): Promise<Payment | null> {
    const [row] = await em.execute<Row[]>(`select ${COLUMNS} from payments where reference = ?`, [reference]);
    return row ? toPayment(row) : null;
  }

  async setCheckout(em: EntityManager, id: string, checkoutUrl: string, providerRef: string | null): Promise<void> {
    await em.execute('update payments set checkout_url = ?, provider_ref = coalesce(?, provider_ref), updated_at = now() where id = ?', [
      checkoutUrl,
      providerRef,
      id,
    ]);
  }

  /** A payment that ends without moving money (its provider call failed), with the reason. */
  async fail(tx: EntityManager, id: string, reason: string): Promise<void> {
    await tx.execute(`update payments set status = 'FAILED', failure_reason = ?, due_at = null, updated_at = now() where id = ?`, [reason, id]);
  }

  /** The one caller that moves attempts from 0 to 1 sends the payout; everyone else does not. */
  async claimFirstAttempt(em: EntityManager, id: string): Promise<Payment | null> {
    const [row] = await em.execute<Row[]>(
      `update payments set attempts = 1, updated_at = now() where id = ? and attempts = 0 and status = 'PENDING' returning ${COLUMNS}`,
      [id],
    );
    return row ? toPayment(row) : null;
  }

  /**
   * PENDING payments whose time has come, leased to this process by pushing their due time
   * forward, so replicas running the same job never work on one payment at once.
   */
  async leaseDue(em: EntityManager, limit: number, leaseSeconds: number): Promise<Payment[]> {
    const rows = await em.execute<Row[]>(
      `update payments set due_at = now() + make_interval(secs => ?), updated_at = now()
       where id in (select id from payments where status = 'PENDING' and due_at <= now()
                    order by due_at limit ? for update skip locked)
       returning ${COLUMNS}`,
      [leaseSeconds, limit],
    );
    return rows.map(toPayment);
  }

  /** Makes a payment due now (a sandbox payout reaches its settlement time). */
  async dueAt(em: EntityManager, id: string, inMs: number): Promise<void> {
    await em.execute(`update payments set due_at = now() + make_interval(secs => ?) where id = ? and status = 'PENDING'`, [inMs / 1000, id]);
  }
}

async function settle(em: EntityManager, name: string, sql: string, c: SettleCall): Promise<Settled> {
  const [{ r }] = await prepared<{ r: Settled }>(em, name, sql, [c.paymentId, c.status, c.reason, c.fee.toString(), c.shard, c.ids, c.event, c.audit]);
  return r;
}
