import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { DepositStatus, PaymentProvider } from '../../providers/payment-provider.js';
import type { AuditService } from '../audit/audit.service.js';
import type { IdempotencyService } from '../idempotency/idempotency.service.js';
import type { LedgerService } from '../ledger/ledger.service.js';
import type { LedgerAccount } from '../ledger/ledger-account.js';
import type { MonitoringService } from '../monitoring/monitoring.service.js';
import type { Log } from '../shared/log.js';
import type { TransactionRecord, TransactionRepository } from '../transactions/transaction.repository.js';
import type { Actor } from '../wallets/transfer.service.js';
import type { WalletService } from '../wallets/wallet.service.js';
import { PaymentRepository, type Payment } from './payment.repository.js';
import { PaymentError, PaymentException } from './payments.errors.js';
import { bookProviderFee } from './provider-fee.js';

export interface PaymentSettings {
  /** How long before a PENDING payment is asked about again (recovery, rule 8). */
  recheckAfterSeconds: number;
  depositExpirySeconds: number;
  /** Per currency, in minor units: the largest deposit (LIMIT_DEPOSIT_MAX). */
  maxDeposit: Readonly<Record<string, bigint>>;
  /** Per currency: the most a wallet may hold, deposits still pending included (LIMIT_BALANCE_MAX). */
  maxBalance: Readonly<Record<string, bigint>>;
}

export interface DepositInput {
  walletId: string;
  amount: bigint;
  idempotencyKey: string;
}

/** A started deposit: its PENDING transaction and the checkout page the customer pays on. */
export interface DepositStarted {
  transaction: TransactionRecord;
  checkoutUrl: string;
}

/**
 * Deposits: a PENDING row is committed first, then the provider opens a checkout for it; the
 * money is credited later, once, when the provider's verified answer says it arrived (through
 * the webhook or the recovery job, which both call `settle`). The provider is never called
 * inside a database transaction.
 */
export class DepositService {
  private readonly payments = new PaymentRepository();

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

  async deposit(em: EntityManager, actor: Actor & { email: string }, input: DepositInput): Promise<DepositStarted> {
    return this.audit.refusalsOf(em, actor, 'deposit', { walletId: input.walletId, amount: input.amount }, () =>
      this.start(em, actor, input),
    );
  }

  /**
   * A deposit is at most LIMIT_DEPOSIT_MAX, and leaves the wallet at most LIMIT_BALANCE_MAX once
   * it and every deposit still pending are paid: no balance grows past what anyone can show.
   */
  private async withinLimits(tx: EntityManager, wallet: LedgerAccount, amount: bigint): Promise<void> {
    const maxDeposit = this.settings.maxDeposit[wallet.currency];
    if (amount > maxDeposit) throw new PaymentException(PaymentError.DepositTooLarge, { extensions: { limit: maxDeposit.toString() } });
    const maxBalance = this.settings.maxBalance[wallet.currency];
    const balance = wallet.creditsPosted - wallet.debitsPosted;
    const room = maxBalance - balance - (await this.payments.pendingDeposits(tx, wallet.id));
    if (amount > room) {
      throw new PaymentException(PaymentError.BalanceLimit, {
        extensions: { limit: maxBalance.toString(), room: (room > 0n ? room : 0n).toString() },
      });
    }
  }

  private async start(em: EntityManager, actor: Actor & { email: string }, input: DepositInput): Promise<DepositStarted> {
    const request = {
      userId: actor.userId,
      key: input.idempotencyKey,
      operation: 'deposit',
      input: { walletId: input.walletId, amount: input.amount.toString() },
    };
    // What this request wrote, when it ran the work (not a replay): no need to read it back. Set
    // last in the work, so only when run() answers with that work's own result.
    let written: { payment: Payment; transaction: TransactionRecord } | undefined;
    // The PENDING row is committed before the provider hears of it, so its webhook always finds it.
    const { paymentId } = await this.idempotency.run(em, request, async (tx) => {
      const wallet = await this.wallets.getOwned(tx, actor.userId, input.walletId);
      await this.withinLimits(tx, wallet, input.amount);
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
      const payment = await this.payments.insert(tx, {
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
      written = { payment, transaction: row };
      return { paymentId: payment.id };
    });
    const payment = written?.payment ?? (await this.payments.get(em, paymentId));
    if (payment.checkoutUrl) return this.started(em, payment, payment.checkoutUrl);
    if (payment.status !== 'PENDING') {
      // The provider could not open this attempt's checkout, so the attempt failed; its key should
      // have been forgotten, but a process that stopped in between left it naming the failed
      // payment. Forget it now and answer as that attempt did: the next retry runs afresh.
      await this.idempotency.forget(em, actor.userId, input.idempotencyKey, { paymentId });
      throw new PaymentException(PaymentError.ProviderUnavailable);
    }
    try {
      const { checkoutUrl, providerRef } = await this.provider.initializeDeposit({
        reference: payment.reference,
        amount: payment.amount,
        currency: payment.currency,
        email: actor.email,
      });
      await this.payments.setCheckout(em, payment.id, checkoutUrl, providerRef ?? null);
      // The row as this request wrote it is still what it is: only the webhook moves it on.
      if (written) return { transaction: written.transaction, checkoutUrl };
      return this.started(em, payment, checkoutUrl);
    } catch (err) {
      // Nothing was charged: the deposit fails, and the key is forgotten so a retry runs again.
      this.log.warn({ err: (err as Error).message, reference: payment.reference }, 'deposit could not be initialized');
      await em.transactional(async (tx) => {
        await this.payments.finish(tx, payment.id, 'FAILED', 'The payment provider could not be reached');
        await this.transactions.setStatus(
          tx,
          { id: payment.transactionId },
          'PENDING',
          'FAILED',
          'The payment provider could not be reached',
        );
      });
      await this.idempotency.forget(em, actor.userId, input.idempotencyKey, { paymentId });
      throw new PaymentException(PaymentError.ProviderUnavailable, { cause: err });
    }
  }

  /** The answer to a started deposit: its transaction as it is now, and where to pay. */
  private async started(em: EntityManager, payment: Payment, checkoutUrl: string): Promise<DepositStarted> {
    const [transaction] = await this.transactions.findByIds(em, [payment.transactionId]);
    return { transaction, checkoutUrl };
  }

  /** A deposit the provider verified for another amount or currency: nothing credited, flagged for an ADMIN with both sides. */
  async flagMismatch(em: EntityManager, payment: Payment, status: DepositStatus): Promise<void> {
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

  /** Applies a deposit's verified final status once (credit, or fail); returns what happened. */
  async settle(tx: EntityManager, payment: Payment, status: Pick<DepositStatus, 'status' | 'fee'>, reason?: string): Promise<string> {
    const current = await this.payments.lock(tx, payment.id);
    // A payment that arrives after its checkout expired (or after initialize was reported as
    // failed) is still the customer's money: it is credited, never left at the provider.
    const latePayment = current.status === 'FAILED' && status.status === 'SUCCEEDED';
    if (current.status !== 'PENDING' && !latePayment) return 'ALREADY_SETTLED';
    if (latePayment) await this.transactions.reopen(tx, payment.transactionId);
    if (status.status !== 'SUCCEEDED') {
      const why = reason ?? 'The payment was declined';
      await this.payments.finish(tx, payment.id, 'FAILED', why);
      await this.transactions.setStatus(tx, { id: payment.transactionId }, 'PENDING', 'FAILED', why);
      return 'DEPOSIT_FAILED';
    }
    // The wallet picks the settlement shard: deposits of different users do not wait for one row.
    const settlement = await this.ledger.systemAccount(tx, 'SETTLEMENT', payment.provider, payment.currency, payment.accountId);
    const { transferId } = await this.ledger.transfer(tx, {
      debitAccountId: settlement,
      creditAccountId: payment.accountId,
      amount: payment.amount,
      currency: payment.currency,
      code: 'DEPOSIT',
      reference: payment.reference,
    });
    await bookProviderFee(this.ledger, tx, payment, status.fee);
    await this.payments.finish(tx, payment.id, 'SUCCEEDED', null, transferId);
    await this.transactions.attachTransfer(tx, payment.transactionId, { transferId, from: 'PENDING', to: 'COMPLETED' });
    return 'DEPOSIT_CREDITED';
  }
}
