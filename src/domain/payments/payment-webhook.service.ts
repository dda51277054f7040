import type { EntityManager } from '@mikro-orm/postgresql';
import { WebhookSignatureError, type DepositStatus, type PaymentProvider, type WebhookEvent } from '../../providers/payment-provider.js';
import type { AuditEntry, AuditService } from '../audit/audit.service.js';
import type { Log } from '../shared/log.js';
import type { DepositService } from './deposit.service.js';
import { PaymentRepository } from './payment.repository.js';
import type { WithdrawalService } from './withdrawal.service.js';

export interface WebhookResult {
  status: number;
  outcome: string;
}

/**
 * The payment provider's webhook: verified, deduplicated, applied once; safe to replay and to
 * receive out of order (rule 7). What an event means is decided by the deposit and withdrawal
 * services; this only reads it, checks it and hands it on.
 */
export class PaymentWebhookService {
  private readonly payments = new PaymentRepository();

  constructor(
    private readonly deposits: DepositService,
    private readonly withdrawals: WithdrawalService,
    private readonly audit: AuditService,
    private readonly log: Log,
  ) {}

  async handle(
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
    // The audit row of the event, written with its outcome (by deposit_settle, for a deposit's).
    const audit = {
      action: `webhook:${provider.name}`,
      requestId: meta.requestId,
      ip: meta.ip,
      details: { type: event.providerType, reference: event.reference },
    };
    const result = await this.apply(em, provider, event, audit);
    if (!result.audited) await this.audit.record(em, { ...audit, outcome: result.outcome });
    return { status: result.status, outcome: result.outcome };
  }

  private async apply(
    em: EntityManager,
    provider: PaymentProvider,
    event: WebhookEvent,
    audit: Omit<AuditEntry, 'outcome' | 'userId'>,
  ): Promise<WebhookResult & { audited?: boolean }> {
    if (event.type === 'IGNORED') return { status: 200, outcome: 'IGNORED' };
    const found = await this.payments.findForEvent(em, event.reference, event.eventKey);
    if (!found || found.payment.provider !== provider.name) {
      // Unknown to us: answer non-2xx so the provider retries (the row may not be visible yet).
      this.log.warn({ reference: event.reference, type: event.providerType }, 'webhook for an unknown reference');
      return { status: 404, outcome: 'UNKNOWN_REFERENCE' };
    }
    if (found.seen) return { status: 200, outcome: 'DUPLICATE' };
    const { payment } = found;
    const received = { eventKey: event.eventKey, provider: provider.name, type: event.providerType, reference: event.reference };

    // Each outcome is one statement (deposit_settle, payout_settle): the event recorded with its
    // effect and the audit row with its outcome.
    const webhook = { event: received, audit };
    let outcome: string;
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
          await this.deposits.flagMismatch(em, payment, status);
          return { status: 422, outcome: 'AMOUNT_MISMATCH' };
        }
        outcome = await this.deposits.settle(em, payment, status, undefined, webhook);
        break;
      }
      case 'PAYOUT_SUCCEEDED':
        outcome = await this.withdrawals.settle(em, payment, { status: 'SUCCEEDED', fee: event.fee }, webhook);
        break;
      case 'PAYOUT_FAILED':
        outcome = await this.withdrawals.settle(em, payment, { status: 'FAILED', failureReason: 'The bank refused the payout' }, webhook);
        break;
      case 'PAYOUT_REVERSED':
        outcome = await this.withdrawals.settle(em, payment, { status: 'REVERSED', failureReason: 'The bank sent the payout back' }, webhook);
        break;
    }
    return { status: 200, outcome, audited: true };
  }
}
