import { createHash, randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { ProviderError, type PaymentProvider, type PayoutStatus } from '../../providers/payment-provider.js';
import type { AuditService } from '../audit/audit.service.js';
import type { IdempotencyService } from '../idempotency/idempotency.service.js';
import type { LedgerAccount } from '../ledger/ledger-account.js';
import { noteAccountState, noteHistoryChanged } from '../ledger/ledger-changes.js';
import { toAccount } from '../ledger/ledger.repository.js';
import type { LedgerService } from '../ledger/ledger.service.js';
import type { MonitoringService } from '../monitoring/monitoring.service.js';
import type { Log } from '../shared/log.js';
import { perCurrency } from '../shared/pg.js';
import { toTransaction, type TransactionRecord, type TransactionRepository } from '../transactions/transaction.repository.js';
import type { Actor } from '../wallets/transfer.service.js';
import type { WalletService } from '../wallets/wallet.service.js';
import { WalletError, WalletException } from '../wallets/wallets.errors.js';
import type { BankAccounts } from './bank-accounts.js';
import type { PaymentSettings } from './deposit.service.js';
import { noteSettled, openRefusal, outsideTransaction, webhookArguments, type WebhookRecord } from './payment-functions.js';
import { PaymentRepository, type Payment, type WithdrawHoldResult } from './payment.repository.js';
import { PaymentError, PaymentException } from './payments.errors.js';

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
  /** What withdraw_hold takes besides the request: the outflow limits, the recheck time and the wording of its refusals. */
  private readonly rules: string;

  constructor(
    private readonly provider: PaymentProvider,
    private readonly bankAccounts: BankAccounts,
    private readonly ledger: LedgerService,
    private readonly wallets: WalletService,
    private readonly transactions: TransactionRepository,
    private readonly idempotency: IdempotencyService,
    monitoring: MonitoringService,
    private readonly audit: AuditService,
    settings: Pick<PaymentSettings, 'recheckAfterSeconds'>,
    private readonly log: Log,
  ) {
    const wording = (error: WalletError) => {
      const e = new WalletException(error);
      return { code: e.code, message: e.message, extensions: e.extensions };
    };
    this.rules = JSON.stringify({
      maxTransaction: perCurrency(monitoring.settings.maxTransaction),
      dailyOutflow: perCurrency(monitoring.settings.dailyOutflow),
      recheckAfterSeconds: settings.recheckAfterSeconds,
      refusals: { [WalletError.LimitExceeded]: wording(WalletError.LimitExceeded), [WalletError.InsufficientFunds]: wording(WalletError.InsufficientFunds) },
    });
  }

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

    // The key, the shard, the locks, the limits, the hold, the PENDING rows and the audit row:
    // one statement that commits when it returns (withdraw_hold.v1.sql).
    const print = this.idempotency.fingerprintOf(request);
    const reference = payoutReference(actor.userId, input.idempotencyKey);
    let opened: WithdrawHoldResult;
    try {
      opened = await this.payments.holdWithdrawal(em, {
        userId: actor.userId,
        key: input.idempotencyKey,
        fingerprint: print,
        walletId: wallet.id,
        amount: input.amount,
        bank: JSON.stringify({
          code: input.bankCode,
          number: input.accountNumber,
          name: accountName,
          description: `Withdrawal to ${accountName} (${input.bankCode} ${maskAccount(input.accountNumber)})`,
        }),
        rules: this.rules,
        ids: JSON.stringify({ payment: randomUUID(), transaction: randomUUID(), transfer: randomUUID(), settlement: randomUUID(), reference }),
        provider: this.provider.name,
        // The wallet picks the settlement shard: withdrawals of different users do not wait for one row.
        shard: this.ledger.shard(wallet.id),
        requestId: actor.requestId ?? null,
        ip: actor.ip ?? null,
      });
    } catch (err) {
      throw openRefusal(err);
    }
    // What this request's own work left (not a replay): the row and the wallet with the hold.
    let held: WithdrawalStarted | undefined;
    let paymentId: string;
    if ('replay' in opened) {
      ({ paymentId } = this.idempotency.answer(this.idempotency.replayOf(opened.replay.found ? opened.replay : null, print)));
    } else {
      ({ paymentId } = this.idempotency.answer(opened.result)); // a refusal, recorded on the key, is thrown here
      held = { transaction: toTransaction(opened.transaction!), wallet: toAccount(opened.wallet!) };
      // It committed when it returned: these are the states the wallet and the row now show.
      noteAccountState(held.wallet, true);
      noteAccountState(toAccount(opened.settlement!), true);
      noteHistoryChanged(held.wallet.id, held.transaction.id, actor.userId);
    }
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
    await this.settle(em, payment, status);
    return true;
  }

  /**
   * Posts, voids or reverses a withdrawal's hold, once, and returns what happened: payout_settle
   * (src/db/functions/payout_settle.v1.sql), one statement that commits when it returns, so `em`
   * must not be in a transaction. With `webhook`, the provider's event is recorded with the
   * effect (a repeat is DUPLICATE) and the audit row written with the outcome.
   */
  async settle(em: EntityManager, payment: Payment, status: PayoutStatus, webhook?: WebhookRecord): Promise<string> {
    outsideTransaction(em, 'payout_settle');
    const settled = await this.payments.settlePayout(em, {
      paymentId: payment.id,
      status: status.status,
      reason: status.failureReason ?? null,
      fee: status.fee ?? 0n,
      // The shard its hold was made on: the wallet picks it.
      shard: this.ledger.shard(payment.accountId),
      ids: JSON.stringify({ transfer: randomUUID(), transaction: randomUUID(), fee: randomUUID(), settlement: randomUUID(), fees: randomUUID() }),
      ...webhookArguments(webhook),
    });
    return noteSettled(settled);
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
