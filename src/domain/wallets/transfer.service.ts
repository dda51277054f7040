import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { AuditService } from '../audit/audit.service.js';
import type { IdempotencyService } from '../idempotency/idempotency.service.js';
import { InsufficientFundsError, type LedgerService } from '../ledger/ledger.service.js';
import type { MonitoringService } from '../monitoring/monitoring.service.js';
import type { TransactionRepository } from '../transactions/transaction.repository.js';
import type { UserService } from '../users/user.service.js';
import type { WalletService } from './wallet.service.js';
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

const MAX_NOTE = 280;

/** Money between two users' wallets of one currency: one database transaction, once. */
export class TransferService {
  constructor(
    private readonly ledger: LedgerService,
    private readonly wallets: WalletService,
    private readonly transactions: TransactionRepository,
    private readonly users: UserService,
    private readonly idempotency: IdempotencyService,
    private readonly monitoring: MonitoringService,
    private readonly audit: AuditService,
  ) {}

  /** Returns the sender's transaction id (the same one for every repeat of the request). */
  async transfer(em: EntityManager, actor: Actor, input: TransferInput): Promise<string> {
    const note = input.note?.trim() || null;
    if (note && note.length > MAX_NOTE) throw new WalletException(WalletError.NoteTooLong);
    const recipientEmail = input.recipientEmail.trim().toLowerCase();
    const request = {
      userId: actor.userId,
      key: input.idempotencyKey,
      operation: 'transfer',
      input: { fromWalletId: input.fromWalletId, recipientEmail, amount: input.amount.toString(), note },
    };
    try {
      const { transactionId } = await this.idempotency.run(em, request, async (tx) => {
        const sender = await this.wallets.getOwned(tx, actor.userId, input.fromWalletId);
        const recipient = await this.users.findByEmail(tx, recipientEmail);
        if (!recipient) throw new WalletException(WalletError.RecipientNotFound);
        if (recipient.id === actor.userId) throw new WalletException(WalletError.SelfTransfer);
        const recipientWalletId = await this.wallets.ensure(tx, recipient.id, sender.currency);

        // Lock both wallets in id order before any check, so limits and balances are decided
        // on rows nobody else can change, and two opposite transfers never deadlock.
        await tx.execute('select id from ledger_accounts where id in (?, ?) order by id for update', [sender.id, recipientWalletId]);
        await this.monitoring.checkLimits(tx, actor.userId, sender.currency, input.amount);

        const reference = `trf_${randomUUID()}`;
        let transferId: string;
        try {
          ({ transferId } = await this.ledger.transfer(tx, {
            debitAccountId: sender.id,
            creditAccountId: recipientWalletId,
            amount: input.amount,
            currency: sender.currency,
            code: 'TRANSFER',
            reference,
          }));
        } catch (err) {
          if (err instanceof InsufficientFundsError) throw new WalletException(WalletError.InsufficientFunds);
          throw err;
        }
        const [debit] = await this.transactions.insert(tx, [
          {
            userId: actor.userId,
            accountId: sender.id,
            transferId,
            type: 'TRANSFER',
            status: 'COMPLETED',
            direction: 'DEBIT',
            amount: input.amount,
            currency: sender.currency,
            description: note,
            reference,
            counterpartyUserId: recipient.id,
          },
          {
            userId: recipient.id,
            accountId: recipientWalletId,
            transferId,
            type: 'TRANSFER',
            status: 'COMPLETED',
            direction: 'CREDIT',
            amount: input.amount,
            currency: sender.currency,
            description: note,
            reference,
            counterpartyUserId: actor.userId,
          },
        ]);
        await this.monitoring.reviewTransfer(tx, {
          id: debit.id,
          userId: actor.userId,
          currency: sender.currency,
          amount: input.amount,
          recipientUserId: recipient.id,
        });
        await this.audit.record(tx, {
          userId: actor.userId,
          action: 'transfer',
          outcome: 'COMPLETED',
          requestId: actor.requestId,
          ip: actor.ip,
          details: { transactionId: debit.id, reference, amount: input.amount, currency: sender.currency, to: recipient.id },
        });
        return { transactionId: debit.id, walletIds: [sender.id, recipientWalletId] };
      });
      return transactionId;
    } catch (err) {
      await this.audit.recordRefusal(em, actor, 'transfer', err, { fromWalletId: input.fromWalletId, amount: input.amount });
      throw err;
    }
  }
}
