import type { CardIssuer, CardReveal, CardWebhookEvent, IssueCardInput, IssuedCard, IssuerCardStatus } from '../card-issuer.js';
import { RevealUnsupportedError } from '../card-issuer.js';
import { Decimal, FLUTTERWAVE_CARD_CURRENCIES, FlutterwaveApiError, FlutterwaveHttp, toMajor, toMinor } from './flutterwave.http.js';
import { parseFlutterwaveWebhook } from './flutterwave.webhook.js';

/**
 * Flutterwave virtual cards (REST, v3). Flutterwave publishes no machine-readable spec: this
 * adapter (and test/fakes/flutterwave-server.ts) follow its public virtual-cards reference as
 * we know it, not verified against a live account:
 *   POST /virtual-cards {currency, amount, billing_name, billing_address, billing_city,
 *        billing_state, billing_postal_code, billing_country, first_name, last_name, email, ...}
 *   GET  /virtual-cards/:id
 *   POST /virtual-cards/:id/fund {amount, debit_currency}
 *   POST /virtual-cards/:id/withdraw {amount}
 *   PUT  /virtual-cards/:id/status/block | /status/unblock
 *   PUT  /virtual-cards/:id/terminate
 *   GET  /virtual-cards/:id/transactions
 * Answers are `{status: 'success', message, data}`; amounts are decimal major units.
 *
 * Flutterwave keeps the card balance itself and decides authorizations on it, so our card
 * account mirrors it: CardService tells it about every load (fund / withdraw), and its
 * transaction webhooks are recorded as they come (flutterwave.webhook.ts).
 *
 * The card's creation answer contains the full number and CVV (`card_pan`, `cvv`): only the
 * id, brand, last four digits and expiry are read from it; the rest is dropped at once and
 * never logged (money rule 10).
 *
 * Creation amount: Flutterwave's API requires `amount` at creation (its documented minimums
 * have changed over time). We create with 0 so the issuer-side balance starts where our card
 * account does; a loaded card is funded right after through fund(). If Flutterwave put money
 * on it anyway (an enforced minimum), that amount is withdrawn back at once.
 *
 * revealCard: Flutterwave's public API has no short-lived hosted page for card details (GET
 * /virtual-cards/:id returns the full number and CVV in JSON, which must not cross our API), so
 * reveal() fails with RevealUnsupportedError, which the API answers as BAD_USER_INPUT.
 */

interface FlwCard {
  id: string;
  amount?: number | string;
  currency?: string;
  masked_pan?: string;
  card_pan?: string;
  expiration?: string;
  card_type?: string;
  is_active?: boolean;
}

export interface FlutterwaveIssuerOptions {
  secretKey: string;
  secretHash: string;
  baseUrl?: string;
  timeoutMs: number;
}

export class FlutterwaveIssuer implements CardIssuer {
  readonly name = 'flutterwave' as const;
  readonly requires = { billingAddress: false, revealNonce: false } as const;
  private readonly http: FlutterwaveHttp;

  constructor(private readonly options: FlutterwaveIssuerOptions) {
    this.http = new FlutterwaveHttp({
      secretKey: options.secretKey,
      baseUrl: options.baseUrl ?? 'https://api.flutterwave.com/v3',
      timeoutMs: options.timeoutMs,
    });
  }

  currencies(): readonly string[] {
    return FLUTTERWAVE_CARD_CURRENCIES;
  }

  async issue(input: IssueCardInput): Promise<IssuedCard> {
    const address = input.billingAddress;
    const [firstName, ...rest] = input.cardholderName.trim().split(/\s+/);
    const card = await this.http.request<FlwCard>('POST', '/virtual-cards', {
      currency: input.currency,
      amount: new Decimal(toMajor(0n, input.currency)),
      debit_currency: input.currency,
      billing_name: input.cardholderName,
      billing_address: address?.line1,
      billing_city: address?.city,
      billing_state: address?.state ?? undefined,
      billing_postal_code: address?.postalCode,
      billing_country: address?.country,
      first_name: firstName || input.cardholderName,
      last_name: rest.join(' ') || firstName || input.cardholderName,
      email: input.email,
      callback_url: undefined,
    });
    const issued = describe(card);
    const opening = card.amount === undefined ? 0n : toMinor(card.amount, input.currency);
    if (opening > 0n) await this.withdraw(issued.issuerCardId, opening, input.currency);
    return issued;
  }

  async setStatus(issuerCardId: string, status: IssuerCardStatus): Promise<void> {
    const id = encodeURIComponent(issuerCardId);
    if (status === 'TERMINATED') {
      // Our ledger returns the card's balance to its wallet on termination. Whether Flutterwave
      // refunds a terminated card's balance to our account by itself is not something we could
      // verify, so the balance is withdrawn first (harmless if it would have been refunded).
      const { amount, currency } = await this.balance(issuerCardId);
      if (amount > 0n) await this.withdraw(issuerCardId, amount, currency);
    }
    const path =
      status === 'FROZEN'
        ? `/virtual-cards/${id}/status/block`
        : status === 'ACTIVE'
          ? `/virtual-cards/${id}/status/unblock`
          : `/virtual-cards/${id}/terminate`;
    await this.http.request('PUT', path);
  }

  async reveal(): Promise<CardReveal> {
    throw new RevealUnsupportedError('Flutterwave offers no short-lived page for card details');
  }

  /** Moves money from our Flutterwave balance onto the card (its own balance). */
  async fund(issuerCardId: string, amount: bigint, currency: string): Promise<void> {
    await this.http.request('POST', `/virtual-cards/${encodeURIComponent(issuerCardId)}/fund`, {
      amount: new Decimal(toMajor(amount, currency)),
      debit_currency: currency,
    });
  }

  /** Moves money off the card back to our Flutterwave balance. */
  async withdraw(issuerCardId: string, amount: bigint, currency: string): Promise<void> {
    await this.http.request('POST', `/virtual-cards/${encodeURIComponent(issuerCardId)}/withdraw`, {
      amount: new Decimal(toMajor(amount, currency)),
    });
  }

  /** The card's balance at Flutterwave, in minor units (for reconciliation and tests). */
  async balance(issuerCardId: string): Promise<{ amount: bigint; currency: string; active: boolean }> {
    const card = await this.http.request<FlwCard>('GET', `/virtual-cards/${encodeURIComponent(issuerCardId)}`);
    const currency = card.currency ?? 'USD';
    return { amount: toMinor(card.amount ?? 0, currency), currency, active: card.is_active !== false };
  }

  /** The card's transactions as Flutterwave lists them (raw; for reconciliation). */
  async transactions(issuerCardId: string, range: { from: string; to: string; index?: number; size?: number }): Promise<unknown[]> {
    const q = new URLSearchParams({ from: range.from, to: range.to, index: String(range.index ?? 0), size: String(range.size ?? 100) });
    return this.http.request<unknown[]>('GET', `/virtual-cards/${encodeURIComponent(issuerCardId)}/transactions?${q}`);
  }

  parseWebhook(rawBody: Buffer, headers: Record<string, string | string[] | undefined>): CardWebhookEvent {
    return parseFlutterwaveWebhook(rawBody, headers, this.options.secretHash);
  }
}

/** Only what we may keep: the full number and CVV in the answer are never read. */
function describe(card: FlwCard): IssuedCard {
  if (!card?.id) throw new FlutterwaveApiError('Flutterwave created a card without an id', false);
  const masked = String(card.masked_pan ?? '');
  const last4 = /(\d{4})\s*$/.exec(masked)?.[1];
  if (!last4) throw new FlutterwaveApiError('Flutterwave card without masked_pan', false);
  // expiration is "YYYY-MM" in Flutterwave's answers ("MM/YY" accepted too).
  const exp = String(card.expiration ?? '');
  let expMonth = 0;
  let expYear = 0;
  let m = /^(\d{4})-(\d{1,2})/.exec(exp);
  if (m) [expYear, expMonth] = [Number(m[1]), Number(m[2])];
  else if ((m = /^(\d{1,2})\/(\d{2,4})$/.exec(exp))) [expMonth, expYear] = [Number(m[1]), Number(m[2].length === 2 ? `20${m[2]}` : m[2])];
  if (!expMonth || !expYear) throw new FlutterwaveApiError('Flutterwave card without a readable expiration', false);
  return {
    issuerCardId: String(card.id),
    brand: (card.card_type ?? 'card').toUpperCase(),
    last4,
    expMonth,
    expYear,
  };
}
