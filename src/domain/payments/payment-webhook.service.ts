import type { EntityManager } from '@mikro-orm/postgresql';
import { WebhookSignatureError, type DepositStatus, type PaymentProvider, type WebhookEvent } from '../../providers/payment-provider.js';
import type { AuditService } from '../audit/audit.service.js';
import type { Log } from '../shared/log.js';
import { WebhookEventRepository } from '../webhooks/webhook-event.repository.js';
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
  private readonly events = new WebhookEventRepository();

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
    const result = await this.apply(em, provider, event);
    await this.audit.record(em, {
      action: `webhook:${provider.name}`,
      outcome: result.outcome,
      requestId: meta.requestId,
      ip: meta.ip,
      details: { type: event.providerType, reference: event.reference },
    });
    return result;
  }

  private async apply(em: EntityManager, provider: PaymentProvider, event: WebhookEvent): Promise<WebhookResult> {
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
          await this.deposits.flagMismatch(em, payment, status);
          return { status: 422, outcome: 'AMOUNT_MISMATCH' };
        }
        apply = (tx) => this.deposits.settle(tx, payment, status);
        break;
      }
      case 'PAYOUT_SUCCEEDED':
        apply = (tx) => this.withdrawals.settle(tx, payment, { status: 'SUCCEEDED', fee: event.fee });
        break;
      case 'PAYOUT_FAILED':
        apply = (tx) => this.withdrawals.settle(tx, payment, { status: 'FAILED', failureReason: 'The bank refused the payout' });
        break;
      case 'PAYOUT_REVERSED':
        apply = (tx) => this.withdrawals.settle(tx, payment, { status: 'REVERSED', failureReason: 'The bank sent the payout back' });
        break;
    }
    const outcome = await em.transactional(async (tx) => {
      if (
        !(await this.events.record(tx, {
          eventKey: event.eventKey,
          provider: provider.name,
          type: event.providerType,
          reference: event.reference,
        }))
      )
        return 'DUPLICATE';
      return apply(tx);
    });
    return { status: 200, outcome };
  }
}
