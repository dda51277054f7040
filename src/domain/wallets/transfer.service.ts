import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { AuditService } from '../audit/audit.service.js';
import type { IdempotencyService, IdempotentRequest, Recorded, StoredKey } from '../idempotency/idempotency.service.js';
import { noteAccountChanged, noteHistoryChanged } from '../ledger/ledger-changes.js';
import { toAccount, type LedgerAccount } from '../ledger/ledger.service.js';
import type { MonitoringService, TransferStats } from '../monitoring/monitoring.service.js';
import { toTransaction, type TransactionRecord } from '../transactions/transaction.repository.js';
import { normalizeEmail } from '../users/user.service.js';
import { isUuid } from './wallet.service.js';
import { WalletError, WalletException } from './wallets.errors.js';

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

/** What a transfer answers: the sender's transaction, and their wallet as it now is when this request moved the money. */
export interface TransferOutcome {
  transactionId: string;
  /** Present when this request made the transfer (absent for a replay: read them afresh). */
  transaction?: TransactionRecord;
  wallet?: LedgerAccount;
}

interface TransferRecord {
  transactionId: string;
  walletIds: string[];
}

/** What wallet_transfer (src/migrations/Migration20261128030000_transfer_function.ts) returns. */
type FunctionResult =
  | { replay: StoredKey<TransferRecord> & { found: boolean } }
  | { refused: WalletError; extensions: Record<string, unknown> }
  | {
      result: Recorded<TransferRecord>;
      recipientUserId: string;
      debit: Parameters<typeof toTransaction>[0];
      creditTransactionId: string;
      debitAccount: Parameters<typeof toAccount>[0];
      creditAccount: Parameters<typeof toAccount>[0];
      stats: TransferStats;
    };

const MAX_NOTE = 280;
const WALLET_ERRORS = new Set<string>(Object.values(WalletError));

/**
 * Money between two users' wallets of one currency: one database transaction, once. The
 * work itself is one statement, `select wallet_transfer(...)`, so a transfer costs three
 * round trips (BEGIN, the call, COMMIT) plus one more only when a monitoring rule flags it
 * or a refusal is recorded on its key; what it does, step by step, is in the function's
 * migration.
 */
export class TransferService {
  constructor(
    private readonly idempotency: IdempotencyService,
    private readonly monitoring: MonitoringService,
    private readonly audit: AuditService,
  ) {}

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
      const outcome = await em.transactional(async (tx) => {
        const [{ r }] = await tx.execute<{ r: FunctionResult }[]>(
          'select wallet_transfer(?, ?, ?, ?, ?, ?::bigint, ?, ?::jsonb, ?::jsonb, ?, ?::jsonb, ?, ?) as r',
          [
            actor.userId,
            request.key,
            print,
            isUuid(input.fromWalletId) ? input.fromWalletId : '00000000-0000-0000-0000-000000000000',
            normalizeEmail(recipientEmail),
            input.amount.toString(),
            note,
            perCurrency(this.monitoring.settings.maxTransaction),
            perCurrency(this.monitoring.settings.dailyOutflow),
            this.monitoring.settings.burstWindowSeconds,
            JSON.stringify({ transfer: randomUUID(), debit: randomUUID(), credit: randomUUID(), wallet: randomUUID(), reference: `trf_${randomUUID()}` }),
            actor.requestId ?? null,
            actor.ip ?? null,
          ],
        );
        if ('replay' in r) return { recorded: this.idempotency.replayOf(r.replay.found ? r.replay : null, print) };
        if ('refused' in r) {
          const recorded = this.idempotency.refusal(new WalletException(r.refused, r.extensions))!;
          await this.idempotency.record(tx, request, recorded);
          return { recorded };
        }
        const transaction = toTransaction(r.debit);
        const wallet = toAccount(r.debitAccount);
        for (const a of [r.debitAccount, r.creditAccount]) noteAccountChanged(a.id, a.version, { userId: a.user_id, kind: a.kind });
        noteHistoryChanged(r.debitAccount.id, transaction.id, actor.userId);
        noteHistoryChanged(r.creditAccount.id, r.creditTransactionId, r.recipientUserId);
        await this.monitoring.reviewTransfer(tx, transaction, r.stats);
        return { recorded: r.result, transaction, wallet };
      });
      const { transactionId } = this.idempotency.answer(outcome.recorded);
      return { transactionId, transaction: outcome.transaction, wallet: outcome.wallet };
    } catch (err) {
      const mapped = translate(err);
      await this.audit.recordRefusal(em, actor, 'transfer', mapped, { fromWalletId: input.fromWalletId, amount: input.amount });
      throw mapped;
    }
  }
}

/** The function's own refusals (SQLSTATE WA001, the WalletError as message) and a key still held by its first request. */
function translate(err: unknown): unknown {
  const e = err as { code?: string; message?: string };
  if (e.code === '55P03') return new WalletException(WalletError.IdempotencyKeyInProgress);
  if (e.code === 'WA001') {
    const name = WALLET_ERRORS.has(e.message ?? '') ? e.message : /(\w+)$/.exec(e.message ?? '')?.[1];
    if (name && WALLET_ERRORS.has(name)) return new WalletException(name as WalletError);
  }
  return err;
}

function perCurrency(limits: Record<string, bigint>): string {
  return JSON.stringify(Object.fromEntries(Object.entries(limits).map(([c, v]) => [c, v.toString()])));
}
