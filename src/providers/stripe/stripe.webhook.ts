import type Stripe from 'stripe';
import type { CardWebhookEvent } from '../card-issuer.js';
import { WebhookSignatureError } from '../payment-provider.js';
import { signatureHeader, type WebhookHeaders } from '../webhook-header.js';

/** Stripe's default tolerance for a signed timestamp (seconds). */
export const SIGNATURE_TOLERANCE_SECONDS = 300;

type Obj = Record<string, unknown>;

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
/** An id, whether Stripe sent it as a string or as the expanded object. */
const idOf = (v: unknown): string | undefined => str(v) ?? str((v as Obj | null | undefined)?.id);
const int = (v: unknown): bigint | undefined => (Number.isSafeInteger(v) ? BigInt(v as number) : undefined);

function merchantOf(obj: Obj): { name: string; category: string | null; country: string | null } {
  const m = (obj.merchant_data ?? {}) as Obj;
  return { name: str(m.name) ?? 'Card purchase', category: str(m.category) ?? null, country: str(m.country) ?? null };
}

/**
 * Verifies `Stripe-Signature` (t=…,v1=HMAC-SHA256 of `${t}.${body}`, within the tolerance) with
 * the SDK's own check, then normalizes the Issuing events that move money. Amounts of Issuing
 * objects are in the card's currency and minor units; captures are reported negative.
 */
export function parseStripeWebhook(
  stripe: Stripe,
  rawBody: Buffer,
  headers: WebhookHeaders,
  webhookSecret: string,
  tolerance = SIGNATURE_TOLERANCE_SECONDS,
): CardWebhookEvent {
  const signature = signatureHeader(headers, 'stripe-signature');
  if (!signature) throw new WebhookSignatureError('missing Stripe-Signature');
  let event: Stripe.Event;
  try {
    event = stripe.webhooks.constructEvent(rawBody, signature, webhookSecret, tolerance);
  } catch (err) {
    if ((err as { type?: string }).type === 'StripeSignatureVerificationError') throw new WebhookSignatureError('bad Stripe-Signature');
    throw new Error('Stripe webhook body is signed but is not a JSON event', { cause: err });
  }
  return normalizeStripeEvent(event as unknown as { id: string; type: string; data?: { object?: Obj } });
}

export function normalizeStripeEvent(event: { id: string; type: string; data?: { object?: Obj } }): CardWebhookEvent {
  const obj = (event.data?.object ?? {}) as Obj;
  const eventKey = `stripe:${event.type}:${str(obj.id) ?? event.id}`;
  const ignored = { type: 'IGNORED' as const, eventKey };
  const cardId = idOf(obj.card);
  const objectId = str(obj.id);
  if (!objectId) return ignored;

  switch (event.type) {
    case 'issuing_authorization.request': {
      const amount = int((obj.pending_request as Obj | null)?.amount);
      if (!cardId || amount === undefined || amount <= 0n) return ignored;
      return { type: 'AUTHORIZATION_REQUEST', eventKey, issuerCardId: cardId, issuerAuthorizationId: objectId, amount, merchant: merchantOf(obj) };
    }
    case 'issuing_authorization.created': {
      // Stripe decided already (we answered its request, or it decided without us). A repeat of
      // one we answered finds our recorded decision; otherwise what Stripe decided is recorded.
      const lastRequest = Array.isArray(obj.request_history) ? (obj.request_history.at(-1) as Obj | undefined) : undefined;
      const candidates = [int(obj.amount), int((obj.pending_request as Obj | null)?.amount), int(lastRequest?.amount)];
      const amount = candidates.find((a) => (a ?? 0n) > 0n);
      if (!cardId || amount === undefined) return ignored;
      return {
        type: 'AUTHORIZATION_CREATED',
        eventKey,
        issuerCardId: cardId,
        issuerAuthorizationId: objectId,
        amount,
        merchant: merchantOf(obj),
        approvedByIssuer: obj.approved === true,
      };
    }
    case 'issuing_authorization.updated': {
      const status = obj.status;
      const captured = Array.isArray(obj.transactions) && obj.transactions.length > 0;
      const released = status === 'reversed' || status === 'expired' || (status === 'closed' && obj.amount === 0 && !captured);
      if (!cardId || !released) return ignored;
      return { type: 'REVERSAL', eventKey, issuerCardId: cardId, issuerAuthorizationId: objectId };
    }
    case 'issuing_transaction.created': {
      // No amount reads as 0: neither a capture nor a refund.
      const amount = int(obj.amount) ?? 0n;
      if (!cardId) return ignored;
      if (obj.type === 'capture' && amount < 0n) {
        return { type: 'CAPTURE', eventKey, issuerCardId: cardId, issuerAuthorizationId: idOf(obj.authorization) ?? null, amount: -amount, merchant: merchantOf(obj) };
      }
      if (obj.type === 'refund' && amount > 0n) {
        return { type: 'REFUND', eventKey, issuerCardId: cardId, amount, merchant: merchantOf(obj) };
      }
      return ignored;
    }
    default:
      return ignored;
  }
}
