import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { WebhookSignatureError } from '../../src/providers/payment-provider.js';
import { StripeIssuer, stripeHostOptions } from '../../src/providers/stripe/stripe.issuer.js';
import { FakeStripe } from '../fakes/stripe-server.js';

/** The Stripe Issuing adapter's real SDK code against a local fake of Stripe's API. */

let fake: FakeStripe;
let issuer: StripeIssuer;
const ADDRESS = { line1: '1 Main St', city: 'Austin', state: 'TX', postalCode: '78701', country: 'US' };
const input = (cardId: string, extra: Partial<Parameters<StripeIssuer['issue']>[0]> = {}) => ({
  cardId,
  userId: 'user-1',
  currency: 'USD',
  cardholderName: 'Ada Lovelace',
  email: 'ada@example.com',
  billingAddress: ADDRESS,
  ...extra,
});

beforeAll(async () => {
  fake = await FakeStripe.start();
  issuer = new StripeIssuer({ secretKey: fake.secretKey, webhookSecret: fake.webhookSecret, apiUrl: fake.url, timeoutMs: 500, maxNetworkRetries: 0 });
});
afterAll(() => fake.close());
beforeEach(() => fake.reset());

function headersFor(body: string, signature: string | null = fake.sign(body)) {
  return signature === null ? {} : { 'stripe-signature': signature };
}

describe('StripeIssuer', () => {
  it('parses STRIPE_API_URL into the SDK host options', () => {
    expect(stripeHostOptions('http://127.0.0.1:4010')).toEqual({ host: '127.0.0.1', port: 4010, protocol: 'http' });
    expect(stripeHostOptions('https://api.stripe.com')).toEqual({ host: 'api.stripe.com', port: 443, protocol: 'https' });
    expect(stripeHostOptions(undefined)).toEqual({});
    expect(issuer.currencies()).toEqual(['USD', 'GBP', 'EUR']);
  });

  it('issues a virtual card for an individual cardholder with a billing address, reusing the cardholder', async () => {
    const card = await issuer.issue(input('card-1'));
    expect(card).toMatchObject({ brand: 'VISA', last4: expect.stringMatching(/^\d{4}$/) });
    expect(card.issuerCardId).toMatch(/^ic_/);
    const [holderReq] = fake.requestsTo('POST', '/v1/issuing/cardholders');
    expect(holderReq.body).toMatchObject({
      type: 'individual',
      name: 'Ada Lovelace',
      email: 'ada@example.com',
      individual: { first_name: 'Ada', last_name: 'Lovelace' },
      billing: { address: { line1: '1 Main St', city: 'Austin', state: 'TX', postal_code: '78701', country: 'US' } },
      metadata: { user_id: 'user-1' },
    });
    const [cardReq] = fake.requestsTo('POST', '/v1/issuing/cards');
    expect(cardReq.body).toMatchObject({ currency: 'usd', type: 'virtual', status: 'active', metadata: { card_id: 'card-1' } });
    expect(cardReq.headers['idempotency-key']).toBe('card-card-1');
    expect(cardReq.headers.authorization).toBe(`Bearer ${fake.secretKey}`);
    expect(fake.cards.get(card.issuerCardId)).toMatchObject({ status: 'active', currency: 'usd' });

    // The same user's second card: one cardholder; the same card id again: the same card.
    await issuer.issue(input('card-2', { currency: 'EUR' }));
    expect(fake.cardholders.size).toBe(1);
    const again = await issuer.issue(input('card-1'));
    expect(again.issuerCardId).toBe(card.issuerCardId);
    expect(fake.cards.size).toBe(2);
  });

  it('refuses to issue without a billing address, and fails on 5xx, timeouts and a bad key', async () => {
    await expect(issuer.issue(input('c', { billingAddress: null }))).rejects.toThrow(/billing address/);
    fake.failNext('POST /v1/issuing/cards', 500);
    await expect(issuer.issue(input('c'))).rejects.toThrow();
    fake.delayNext('POST /v1/issuing/cards', 1500);
    await expect(issuer.issue(input('c2'))).rejects.toThrow();
    const wrong = new StripeIssuer({ secretKey: 'sk_test_wrong', webhookSecret: 'x', apiUrl: fake.url, timeoutMs: 500, maxNetworkRetries: 0 });
    await expect(wrong.issue(input('c3'))).rejects.toThrow(/Invalid API Key/);
  });

  it('follows our status: active, inactive, canceled (final)', async () => {
    const { issuerCardId } = await issuer.issue(input('card-s'));
    await issuer.setStatus(issuerCardId, 'FROZEN');
    expect(fake.cards.get(issuerCardId)!.status).toBe('inactive');
    await issuer.setStatus(issuerCardId, 'ACTIVE');
    expect(fake.cards.get(issuerCardId)!.status).toBe('active');
    await issuer.setStatus(issuerCardId, 'TERMINATED');
    expect(fake.cards.get(issuerCardId)!.status).toBe('canceled');
    await expect(issuer.setStatus(issuerCardId, 'ACTIVE')).rejects.toThrow(/canceled/);
    await expect(issuer.setStatus('ic_missing', 'FROZEN')).rejects.toThrow(/No such issuing card/);
  });

  it('reveals through an ephemeral key for Issuing Elements, only with a nonce', async () => {
    const { issuerCardId } = await issuer.issue(input('card-r'));
    const reveal = await issuer.reveal({ id: 'card-r', issuerCardId }, 'nonce_123');
    expect(reveal.ephemeralKeySecret).toMatch(/^ek_test_/);
    expect(reveal.url).toBeUndefined();
    expect(reveal.expiresAt.getTime()).toBeGreaterThan(Date.now());
    const [req] = fake.requestsTo('POST', '/v1/ephemeral_keys');
    expect(req.body).toEqual({ issuing_card: issuerCardId, nonce: 'nonce_123' });
    expect(req.headers['stripe-version']).toBe(StripeIssuer.apiVersion);
    await expect(issuer.reveal({ id: 'card-r', issuerCardId }, null)).rejects.toThrow(/nonce/);
  });

  it('verifies Stripe-Signature over the raw body', () => {
    const body = JSON.stringify(fake.event('issuing_authorization.request', fake.authorization('ic_1', 700)));
    expect(() => issuer.parseWebhook(Buffer.from(body), headersFor(body, null))).toThrow(new WebhookSignatureError('missing Stripe-Signature'));
    expect(() => issuer.parseWebhook(Buffer.from(body), { 'stripe-signature': '' })).toThrow(new WebhookSignatureError('missing Stripe-Signature'));
    expect(() => issuer.parseWebhook(Buffer.from(body), headersFor(body, 'garbage'))).toThrow(new WebhookSignatureError('bad Stripe-Signature'));
    expect(() => issuer.parseWebhook(Buffer.from(body), headersFor(body, fake.sign(body, { secret: 'whsec_other' })))).toThrow(WebhookSignatureError);
    expect(() => issuer.parseWebhook(Buffer.from(`${body} `), headersFor(body))).toThrow(WebhookSignatureError);
    const stale = fake.sign(body, { timestamp: Math.floor(Date.now() / 1000) - 3600 });
    expect(() => issuer.parseWebhook(Buffer.from(body), headersFor(body, stale))).toThrow(WebhookSignatureError);
    expect(() => issuer.parseWebhook(Buffer.from(body), { 'stripe-signature': [fake.sign(body), fake.sign(body)] })).toThrow(WebhookSignatureError);
    const junk = 'not json';
    expect(() => issuer.parseWebhook(Buffer.from(junk), headersFor(junk))).toThrow('Stripe webhook body is signed but is not a JSON event');
    expect(() => issuer.parseWebhook(Buffer.from(junk), headersFor(junk))).not.toThrow(WebhookSignatureError);
  });

  it('normalizes Issuing events', () => {
    const parse = (type: string, object: Record<string, unknown>) => {
      const body = JSON.stringify(fake.event(type, object));
      return issuer.parseWebhook(Buffer.from(body), headersFor(body));
    };
    const auth = fake.authorization('ic_1', 700);
    expect(parse('issuing_authorization.request', auth)).toEqual({
      type: 'AUTHORIZATION_REQUEST',
      eventKey: `stripe:issuing_authorization.request:${auth.id}`,
      issuerCardId: 'ic_1',
      issuerAuthorizationId: auth.id,
      amount: 700n,
      merchant: { name: 'Rocket Rides', category: 'taxicabs_limousines', country: 'US' },
    });
    const created = { ...auth, amount: 700, approved: false, pending_request: null };
    expect(parse('issuing_authorization.created', created)).toMatchObject({ type: 'AUTHORIZATION_CREATED', amount: 700n, approvedByIssuer: false });
    expect(parse('issuing_authorization.updated', { ...auth, status: 'reversed', amount: 0 })).toEqual({
      type: 'REVERSAL',
      eventKey: `stripe:issuing_authorization.updated:${auth.id}`,
      issuerCardId: 'ic_1',
      issuerAuthorizationId: auth.id,
    });
    expect(parse('issuing_authorization.updated', { ...auth, status: 'closed', amount: 0, transactions: [] })).toMatchObject({ type: 'REVERSAL' });
    expect(parse('issuing_authorization.updated', { ...auth, status: 'closed', amount: 0, transactions: [{ id: 'ipi_1' }] })).toMatchObject({ type: 'IGNORED' });
    expect(parse('issuing_authorization.updated', { ...auth, status: 'pending', amount: 500 })).toMatchObject({ type: 'IGNORED' });
    const capture = fake.transaction('ic_1', 'capture', 650, auth.id);
    expect(parse('issuing_transaction.created', capture)).toEqual({
      type: 'CAPTURE',
      eventKey: `stripe:issuing_transaction.created:${capture.id}`,
      issuerCardId: 'ic_1',
      issuerAuthorizationId: auth.id,
      amount: 650n,
      merchant: { name: 'Rocket Rides', category: 'taxicabs_limousines', country: 'US' },
    });
    expect(parse('issuing_transaction.created', fake.transaction('ic_1', 'capture', 650, null))).toMatchObject({ type: 'CAPTURE', issuerAuthorizationId: null });
    expect(parse('issuing_transaction.created', fake.transaction('ic_1', 'refund', 300, null))).toMatchObject({ type: 'REFUND', amount: 300n });
    expect(parse('issuing_card.updated', { id: 'ic_1', object: 'issuing.card' })).toEqual({ type: 'IGNORED', eventKey: 'stripe:issuing_card.updated:ic_1' });
  });

  it('answers authorization requests in Stripe shape', () => {
    expect(issuer.authorizationResponse(true)).toEqual({ status: 200, headers: { 'Stripe-Version': StripeIssuer.apiVersion }, body: { approved: true } });
    expect(issuer.authorizationResponse(false).body).toEqual({ approved: false });
  });
});

describe('Stripe configuration', () => {
  it('needs the secret key and webhook secret when CARD_ISSUER=stripe', async () => {
    const { loadConfig, ConfigError } = await import('../../src/config/config.js');
    let problems: string[] = [];
    try {
      loadConfig({ CARD_ISSUER: 'stripe', STRIPE_API_URL: 'ftp://x' }, '/srv/wallet');
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      problems = (err as InstanceType<typeof ConfigError>).problems;
    }
    expect(problems.join('\n')).toMatch(/STRIPE_SECRET_KEY: required when CARD_ISSUER=stripe/);
    expect(problems.join('\n')).toMatch(/STRIPE_WEBHOOK_SECRET: required when CARD_ISSUER=stripe/);
    expect(problems.join('\n')).toMatch(/STRIPE_API_URL/);
    const config = loadConfig({ CARD_ISSUER: 'stripe', STRIPE_SECRET_KEY: 'sk_test_1', STRIPE_WEBHOOK_SECRET: 'whsec_1' }, '/srv/wallet');
    expect(config.cards).toMatchObject({ issuer: 'stripe', stripe: { secretKey: 'sk_test_1', webhookSecret: 'whsec_1', apiUrl: undefined } });
  });
});
