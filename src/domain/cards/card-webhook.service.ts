import type { EntityManager } from '@mikro-orm/postgresql';
import type { CardIssuer, CardWebhookEvent } from '../../providers/card-issuer.js';
import { WebhookSignatureError } from '../../providers/payment-provider.js';
import type { AuditService } from '../audit/audit.service.js';
import type { CardAuthorizationService } from './card-authorization.service.js';
import type { CardSettlementService } from './card-settlement.service.js';
import { WebhookEventRepository } from '../webhooks/webhook-event.repository.js';
import type { CardRepository } from './card.repository.js';

export interface CardWebhookResult {
  status: number;
  headers?: Record<string, string>;
  body: unknown;
}

/**
 * Issuer webhooks (rule 7): verified, deduplicated on the event key in the same database
 * transaction as their effect, safe to replay and to receive out of order. Authorization
 * requests are answered from our ledger.
 */
export class CardWebhookService {
  private readonly events = new WebhookEventRepository();

  constructor(
    private readonly cards: CardRepository,
    private readonly purchases: CardAuthorizationService,
    private readonly settlements: CardSettlementService,
    private readonly audit: AuditService,
  ) {}

  async handle(
    em: EntityManager,
    issuer: CardIssuer,
    rawBody: Buffer,
    headers: Record<string, string | string[] | undefined>,
    meta: { requestId?: string; ip?: string },
  ): Promise<CardWebhookResult> {
    let event: CardWebhookEvent;
    try {
      event = issuer.parseWebhook!(rawBody, headers);
    } catch (err) {
      const outcome = err instanceof WebhookSignatureError ? 'BAD_SIGNATURE' : 'MALFORMED';
      await this.audit.record(em, { action: `webhook:${issuer.name}`, outcome, requestId: meta.requestId, ip: meta.ip });
      return { status: err instanceof WebhookSignatureError ? 401 : 400, body: { outcome } };
    }
    const result = await this.apply(em, issuer, event);
    await this.audit.record(em, {
      action: `webhook:${issuer.name}`,
      outcome: String((result.body as { outcome?: string }).outcome ?? result.status),
      requestId: meta.requestId,
      ip: meta.ip,
      details: { type: event.type, eventKey: event.eventKey },
    });
    return result;
  }

  private async apply(em: EntityManager, issuer: CardIssuer, event: CardWebhookEvent): Promise<CardWebhookResult> {
    if (event.type === 'IGNORED') return { status: 200, body: { outcome: 'IGNORED' } };
    const card = await this.cards.findByIssuerId(em, issuer.name, event.issuerCardId);
    if (!card) return { status: 404, body: { outcome: 'UNKNOWN_CARD' } };

    if (event.type === 'AUTHORIZATION_REQUEST' || event.type === 'AUTHORIZATION_CREATED') {
      // Keyed by the issuer's authorization id: a repeat gets the same decision, nothing more.
      const result = await this.purchases.authorize(em, {
        cardId: card.id,
        issuerAuthorizationId: event.issuerAuthorizationId,
        amount: event.amount,
        merchant: event.merchant,
        issuerDeclineReason: event.approvedByIssuer === false ? 'Declined by the issuer' : undefined,
      });
      if (event.type === 'AUTHORIZATION_CREATED' && event.approvedByIssuer === false && result.approved) {
        // We approved its request but the issuer declined in the end (our answer came too late,
        // or its own controls): nothing will be captured, so the hold must not stay.
        await this.settlements.reverse(em, card.id, event.issuerAuthorizationId);
        return { status: 200, body: { outcome: 'DECLINED' } };
      }
      if (event.type === 'AUTHORIZATION_REQUEST' && issuer.authorizationResponse) {
        return issuer.authorizationResponse(result.approved);
      }
      return { status: 200, body: { outcome: result.approved ? 'APPROVED' : 'DECLINED' } };
    }

    const outcome = await em.transactional(async (tx) => {
      if (!(await this.events.record(tx, { eventKey: event.eventKey, provider: issuer.name, type: event.type, reference: card.id }))) {
        return 'DUPLICATE';
      }
      switch (event.type) {
        case 'CAPTURE':
          await this.settlements.capture(tx, card.id, event.issuerAuthorizationId, event.amount, event.merchant);
          return 'CAPTURED';
        case 'REVERSAL':
          await this.settlements.reverse(tx, card.id, event.issuerAuthorizationId);
          return 'REVERSED';
        case 'REFUND':
          await this.settlements.refund(tx, card.id, event.amount, event.merchant);
          return 'REFUNDED';
      }
    });
    return { status: 200, body: { outcome } };
  }
}
