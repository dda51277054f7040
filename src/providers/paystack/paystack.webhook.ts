import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { WebhookSignatureError, type WebhookEvent, type WebhookEventType } from '../payment-provider.js';
import { signatureHeader, type WebhookHeaders } from '../webhook-header.js';

/**
 * Paystack's documented events that move our money. There is no failed-charge event (a
 * declined or abandoned checkout is learned from transaction/verify by the recovery job), so
 * everything else is IGNORED but still verified and keyed.
 */
const EVENT_TYPES = new Map<string, WebhookEventType>([
  ['charge.success', 'DEPOSIT_SUCCEEDED'],
  ['transfer.success', 'PAYOUT_SUCCEEDED'],
  ['transfer.failed', 'PAYOUT_FAILED'],
  ['transfer.reversed', 'PAYOUT_REVERSED'],
]);

/** Hex HMAC-SHA512 of the raw body with the secret key, as Paystack signs `x-paystack-signature`. */
export function paystackSignature(rawBody: Buffer | string, secretKey: string): string {
  return createHmac('sha512', secretKey).update(rawBody).digest('hex');
}

/** Paystack amounts are JSON integers of minor units; anything else is not an amount. */
export function toMinorUnits(value: unknown): bigint | undefined {
  if (Number.isSafeInteger(value)) return BigInt(value as number);
  if (typeof value === 'string' && /^-?\d+$/.test(value)) return BigInt(value);
  return undefined;
}

export function parsePaystackWebhook(
  rawBody: Buffer,
  headers: WebhookHeaders,
  secretKey: string,
): WebhookEvent {
  const given = signatureHeader(headers, 'x-paystack-signature')?.trim().toLowerCase();
  if (!given) throw new WebhookSignatureError('missing x-paystack-signature');
  const expected = Buffer.from(paystackSignature(rawBody, secretKey), 'hex');
  const actual = /^[0-9a-f]{128}$/.test(given) ? Buffer.from(given, 'hex') : undefined;
  if (!actual || !timingSafeEqual(actual, expected)) throw new WebhookSignatureError('bad x-paystack-signature');

  let payload: { event?: unknown; data?: Record<string, unknown> | null };
  try {
    payload = JSON.parse(rawBody.toString('utf8'));
  } catch (err) {
    throw new Error('Paystack webhook body is signed but is not JSON', { cause: err });
  }
  const providerType = typeof payload?.event === 'string' ? payload.event : 'unknown';
  // A `data` that is no object has no fields to read: every read below finds undefined.
  const data: Record<string, unknown> = payload?.data ?? {};
  const reference = typeof data.reference === 'string' ? data.reference : '';
  const id = typeof data.id === 'number' || typeof data.id === 'string' ? String(data.id) : '';
  // Events with neither id nor reference are still deduplicated, on their exact bytes.
  const objectKey = id || reference || `sha256-${createHash('sha256').update(rawBody).digest('hex')}`;
  return {
    type: EVENT_TYPES.get(providerType) ?? 'IGNORED',
    providerType,
    reference,
    eventKey: `paystack:${providerType}:${objectKey}`,
    amount: toMinorUnits(data.amount),
    currency: typeof data.currency === 'string' ? data.currency : undefined,
    // Transfer events carry Paystack's fee like transfer/verify does, so both paths book it (rule 11).
    fee: toMinorUnits(data.fee_charged),
  };
}
