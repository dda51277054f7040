import { createHash, randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import {
  ProviderError,
  WebhookSignatureError,
  type DepositStatus,
  type PaymentProvider,
  type PayoutStatus,
  type WebhookEvent,
} from '../../providers/payment-provider.js';
import type { AuditService } from '../audit/audit.service.js';
import type { IdempotencyService } from '../idempotency/idempotency.service.js';
import { InsufficientFundsError, type LedgerService } from '../ledger/ledger.service.js';
import type { MonitoringService } from '../monitoring/monitoring.service.js';
import type { TransactionRepository } from '../transactions/transaction.repository.js';
import type { WalletService } from '../wallets/wallet.service.js';
import type { Actor } from '../wallets/transfer.service.js';
import { WalletError, WalletException } from '../wallets/wallets.errors.js';
import { PaymentError, PaymentException } from './payments.errors.js';
import { IdempotencyError, IdempotencyException } from '../idempotency/idempotency.errors.js';
import { WebhookEventRepository } from '../webhooks/webhook-event.repository.js';
import { PaymentRepository, type Payment } from './payment.repository.js';
import { noteHistoryChanged } from '../ledger/ledger-changes.js';

export interface PaymentSettings {
  /** How long before a PENDING payment is asked about again (recovery, rule 8). */
  recheckAfterSeconds: number;
  depositExpirySeconds: number;
}

interface Log {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface WebhookResult {
  status: number;
  outcome: string;
}

/**
 * Deposits and withdrawals through the payment provider. Provider calls never happen inside
 * a database transaction: a PENDING row is committed first, the provider is called, and the
 * outcome is applied in a transaction of its own, exactly once (status guards on the rows).
 */
export class PaymentService {
  private readonly payments = new PaymentRepository();
  private readonly events = new WebhookEventRepository();

  constructor(
    private readonly provider: PaymentProvider,
    private readonly ledger: LedgerService,
    private readonly wallets: WalletService,
    private readonly transactions: TransactionRepository,
    private readonly idempotency: IdempotencyService,
    private readonly monitoring: MonitoringService,
    private readonly audit: AuditService,
    private readonly settings: PaymentSettings,
    private readonly log: Log,
  ) {}

  async deposit(
    em: EntityManager,
    actor: Actor & { email: string },
    input: { walletId: string; amount: bigint; idempotencyKey: string },
  ): Promise<{ transactionId: string; checkoutUrl: string }> {
    try {
      return await this.startDeposit(em, actor, input);
    } catch (err) {
      await this.audit.recordRefusal(em, actor, 'deposit', err, { walletId: input.walletId, amount: input.amount });
      throw err;
    }
  }

  async withdraw(
    em: EntityManager,
    actor: Actor,
    input: { walletId: string; amount: bigint; bankCode: string; accountNumber: string; idempotencyKey: string },
  ): Promise<string> {
    try {
      return await this.startWithdrawal(em, actor, input);
    } catch (err) {
      await this.audit.recordRefusal(em, actor, 'withdraw', err, { walletId: input.walletId, amount: input.amount });
      throw err;
    }
  }

  private async startDeposit(
    em: EntityManager,
    actor: Actor & { email: string },
    input: { walletId: string; amount: bigint; idempotencyKey: string },
  ): Promise<{ transactionId: string; checkoutUrl: string }> {
    const request = {
      userId: actor.userId,
      key: input.idempotencyKey,
      operation: 'deposit',
      input: { walletId: input.walletId, amount: input.amount.toString() },
    };
    // The PENDING row is committed before the provider hears of it, so its webhook always finds it.
    const { paymentId } = await this.idempotency.run(em, request, async (tx) => {
      const wallet = await this.wallets.getOwned(tx, actor.userId, input.walletId);
      // Fresh for every attempt: a deposit whose provider call failed is retried under a new one.
      const reference = `dep-${randomUUID().replace(/-/g, '')}`;
      const [row] = await this.transactions.insert(tx, [
        {
          userId: actor.userId,
          accountId: wallet.id,
          type: 'DEPOSIT',
          status: 'PENDING',
          direction: 'CREDIT',
          amount: input.amount,
          currency: wallet.currency,
          reference,
          description: `Deposit via ${this.provider.name}`,
        },
      ]);
      const paymentId = await this.payments.insert(tx, {
        reference,
        kind: 'DEPOSIT',
        provider: this.provider.name,
        userId: actor.userId,
        accountId: wallet.id,
        transactionId: row.id,
        amount: input.amount,
        currency: wallet.currency,
        dueInSeconds: this.settings.recheckAfterSeconds,
        expiresInSeconds: this.settings.depositExpirySeconds,
      });
      await this.audit.record(tx, {
        userId: actor.userId,
        action: 'deposit',
        outcome: 'PENDING',
        requestId: actor.requestId,
        ip: actor.ip,
        details: { reference, amount: input.amount, currency: wallet.currency },
      });
      return { paymentId };
    });
    const payment = await this.payments.get(em, paymentId);
    if (payment.checkoutUrl) return { transactionId: payment.transactionId, checkoutUrl: payment.checkoutUrl };
    if (payment.status !== 'PENDING') throw new IdempotencyException(IdempotencyError.KeyInProgress);
    try {
      const { checkoutUrl, providerRef } = await this.provider.initializeDeposit({
        reference: payment.reference,
        amount: payment.amount,
        currency: payment.currency,
        email: actor.email,
      });
      await this.payments.setCheckout(em, payment.id, checkoutUrl, providerRef ?? null);
      return { transactionId: payment.transactionId, checkoutUrl };
    } catch (err) {
      // Nothing was charged: the deposit fails, and the key is forgotten so a retry runs again.
      this.log.warn({ err: (err as Error).message, reference: payment.reference }, 'deposit could not be initialized');
      await em.transactional(async (tx) => {
        await this.payments.finish(tx, payment.id, 'FAILED', 'The payment provider could not be reached');
        await this.transactions.setStatus(tx, { id: payment.transactionId }, 'PENDING', 'FAILED', 'The payment provider could not be reached');
      });
      await this.idempotency.forget(em, actor.userId, input.idempotencyKey);
      throw new PaymentException(PaymentError.ProviderUnavailable, { cause: err });
    }
  }

  private async startWithdrawal(
    em: EntityManager,
    actor: Actor,
    input: { walletId: string; amount: bigint; bankCode: string; accountNumber: string; idempotencyKey: string },
  ): Promise<string> {
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
      accountName = await this.resolveAccount(input.bankCode, input.accountNumber, wallet.currency);
    }

    const { paymentId } = await this.idempotency.run(em, request, async (tx) => {
      const settlement = await this.ledger.systemAccount(tx, 'SETTLEMENT', this.provider.name, wallet.currency);
      // Both accounts, in id order (rule 4): locking the wallet first and the settlement account
      // later deadlocked against deposits and transfers whenever settlement's id sorted first.
      await tx.execute('select id from ledger_accounts where id in (?, ?) order by id for update', [wallet.id, settlement]);
      await this.monitoring.checkLimits(tx, actor.userId, wallet.currency, input.amount);
      const reference = payoutReference(actor.userId, input.idempotencyKey);
      let transferId: string;
      try {
        ({ transferId } = await this.ledger.transfer(tx, {
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
      const paymentId = await this.payments.insert(tx, {
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
      return { paymentId };
    });
    // Only the request that claims the first attempt calls the provider; repeats just replay.
    const payment = await this.payments.claimFirstAttempt(em, paymentId);
    if (payment) await this.sendPayout(em, payment);
    return (await this.payments.get(em, paymentId)).transactionId;
  }

  async banks(currency: string) {
    try {
      return await this.provider.listBanks(currency);
    } catch (err) {
      throw providerFailure(err);
    }
  }

  async resolveAccount(bankCode: string, accountNumber: string, currency?: string): Promise<string> {
    if (!/^\d{10}$/.test(accountNumber)) throw new PaymentException(PaymentError.InvalidBankAccount);
    let name: string | null;
    try {
      if (currency && !(await this.provider.listBanks(currency)).some((b) => b.code === bankCode)) {
        throw new PaymentException(PaymentError.UnknownBank);
      }
      name = await this.provider.resolveAccount(bankCode, accountNumber);
    } catch (err) {
      throw providerFailure(err);
    }
    if (!name) throw new PaymentException(PaymentError.InvalidBankAccount);
    return name;
  }

  /** Verified, deduplicated, applied once; safe to replay and to receive out of order (rule 7). */
  async handleWebhook(
    em: EntityManager,
    provider: PaymentProvider,
    rawBody: Buffer,
    headers: Record<string, string | string[] | undefined>,
    meta: { requestId?: string; ip?: string },
  ): Promise<WebhookResult> {
    let event: WebhookEvent;
    try {
      event = provider.parseWebhook(rawBody, headers);
    } catch (err) {
      const outcome = err instanceof WebhookSignatureError ? 'BAD_SIGNATURE' : 'MALFORMED';
      await this.audit.record(em, { action: `webhook:${provider.name}`, outcome, requestId: meta.requestId, ip: meta.ip });
      return { status: err instanceof WebhookSignatureError ? 401 : 400, outcome };
    }
    const result = await this.applyEvent(em, provider, event);
    await this.audit.record(em, {
      action: `webhook:${provider.name}`,
      outcome: result.outcome,
      requestId: meta.requestId,
      ip: meta.ip,
      details: { type: event.providerType, reference: event.reference },
    });
    return result;
  }

  private async applyEvent(em: EntityManager, provider: PaymentProvider, event: WebhookEvent): Promise<WebhookResult> {
    if (event.type === 'IGNORED') return { status: 200, outcome: 'IGNORED' };
    const payment = await this.payments.findByReference(em, event.reference);
    if (!payment || payment.provider !== provider.name) {
      // Unknown to us: answer non-2xx so the provider retries (the row may not be visible yet).
      this.log.warn({ reference: event.reference, type: event.providerType }, 'webhook for an unknown reference');
      return { status: 404, outcome: 'UNKNOWN_REFERENCE' };
    }
    if (await this.events.seen(em, event.eventKey)) return { status: 200, outcome: 'DUPLICATE' };

    let apply: (tx: EntityManager) => Promise<string>;
    switch (event.type) {
      case 'DEPOSIT_SUCCEEDED':
      case 'DEPOSIT_FAILED': {
        // Never credit on the webhook's word alone: ask the provider (rule 7).
        let status: DepositStatus;
        try {
          status = await provider.verifyDeposit(payment.reference);
        } catch (err) {
          this.log.warn({ err: (err as Error).message, reference: payment.reference }, 'deposit verification failed');
          return { status: 503, outcome: 'VERIFY_UNAVAILABLE' };
        }
        const eventDisagrees =
          (event.amount !== undefined && event.amount !== status.amount) ||
          (event.currency !== undefined && event.currency !== status.currency);
        if (
          status.status === 'SUCCEEDED' &&
          (status.reference !== payment.reference ||
            status.amount !== payment.amount ||
            status.currency !== payment.currency ||
            eventDisagrees)
        ) {
          await this.flagMismatch(em, payment, status);
          return { status: 422, outcome: 'AMOUNT_MISMATCH' };
        }
        apply = (tx) => this.applyDepositStatus(tx, payment, status);
        break;
      }
      case 'PAYOUT_SUCCEEDED':
        apply = (tx) => this.settleWithdrawal(tx, payment, { status: 'SUCCEEDED', fee: event.fee });
        break;
      case 'PAYOUT_FAILED':
        apply = (tx) => this.settleWithdrawal(tx, payment, { status: 'FAILED', failureReason: 'The bank refused the payout' });
        break;
      case 'PAYOUT_REVERSED':
        apply = (tx) => this.settleWithdrawal(tx, payment, { status: 'REVERSED', failureReason: 'The bank sent the payout back' });
        break;
    }
    const outcome = await em.transactional(async (tx) => {
      if (!(await this.events.record(tx, { eventKey: event.eventKey, provider: provider.name, type: event.providerType, reference: event.reference }))) return 'DUPLICATE';
      return apply(tx);
    });
    return { status: 200, outcome };
  }

  /**
   * The job of rule 8, on an interval and at start-up: settles sandbox payouts whose time has
   * come and asks the provider about every PENDING payment left waiting; unpaid checkouts
   * expire. Returns how many payments it looked at.
   */
  async runDue(em: EntityManager, batch = 20): Promise<number> {
    const due = await this.payments.leaseDue(em, batch, this.settings.recheckAfterSeconds);
    for (const payment of due) {
      try {
        await this.recheck(em, payment);
      } catch (err) {
        this.log.error({ err, reference: payment.reference }, 'payment recheck failed; it will be tried again');
      }
    }
    return due.length;
  }

  private async recheck(em: EntityManager, payment: Payment): Promise<void> {
    if (payment.kind === 'WITHDRAWAL') {
      if (payment.attempts === 0) {
        // Recorded but never sent (the process stopped in between): send it now, same reference.
        const claimed = await this.payments.claimFirstAttempt(em, payment.id);
        if (claimed) await this.sendPayout(em, claimed);
        return;
      }
      let status: PayoutStatus;
      try {
        status = await this.provider.checkPayout(payment.reference);
      } catch (err) {
        // Asked again on the next run; the hold stays until the provider answers.
        this.log.warn({ err, reference: payment.reference }, 'payout status could not be read; asking again later');
        status = { status: 'UNKNOWN' };
      }
      if (status.status === 'PENDING' || status.status === 'UNKNOWN') return;
      if (status.neverReceived) {
        // Our earlier call never arrived: send it again with the same reference; only a
        // definite refusal of that call voids the hold.
        this.log.warn({ reference: payment.reference }, 'the provider never received this payout; sending it again');
        await this.sendPayout(em, payment);
        return;
      }
      await em.transactional((tx) => this.settleWithdrawal(tx, payment, status));
      return;
    }
    let status: DepositStatus | undefined;
    try {
      status = await this.provider.verifyDeposit(payment.reference);
    } catch (err) {
      if (!(err instanceof ProviderError && err.definite)) return;
    }
    if (status && status.status === 'SUCCEEDED' && (status.amount !== payment.amount || status.currency !== payment.currency)) {
      await this.flagMismatch(em, payment, status);
      return;
    }
    if (status && status.status !== 'PENDING') {
      await em.transactional((tx) => this.applyDepositStatus(tx, payment, status));
    } else if (payment.expiresAt && payment.expiresAt <= new Date()) {
      await em.transactional((tx) =>
        this.applyDepositStatus(tx, payment, { status: 'FAILED', fee: 0n }, 'The checkout expired unpaid'),
      );
    }
  }

  private async sendPayout(em: EntityManager, payment: Payment): Promise<void> {
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
      return;
    }
    await em.transactional((tx) => this.settleWithdrawal(tx, payment, status));
  }

  /** Applies a deposit's final status once; returns what happened. */
  /** A deposit the provider verified for another amount or currency: nothing credited, flagged for an ADMIN with both sides. */
  private async flagMismatch(em: EntityManager, payment: Payment, status: DepositStatus): Promise<void> {
    await em.transactional((tx) =>
      this.monitoring.flag(tx, payment.transactionId, 'DEPOSIT_AMOUNT_MISMATCH', {
        expected: payment.amount.toString(),
        expectedCurrency: payment.currency,
        verified: status.amount.toString(),
        verifiedCurrency: status.currency,
      }),
    );
    this.log.error({ reference: payment.reference }, 'deposit amount disagrees with the provider: nothing credited');
  }

  private async applyDepositStatus(
    tx: EntityManager,
    payment: Payment,
    status: Pick<DepositStatus, 'status' | 'fee'>,
    reason?: string,
  ): Promise<string> {
    const current = await this.payments.lock(tx, payment.id);
    // A payment that arrives after its checkout expired (or after initialize was reported as
    // failed) is still the customer's money: it is credited, never left at the provider.
    const latePayment = current.status === 'FAILED' && status.status === 'SUCCEEDED';
    if (current.status !== 'PENDING' && !latePayment) return 'ALREADY_SETTLED';
    if (latePayment) {
      await tx.execute(`update transactions set status = 'PENDING', failure_reason = null where id = ? and status = 'FAILED'`, [
        payment.transactionId,
      ]);
    }
    if (status.status !== 'SUCCEEDED') {
      const why = reason ?? 'The payment was declined';
      await this.payments.finish(tx, payment.id, 'FAILED', why);
      await this.transactions.setStatus(tx, { id: payment.transactionId }, 'PENDING', 'FAILED', why);
      return 'DEPOSIT_FAILED';
    }
    const settlement = await this.ledger.systemAccount(tx, 'SETTLEMENT', payment.provider, payment.currency);
    const { transferId } = await this.ledger.transfer(tx, {
      debitAccountId: settlement,
      creditAccountId: payment.accountId,
      amount: payment.amount,
      currency: payment.currency,
      code: 'DEPOSIT',
      reference: payment.reference,
    });
    await this.bookFee(tx, payment, status.fee);
    await this.payments.finish(tx, payment.id, 'SUCCEEDED', null, transferId);
    await tx.execute(`update transactions set status = 'COMPLETED', transfer_id = ?, updated_at = now() where id = ? and status = 'PENDING'`, [
      transferId,
      payment.transactionId,
    ]);
    noteHistoryChanged(payment.accountId, payment.transactionId);
    return 'DEPOSIT_CREDITED';
  }

  /** Posts, voids or reverses a withdrawal's hold, once. */
  private async settleWithdrawal(tx: EntityManager, payment: Payment, status: PayoutStatus): Promise<string> {
    const current = await this.payments.lock(tx, payment.id);
    if (current.status === 'PENDING') {
      if (status.status === 'SUCCEEDED') {
        await this.ledger.resolvePending(tx, current.transferId!, 'POST');
        await this.bookFee(tx, current, status.fee ?? 0n);
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
      const settlement = await this.ledger.systemAccount(tx, 'SETTLEMENT', current.provider, current.currency);
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

  /** Rule 11: the provider's fee moves between system accounts, so settlement mirrors the provider. */
  private async bookFee(tx: EntityManager, payment: Payment, fee: bigint): Promise<void> {
    if (fee <= 0n) return;
    const fees = await this.ledger.systemAccount(tx, 'FEES', payment.provider, payment.currency);
    const settlement = await this.ledger.systemAccount(tx, 'SETTLEMENT', payment.provider, payment.currency);
    await this.ledger.transfer(tx, {
      debitAccountId: fees,
      creditAccountId: settlement,
      amount: fee,
      currency: payment.currency,
      code: 'FEE',
      reference: payment.reference,
    });
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

/** The provider failing is PROVIDER_UNAVAILABLE; our own refusals (and our bugs) pass on as they are. */
function providerFailure(err: unknown): Error {
  if (err instanceof ProviderError) return new PaymentException(PaymentError.ProviderUnavailable, { cause: err });
  return err as Error;
}
