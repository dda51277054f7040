import { createHash } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { ProviderError, type PaymentProvider, type PayoutStatus } from '../../providers/payment-provider.js';
import type { AuditService } from '../audit/audit.service.js';
import type { IdempotencyService } from '../idempotency/idempotency.service.js';
import { InsufficientFundsError, type LedgerAccount, type LedgerService } from '../ledger/ledger.service.js';
import type { MonitoringService } from '../monitoring/monitoring.service.js';
import type { Log } from '../shared/log.js';
import type { TransactionRecord, TransactionRepository } from '../transactions/transaction.repository.js';
import type { Actor } from '../wallets/transfer.service.js';
import type { WalletService } from '../wallets/wallet.service.js';
import { WalletError, WalletException } from '../wallets/wallets.errors.js';
import type { BankAccounts } from './bank-accounts.js';
import type { PaymentSettings } from './deposit.service.js';
import { PaymentRepository, type Payment } from './payment.repository.js';
import { PaymentError, PaymentException } from './payments.errors.js';
import { bookProviderFee } from './provider-fee.js';

export interface WithdrawalInput {
  walletId: string;
  amount: bigint;
  bankCode: string;
  accountNumber: string;
  idempotencyKey: string;
}

/** A withdrawal as its request leaves it: the PENDING (or already settled) transaction and the wallet. */
export interface WithdrawalStarted {
  transaction: TransactionRecord;
  wallet: LedgerAccount;
}

/**
 * Withdrawals to a bank: the money is held (a PENDING transfer to settlement) and recorded in
 * one transaction, then the payout is sent; its outcome, from the webhook or the recovery job,
 * posts, voids or reverses the hold once (`settle`). The provider is never called inside a
 * database transaction.
 */
export class WithdrawalService {
  private readonly payments = new PaymentRepository();

  constructor(
    private readonly provider: PaymentProvider,
    private readonly bankAccounts: BankAccounts,
    private readonly ledger: LedgerService,
    private readonly wallets: WalletService,
    private readonly transactions: TransactionRepository,
    private readonly idempotency: IdempotencyService,
    private readonly monitoring: MonitoringService,
    private readonly audit: AuditService,
    private readonly settings: Pick<PaymentSettings, 'recheckAfterSeconds'>,
    private readonly log: Log,
  ) {}

  /** Returns the withdrawal's transaction and its wallet, the amount held, as they are now. */
  async withdraw(em: EntityManager, actor: Actor, input: WithdrawalInput): Promise<WithdrawalStarted> {
    return this.audit.refusalsOf(em, actor, 'withdraw', { walletId: input.walletId, amount: input.amount }, () =>
      this.start(em, actor, input),
    );
  }

  private async start(em: EntityManager, actor: Actor, input: WithdrawalInput): Promise<WithdrawalStarted> {
    const request = {
      userId: actor.userId,
      key: input.idempotencyKey,
      operation: 'withdraw',
      input: { walletId: input.walletId, amount: input.amount.toString(), bankCode: input.bankCode, accountNumber: input.accountNumber },
    };
    // Validation that asks the provider runs before anything is recorded, and only once:
    // a repeat of a recorded request replays it even while the provider is away.
    const wallet = await this.wallets.getOwned(em, actor.userId, input.walletId);
    let accountName = '';
    if (!(await this.idempotency.seen(em, request))) {
      if (!this.provider.payoutCurrencies().includes(wallet.currency)) throw new PaymentException(PaymentError.UnsupportedCurrency);
      accountName = await this.bankAccounts.resolve(input.bankCode, input.accountNumber, wallet.currency);
    }

    // What this request's own work left (not a replay): the row and the wallet with the hold.
    // Set last in the work, so only when run() answers with that work's own result.
    let held: WithdrawalStarted | undefined;
    const { paymentId } = await this.idempotency.run(em, request, async (tx) => {
      // The wallet picks the settlement shard: withdrawals of different users do not wait for one row.
      const settlement = await this.ledger.systemAccount(tx, 'SETTLEMENT', this.provider.name, wallet.currency, wallet.id);
      // Both accounts, in id order (rule 4): locking the wallet first and the settlement account
      // later deadlocked against deposits and transfers whenever settlement's id sorted first.
      await this.ledger.lockAccounts(tx, [wallet.id, settlement]);
      await this.monitoring.checkLimits(tx, actor.userId, wallet.currency, input.amount);
      const reference = payoutReference(actor.userId, input.idempotencyKey);
      let transferId: string;
      let accounts: Map<string, LedgerAccount>;
      try {
        ({ transferId, accounts } = await this.ledger.transfer(tx, {
          debitAccountId: wallet.id,
          creditAccountId: settlement,
          amount: input.amount,
          currency: wallet.currency,
          code: 'WITHDRAWAL',
          reference,
          pending: true,
        }));
      } catch (err) {
        if (err instanceof InsufficientFundsError) throw new WalletException(WalletError.InsufficientFunds);
        throw err;
      }
      const [row] = await this.transactions.insert(tx, [
        {
          userId: actor.userId,
          accountId: wallet.id,
          transferId,
          type: 'WITHDRAWAL',
          status: 'PENDING',
          direction: 'DEBIT',
          amount: input.amount,
          currency: wallet.currency,
          reference,
          description: `Withdrawal to ${accountName} (${input.bankCode} ${maskAccount(input.accountNumber)})`,
        },
      ]);
      const payment = await this.payments.insert(tx, {
        reference,
        kind: 'WITHDRAWAL',
        provider: this.provider.name,
        userId: actor.userId,
        accountId: wallet.id,
        transactionId: row.id,
        transferId,
        amount: input.amount,
        currency: wallet.currency,
        bankCode: input.bankCode,
        accountNumber: input.accountNumber,
        accountName,
        dueInSeconds: this.settings.recheckAfterSeconds,
      });
      await this.audit.record(tx, {
        userId: actor.userId,
        action: 'withdraw',
        outcome: 'PENDING',
        requestId: actor.requestId,
        ip: actor.ip,
        details: { reference, amount: input.amount, currency: wallet.currency, bankCode: input.bankCode },
      });
      held = { transaction: row, wallet: accounts.get(wallet.id)! };
      return { paymentId: payment.id };
    });
    // Only the request that claims the first attempt calls the provider; repeats just replay.
    const payment = await this.payments.claimFirstAttempt(em, paymentId);
    if (payment) {
      const settledNow = await this.send(em, payment);
      // Still pending, as this request's own work left it: nothing to read back.
      if (held && !settledNow) return held;
    }
    const { transactionId } = await this.payments.get(em, paymentId);
    const [transaction] = await this.transactions.findByIds(em, [transactionId]);
    return { transaction, wallet: await this.wallets.getOwned(em, actor.userId, input.walletId) };
  }

  /**
   * Sends (or sends again, same reference) a recorded payout; settles it at once if the provider
   * answers finally. True when it did (the payment is no longer PENDING).
   */
  async send(em: EntityManager, payment: Payment): Promise<boolean> {
    let status: PayoutStatus;
    try {
      status = await this.provider.payout({
        reference: payment.reference,
        amount: payment.amount,
        currency: payment.currency,
        bankCode: payment.bankCode!,
        accountNumber: payment.accountNumber!,
        accountName: payment.accountName!,
        reason: 'Wallet withdrawal',
      });
    } catch (err) {
      // A definite refusal voids the hold; anything else leaves it for the recovery job.
      status =
        err instanceof ProviderError && err.definite
          ? { status: 'FAILED', failureReason: `The provider refused the payout: ${err.message}` }
          : { status: 'UNKNOWN' };
    }
    if (status.status === 'PENDING' || status.status === 'UNKNOWN') {
      this.log.info({ reference: payment.reference, status: status.status }, 'payout sent; waiting for its outcome');
      // A stored due time, never only a timer: the job picks it up on any replica, after restarts.
      if (status.checkAfterMs !== undefined) await this.payments.dueAt(em, payment.id, status.checkAfterMs);
      return false;
    }
    await em.transactional((tx) => this.settle(tx, payment, status));
    return true;
  }

  /** Posts, voids or reverses a withdrawal's hold, once; returns what happened. */
  async settle(tx: EntityManager, payment: Payment, status: PayoutStatus): Promise<string> {
    const current = await this.payments.lock(tx, payment.id);
    if (current.status === 'PENDING') {
      if (status.status === 'SUCCEEDED') {
        await this.ledger.resolvePending(tx, current.transferId!, 'POST');
        await bookProviderFee(this.ledger, tx, current, status.fee ?? 0n);
        await this.payments.finish(tx, current.id, 'SUCCEEDED', null);
        await this.transactions.setStatus(tx, { id: current.transactionId }, 'PENDING', 'COMPLETED');
        return 'PAYOUT_COMPLETED';
      }
      // Failed, or sent back before it ever succeeded: the money returns to the wallet.
      const reason = status.failureReason ?? 'The payout failed';
      await this.ledger.resolvePending(tx, current.transferId!, 'VOID');
      await this.payments.finish(tx, current.id, 'FAILED', reason);
      await this.transactions.setStatus(tx, { id: current.transactionId }, 'PENDING', 'FAILED', reason);
      return 'PAYOUT_FAILED';
    }
    if (current.status === 'SUCCEEDED' && status.status === 'REVERSED') {
      // A posted transfer never changes: undoing it is a new transfer the other way (rule 3).
      const settlement = await this.ledger.systemAccount(tx, 'SETTLEMENT', current.provider, current.currency, current.accountId);
      const { transferId } = await this.ledger.transfer(tx, {
        debitAccountId: settlement,
        creditAccountId: current.accountId,
        amount: current.amount,
        currency: current.currency,
        code: 'REVERSAL',
        reference: current.reference,
      });
      await this.payments.finish(tx, current.id, 'REVERSED', status.failureReason ?? 'The bank sent the payout back');
      await this.transactions.setStatus(tx, { id: current.transactionId }, 'COMPLETED', 'REVERSED');
      await this.transactions.insert(tx, [
        {
          userId: current.userId,
          accountId: current.accountId,
          transferId,
          type: 'REVERSAL',
          status: 'COMPLETED',
          direction: 'CREDIT',
          amount: current.amount,
          currency: current.currency,
          reference: current.reference,
          description: 'Withdrawal returned by the bank',
        },
      ]);
      return 'PAYOUT_REVERSED';
    }
    return 'ALREADY_SETTLED';
  }
}

/**
 * A payout's reference is the caller's idempotency key (rule 6: Paystack's transfer
 * reference), hashed with the user's id: the same request always carries the same reference,
 * keys of different users never collide, and any key becomes characters Paystack accepts.
 */
export function payoutReference(userId: string, idempotencyKey: string): string {
  return `wdr-${createHash('sha256').update(`${userId}\n${idempotencyKey}`).digest('hex').slice(0, 40)}`;
}

function maskAccount(accountNumber: string): string {
  return `••••${accountNumber.slice(-4)}`;
}
