import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { DepositStatus, PaymentProvider } from '../../providers/payment-provider.js';
import type { AuditService } from '../audit/audit.service.js';
import type { IdempotencyService } from '../idempotency/idempotency.service.js';
import type { LedgerAccount } from '../ledger/ledger-account.js';
import { noteAccountOwner, noteHistoryChanged } from '../ledger/ledger-changes.js';
import { toAccount } from '../ledger/ledger.repository.js';
import type { LedgerService } from '../ledger/ledger.service.js';
import type { MonitoringService } from '../monitoring/monitoring.service.js';
import type { Log } from '../shared/log.js';
import { perCurrency } from '../shared/pg.js';
import { toTransaction, type TransactionRecord, type TransactionRepository } from '../transactions/transaction.repository.js';
import type { Actor } from '../wallets/transfer.service.js';
import { isUuid } from '../wallets/wallet.service.js';
import { PaymentRepository, toPayment, type DepositOpenResult, type Payment } from './payment.repository.js';
import { PaymentError, PaymentException } from './payments.errors.js';
import { noteSettled, openRefusal, outsideTransaction, webhookArguments, type WebhookRecord } from './payment-functions.js';

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
  /** The wallet as this request read it, when it ran the work (not a replay): a pending deposit does not move it. */
  wallet?: LedgerAccount;
}

/**
 * Deposits: a PENDING row is committed first, then the provider opens a checkout for it; the
 * money is credited later, once, when the provider's verified answer says it arrived (through
 * the webhook or the recovery job, which both call `settle`). The provider is never called
 * inside a database transaction.
 */
export class DepositService {
  private readonly payments = new PaymentRepository();
  /**
   * What deposit_open takes besides the request: the limits (LIMIT_DEPOSIT_MAX: the largest
   * deposit; LIMIT_BALANCE_MAX: the most a wallet may hold once it and every deposit still
   * pending are paid, so no balance grows past what anyone can show), the times, the row's
   * description and the wording of its refusals (the words live in payments.errors.ts alone).
   */
  private readonly rules: string;

  constructor(
    private readonly provider: PaymentProvider,
    private readonly ledger: LedgerService,
    private readonly transactions: TransactionRepository,
    private readonly idempotency: IdempotencyService,
    private readonly monitoring: MonitoringService,
    private readonly audit: AuditService,
    settings: PaymentSettings,
    private readonly log: Log,
  ) {
    const wording = (error: PaymentError) => {
      const e = new PaymentException(error);
      return { code: e.code, message: e.message, extensions: e.extensions };
    };
    this.rules = JSON.stringify({
      maxDeposit: perCurrency(settings.maxDeposit),
      maxBalance: perCurrency(settings.maxBalance),
      recheckAfterSeconds: settings.recheckAfterSeconds,
      expirySeconds: settings.depositExpirySeconds,
      description: `Deposit via ${provider.name}`,
      refusals: { [PaymentError.DepositTooLarge]: wording(PaymentError.DepositTooLarge), [PaymentError.BalanceLimit]: wording(PaymentError.BalanceLimit) },
    });
  }

  async deposit(em: EntityManager, actor: Actor & { email: string }, input: DepositInput): Promise<DepositStarted> {
    return this.audit.refusalsOf(em, actor, 'deposit', { walletId: input.walletId, amount: input.amount }, () =>
      this.start(em, actor, input),
    );
  }

  private async start(em: EntityManager, actor: Actor & { email: string }, input: DepositInput): Promise<DepositStarted> {
    const request = {
      userId: actor.userId,
      key: input.idempotencyKey,
      operation: 'deposit',
      input: { walletId: input.walletId, amount: input.amount.toString() },
    };
    const print = this.idempotency.fingerprintOf(request);
    // The key, the wallet, the limits, the PENDING rows and the audit row: one statement that
    // commits when it returns (deposit_open.v1.sql), so the webhook always finds the row, and
    // before the provider hears of it. A fresh reference for every attempt: a deposit whose
    // provider call failed is retried under a new one.
    let opened: DepositOpenResult;
    try {
      opened = await this.payments.openDeposit(em, {
        userId: actor.userId,
        key: input.idempotencyKey,
        fingerprint: print,
        walletId: isUuid(input.walletId) ? input.walletId : NO_SUCH_WALLET,
        amount: input.amount,
        rules: this.rules,
        ids: JSON.stringify({ payment: randomUUID(), transaction: randomUUID(), reference: `dep-${randomUUID().replace(/-/g, '')}` }),
        provider: this.provider.name,
        requestId: actor.requestId ?? null,
        ip: actor.ip ?? null,
      });
    } catch (err) {
      throw openRefusal(err);
    }
    // What this request wrote, when it ran the work (not a replay): no need to read it back.
    let written: TransactionRecord | undefined;
    let wallet: LedgerAccount | undefined;
    let payment: Payment;
    if ('replay' in opened) {
      const { paymentId } = this.idempotency.answer(this.idempotency.replayOf(opened.replay.found ? opened.replay : null, print));
      payment = await this.payments.get(em, paymentId);
    } else {
      this.idempotency.answer(opened.result); // a refusal, recorded on the key, is thrown here
      payment = toPayment(opened.payment!);
      written = toTransaction(opened.transaction!);
      wallet = toAccount(opened.wallet!);
      noteAccountOwner(wallet.id, { userId: actor.userId, kind: wallet.kind });
      noteHistoryChanged(written.accountId, written.id, actor.userId);
    }
    const paymentId = payment.id;
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
      if (written) return { transaction: written, checkoutUrl, wallet };
      return this.started(em, payment, checkoutUrl);
    } catch (err) {
      // Nothing was charged: the deposit fails, and the key is forgotten so a retry runs again.
      this.log.warn({ err: (err as Error).message, reference: payment.reference }, 'deposit could not be initialized');
      await em.transactional(async (tx) => {
        await this.payments.fail(tx, payment.id, 'The payment provider could not be reached');
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

  /**
   * Applies a deposit's verified final status once (credit, or fail) and returns what happened:
   * deposit_settle (src/db/functions/deposit_settle.v1.sql), one statement that commits when it
   * returns, so `em` must not be in a transaction. With `webhook`, the provider's event is
   * recorded with the effect (a repeat is DUPLICATE) and the audit row written with the outcome.
   */
  async settle(
    em: EntityManager,
    payment: Payment,
    status: Pick<DepositStatus, 'status' | 'fee'>,
    reason?: string,
    webhook?: WebhookRecord,
  ): Promise<string> {
    outsideTransaction(em, 'deposit_settle');
    const settled = await this.payments.settleDeposit(em, {
      paymentId: payment.id,
      status: status.status,
      // Read only when the deposit fails.
      reason: reason ?? 'The payment was declined',
      fee: status.fee ?? 0n,
      // The wallet picks the settlement shard: deposits of different users do not wait for one row.
      shard: this.ledger.shard(payment.accountId),
      ids: JSON.stringify({ transfer: randomUUID(), fee: randomUUID(), settlement: randomUUID(), fees: randomUUID() }),
      ...webhookArguments(webhook),
    });
    return noteSettled(settled);
  }
}


/** What the wallet id becomes when it is not a UUID: a wallet nobody has (WalletNotFound). */
const NO_SUCH_WALLET = '00000000-0000-0000-0000-000000000000';
