import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { AuditService } from '../audit/audit.service.js';
import type { IdempotencyService, IdempotentRequest } from '../idempotency/idempotency.service.js';
import { noteAccountState, noteHistoryChanged } from '../ledger/ledger-changes.js';
import type { LedgerAccount } from '../ledger/ledger-account.js';
import { toAccount } from '../ledger/ledger.repository.js';
import type { MonitoringService } from '../monitoring/monitoring.service.js';
import { toTransaction, type TransactionRecord, type TransactionRepository } from '../transactions/transaction.repository.js';
import { perCurrency } from '../shared/pg.js';
import { normalizeEmail } from '../users/user.service.js';
import { isUuid, type WalletService } from './wallet.service.js';
import { WalletError, WalletException } from './wallets.errors.js';
import { TransferRepository } from './transfer.repository.js';
import { IdempotencyError, IdempotencyException } from '../idempotency/idempotency.errors.js';

export interface TransferInput {
  fromWalletId: string;
  recipientEmail: string;
  amount: bigint;
  note?: string | null;
  idempotencyKey: string;
}

export interface Actor {
  userId: string;
  requestId?: string;
  ip?: string;
}

/**
 * What a transfer answers: the sender's transaction and wallet, as the transfer left them when
 * this request moved the money, as they are now for a replay.
 */
export interface TransferOutcome {
  transaction: TransactionRecord;
  wallet: LedgerAccount;
}

const MAX_NOTE = 280;
/** wallet_transfer's fatal refusals, by SQLSTATE (src/db/functions/wallet_transfer.v6.sql). */
const FUNCTION_REFUSALS = new Map<string | undefined, { error: WalletError; field?: string }>([
  // The transfer's input names its wallet fromWalletId.
  ['WA001', { error: WalletError.WalletNotFound, field: 'fromWalletId' }],
  ['WA002', { error: WalletError.RecipientNotFound }],
  ['WA003', { error: WalletError.SelfTransfer }],
]);

/**
 * Money between two users' wallets of one currency, once. The work is one statement,
 * `select wallet_transfer(...)`, run on its own (it commits when it returns): one round trip,
 * prepared once per connection (src/db/prepared.ts), and the wallets are locked only while
 * PostgreSQL works (`TransferRepository`). What it does, step by step, and why, is in
 * src/db/functions/wallet_transfer.v6.sql.
 */
export class TransferService {
  private readonly repo = new TransferRepository();
  /** Limits, flag rules and the wording of refusals, as the function takes them. */
  private readonly rules: string;

  constructor(
    private readonly idempotency: IdempotencyService,
    monitoring: MonitoringService,
    private readonly audit: AuditService,
    private readonly transactions: TransactionRepository,
    private readonly wallets: WalletService,
  ) {
    const m = monitoring.settings;
    const wording = (error: WalletError) => {
      const e = new WalletException(error);
      return { code: e.code, message: e.message };
    };
    this.rules = JSON.stringify({
      maxTransaction: perCurrency(m.maxTransaction),
      dailyOutflow: perCurrency(m.dailyOutflow),
      newRecipientThreshold: perCurrency(m.newRecipientThreshold),
      burstCount: m.burstCount,
      burstWindowSeconds: m.burstWindowSeconds,
      unusualFactor: m.unusualFactor,
      refusals: {
        [WalletError.InsufficientFunds]: wording(WalletError.InsufficientFunds),
        [WalletError.LimitExceeded]: wording(WalletError.LimitExceeded),
      },
    });
  }

  async transfer(em: EntityManager, actor: Actor, input: TransferInput): Promise<TransferOutcome> {
    const note = input.note?.trim() || null;
    if (note && note.length > MAX_NOTE) throw new WalletException(WalletError.NoteTooLong);
    const recipientEmail = input.recipientEmail.trim().toLowerCase();
    const request: IdempotentRequest = {
      userId: actor.userId,
      key: input.idempotencyKey,
      operation: 'transfer',
      input: { fromWalletId: input.fromWalletId, recipientEmail, amount: input.amount.toString(), note },
    };
    try {
      const print = this.idempotency.fingerprintOf(request);
      const r = await this.repo.transfer(em, {
        userId: actor.userId,
        key: request.key,
        fingerprint: print,
        fromWalletId: isUuid(input.fromWalletId) ? input.fromWalletId : '00000000-0000-0000-0000-000000000000',
        recipientEmail: normalizeEmail(recipientEmail),
        amount: input.amount,
        note,
        rules: this.rules,
        ids: JSON.stringify({ transfer: randomUUID(), debit: randomUUID(), credit: randomUUID(), wallet: randomUUID(), reference: `trf_${randomUUID()}` }),
        requestId: actor.requestId ?? null,
        ip: actor.ip ?? null,
      });
      if ('replay' in r) {
        const recorded = this.idempotency.replayOf(r.replay.found ? r.replay : null, print);
        const { transactionId } = this.idempotency.answer(recorded);
        const [[transaction], wallet] = await Promise.all([
          this.transactions.findByIds(em, [transactionId]),
          this.wallets.getOwned(em, actor.userId, input.fromWalletId),
        ]);
        return { transaction, wallet };
      }
      this.idempotency.answer(r.result);
      const m = r.moved!;
      const transaction = toTransaction(m.debit);
      // The function committed when it returned: these states are what the wallets now show.
      for (const a of [m.debitAccount, m.creditAccount]) noteAccountState(toAccount(a), true);
      noteHistoryChanged(transaction.accountId, transaction.id, actor.userId);
      noteHistoryChanged(m.creditAccount.id, m.creditTransactionId, m.recipientUserId);
      return { transaction, wallet: toAccount(m.debitAccount) };
    } catch (err) {
      const mapped = translate(err);
      await this.audit.recordRefusal(em, actor, 'transfer', mapped, { fromWalletId: input.fromWalletId, amount: input.amount });
      throw mapped;
    }
  }
}

/**
 * The function's own refusals (a SQLSTATE each) and a key still held by its first request
 * (55P03); anything else is passed on as it came.
 */
export function translate(err: unknown): unknown {
  const code = (err as { code?: string }).code;
  if (code === '55P03') return new IdempotencyException(IdempotencyError.KeyInProgress);
  const refusal = FUNCTION_REFUSALS.get(code);
  if (!refusal) return err;
  return new WalletException(refusal.error, refusal.field ? { field: refusal.field } : undefined);
}
