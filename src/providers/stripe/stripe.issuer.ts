import Stripe from 'stripe';
import type { CardIssuer, CardReveal, CardWebhookEvent, IssueCardInput, IssuedCard, IssuerCardStatus } from '../card-issuer.js';
import { ProviderError, isDefiniteRefusal } from '../payment-provider.js';
import { parseStripeWebhook } from './stripe.webhook.js';

/** Stripe Issuing issues cards in these currencies only (USD in the US, GBP in the UK, EUR in the EEA). */
const CURRENCIES = ['USD', 'GBP', 'EUR'] as const;

const STATUS: { [key in IssuerCardStatus]: 'active' | 'inactive' | 'canceled' } = {
  ACTIVE: 'active',
  FROZEN: 'inactive',
  TERMINATED: 'canceled',
};

export interface StripeIssuerOptions {
  secretKey: string;
  webhookSecret: string;
  /** STRIPE_API_URL: another API host (a local fake in tests); Stripe's own by default. */
  apiUrl?: string;
  timeoutMs: number;
  maxNetworkRetries?: number;
}

/** host/port/protocol for the SDK from a URL such as http://127.0.0.1:4010. */
export function stripeHostOptions(apiUrl: string | undefined): { host?: string; port?: number; protocol?: 'http' | 'https' } {
  if (!apiUrl) return {};
  const url = new URL(apiUrl);
  const protocol = url.protocol === 'http:' ? 'http' : 'https';
  return { host: url.hostname, port: url.port ? Number(url.port) : protocol === 'http' ? 80 : 443, protocol };
}

/**
 * Stripe Issuing through the official `stripe` SDK. Cardholders are individuals with a billing
 * address (reused per user, found by email and our user id in metadata); cards are virtual.
 * Stripe asks us to approve each authorization (issuing_authorization.request, answered
 * synchronously with {approved}); captures, reversals and refunds arrive as events. The full
 * number and CVV are shown only by Stripe's Issuing Elements, with an ephemeral key we create
 * from the nonce Stripe.js made in the owner's browser.
 */
export class StripeIssuer implements CardIssuer {
  readonly name = 'stripe' as const;
  /** Stripe cardholders need a billing address; details are revealed through an ephemeral key bound to the client's nonce. */
  readonly requires = { billingAddress: true, revealNonce: true } as const;
  /** The API version the SDK is pinned to; sent with ephemeral keys and authorization answers. */
  static readonly apiVersion: string = Stripe.API_VERSION;
  private readonly stripe: Stripe;

  constructor(private readonly options: StripeIssuerOptions) {
    this.stripe = new Stripe(options.secretKey, {
      ...stripeHostOptions(options.apiUrl),
      timeout: options.timeoutMs,
      // Retries of POSTs carry the same Idempotency-Key, so one is safe; more would blow budgets.
      maxNetworkRetries: options.maxNetworkRetries ?? 1,
      telemetry: false,
    });
  }

  currencies(): readonly string[] {
    return CURRENCIES;
  }

  async issue(input: IssueCardInput): Promise<IssuedCard> {
    if (!input.billingAddress) throw new Error('Stripe cardholders need a billing address');
    try {
      const cardholder = await this.cardholder(input);
      const card = await this.stripe.issuing.cards.create(
        {
          cardholder,
          currency: input.currency.toLowerCase(),
          type: 'virtual',
          status: 'active',
          metadata: { card_id: input.cardId },
        },
        { idempotencyKey: `card-${input.cardId}` },
      );
      return {
        issuerCardId: card.id,
        brand: card.brand.toUpperCase(),
        last4: card.last4,
        expMonth: card.exp_month,
        expYear: card.exp_year,
      };
    } catch (err) {
      throw asProviderError(err);
    }
  }

  async setStatus(issuerCardId: string, status: IssuerCardStatus): Promise<void> {
    await this.stripe.issuing.cards.update(issuerCardId, { status: STATUS[status] });
  }

  async reveal(card: { id: string; issuerCardId: string }, nonce?: string | null): Promise<CardReveal> {
    if (!nonce) throw new Error('Stripe Issuing Elements needs the nonce Stripe.js created (revealCard nonce)');
    const key = await this.stripe.ephemeralKeys.create({ issuing_card: card.issuerCardId, nonce }, { apiVersion: StripeIssuer.apiVersion });
    if (!key.secret) throw new Error('Stripe returned an ephemeral key without its secret');
    return { ephemeralKeySecret: key.secret, expiresAt: new Date(key.expires * 1000) };
  }

  parseWebhook(rawBody: Buffer, headers: Record<string, string | string[] | undefined>): CardWebhookEvent {
    return parseStripeWebhook(this.stripe, rawBody, headers, this.options.webhookSecret);
  }

  /** Stripe's synchronous answer to issuing_authorization.request. */
  authorizationResponse(approved: boolean): { status: number; headers: Record<string, string>; body: { approved: boolean } } {
    return { status: 200, headers: { 'Stripe-Version': StripeIssuer.apiVersion }, body: { approved } };
  }

  /** The user's cardholder if Stripe has one (same email, our user id), else a new one. */
  private async cardholder(input: IssueCardInput): Promise<string> {
    const existing = await this.stripe.issuing.cardholders.list({ email: input.email, limit: 100 });
    const mine = existing.data.find(
      (c) =>
        c.status !== 'inactive' &&
        c.type === 'individual' &&
        (input.userId ? c.metadata?.user_id === input.userId : c.name === input.cardholderName),
    );
    if (mine) return mine.id;
    const address = input.billingAddress!;
    const [first, ...rest] = input.cardholderName.trim().split(/\s+/);
    const created = await this.stripe.issuing.cardholders.create(
      {
        type: 'individual',
        name: input.cardholderName,
        email: input.email,
        ...(first && rest.length > 0 ? { individual: { first_name: first, last_name: rest.join(' ') } } : {}),
        billing: {
          address: {
            line1: address.line1,
            ...(address.line2 ? { line2: address.line2 } : {}),
            city: address.city,
            ...(address.state ? { state: address.state } : {}),
            postal_code: address.postalCode,
            country: address.country,
          },
        },
        metadata: input.userId ? { user_id: input.userId } : {},
      },
      { idempotencyKey: `cardholder-${input.cardId}` },
    );
    return created.id;
  }
}

/** A Stripe API answer with an HTTP status as a ProviderError (definite for a 4xx refusal); anything else as it is. */
function asProviderError(err: unknown): unknown {
  const status = err instanceof Stripe.errors.StripeError ? err.statusCode : undefined;
  return status === undefined ? err : new ProviderError((err as Error).message, isDefiniteRefusal(status), status);
}
