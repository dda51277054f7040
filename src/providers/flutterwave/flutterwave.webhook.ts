import { timingSafeEqual, createHash } from 'node:crypto';
import type { CardWebhookEvent } from '../card-issuer.js';
import { WebhookSignatureError } from '../payment-provider.js';
import { toMinor } from './flutterwave.http.js';
import { signatureHeader, type WebhookHeaders } from '../webhook-header.js';

/**
 * Flutterwave card webhooks, from its public webhook reference (no machine-readable spec):
 * the `verif-hash` header carries the secret hash set on the dashboard verbatim (no HMAC), and
 * virtual-card transaction notifications are `{ event: 'card.transaction', data: { id, card_id,
 * amount (major units), currency, type: 'debit' | 'credit', status, merchant_name | description
 * | narration } }`. Flutterwave documents that card-debit payloads do not follow the usual
 * `{event, data}` structure exactly and its field casing has varied (`CardId`, `Amount`,
 * `Status`, `Type`, `TransactionReference`), so fields are read case- and underscore-blind.
 * What we could not verify against a live account: the exact event name and whether our own
 * fund / withdraw calls are also notified (treated as IGNORED when the narration says so).
 */

type Json = Record<string, unknown>;

/** Timing-safe comparison of two strings of any length (both hashed to a fixed length first). */
function sameSecret(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

/** Keys lower-cased without underscores: `card_id`, `CardId` and `cardId` all read as `cardid`. */
function flat(obj: unknown): Json {
  const out: Json = {};
  // A number or boolean has no entries; a string's are its characters, fields nobody reads.
  for (const [k, v] of Object.entries(obj ?? {})) out[k.toLowerCase().replace(/[_\s.-]/g, '')] = v;
  return out;
}

function str(v: unknown): string | undefined {
  if (typeof v === 'string' && v.trim()) return v.trim();
  if (Number.isFinite(v)) return String(v);
  return undefined;
}

/** Movements we made ourselves (funding, withdrawal, creation, termination): already in our ledger. */
function isOwnMovement(narration: string): boolean {
  return /\bfund(ing|ed)?\b|\btop\s*-?up|\bwithdraw|\bunload|card creation|\bterminat|\bliquidat/i.test(narration);
}

export function parseFlutterwaveWebhook(
  rawBody: Buffer,
  headers: WebhookHeaders,
  secretHash: string,
): CardWebhookEvent {
  const given = signatureHeader(headers, 'verif-hash');
  if (!given || !sameSecret(given, secretHash)) throw new WebhookSignatureError('Flutterwave verif-hash missing or wrong');
  let body: Json;
  try {
    body = JSON.parse(rawBody.toString('utf8')) as Json;
  } catch (err) {
    throw new Error('Flutterwave webhook: body is not JSON', { cause: err });
  }
  if (!body || typeof body !== 'object') throw new Error('Flutterwave webhook: body is not an object');
  const top = flat(body);
  const event = str(top.event) ?? str(top.eventtype) ?? 'card.transaction';
  const data = flat(top.data && typeof top.data === 'object' ? top.data : body);
  const id = str(data.id) ?? str(data.transactionreference) ?? str(data.reference);
  // What names a card is a card transaction, whatever the event is called.
  const cardId = str(data.cardid);
  if (!id || !cardId) return { type: 'IGNORED', eventKey: `flutterwave:${event}:${id ?? 'unknown'}` };

  const eventKey = `flutterwave:${event}:${id}`;
  const currency = str(data.currency)?.toUpperCase();
  if (!currency) throw new Error('Flutterwave webhook: a card transaction without a currency');
  const amount = toMinor(data.amount, currency);
  const direction = (str(data.type) ?? str(data.indicator))?.toLowerCase();
  const status = str(data.status)?.toLowerCase();
  // join() writes a missing part as an empty string.
  const narration = [str(data.product), str(data.narration), str(data.description)].join(' ');
  const m = flat(data.merchant);
  const merchant = {
    name: str(data.merchantname) ?? str(m.name) ?? str(data.description) ?? str(data.narration) ?? 'Card purchase',
    category: str(data.merchantcategory) ?? str(m.category) ?? null,
    country: str(data.merchantcountry) ?? str(m.country) ?? null,
  };

  if (isOwnMovement(narration)) return { type: 'IGNORED', eventKey };
  const isDebit = direction === 'debit' || direction === 'd';
  const isCredit = direction === 'credit' || direction === 'c' || direction === 'refund';
  const succeeded = status === 'successful' || status === 'success' || status === 'completed';
  const failed = status === 'failed' || status === 'declined' || status === 'failure';

  if (isDebit && succeeded) {
    // Flutterwave approved and took it from its card balance already: our mirror posts it.
    return { type: 'CAPTURE', eventKey, issuerCardId: cardId, issuerAuthorizationId: `flw-${id}`, amount, merchant };
  }
  if (isDebit && failed) {
    return {
      type: 'AUTHORIZATION_CREATED',
      eventKey,
      issuerCardId: cardId,
      issuerAuthorizationId: `flw-${id}`,
      amount,
      merchant,
      approvedByIssuer: false,
    };
  }
  if (isCredit && succeeded) return { type: 'REFUND', eventKey, issuerCardId: cardId, amount, merchant };
  return { type: 'IGNORED', eventKey };
}
