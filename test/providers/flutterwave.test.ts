import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { RevealUnsupportedError } from '../../src/providers/card-issuer.js';
import { FlutterwaveApiError, stringifyWithDecimals, Decimal, toMajor, toMinor } from '../../src/providers/flutterwave/flutterwave.http.js';
import { FlutterwaveIssuer } from '../../src/providers/flutterwave/flutterwave.issuer.js';
import { ProviderError, WebhookSignatureError } from '../../src/providers/payment-provider.js';
import { FakeFlutterwave } from '../fakes/flutterwave-server.js';

/** The Flutterwave adapter's real code (global fetch) against the local fake of its API. */

const TIMEOUT_MS = 400;
let fake: FakeFlutterwave;
let flw: FlutterwaveIssuer;

beforeAll(async () => {
  fake = await FakeFlutterwave.start();
  flw = new FlutterwaveIssuer({ secretKey: fake.secretKey, secretHash: fake.secretHash, baseUrl: fake.url, timeoutMs: TIMEOUT_MS });
});
afterAll(() => fake.close());
beforeEach(() => fake.reset());

async function failure(promise: Promise<unknown>): Promise<ProviderError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(FlutterwaveApiError);
  return err as ProviderError;
}

const issue = (currency = 'USD') =>
  flw.issue({ cardId: '7a1c8d4e-0000-4000-8000-000000000001', currency, cardholderName: 'Ada Obi', email: 'ada@example.com' });

describe('amounts', () => {
  it('converts between minor units and decimal text without floating point', () => {
    expect(toMajor(0n, 'USD')).toBe('0.00');
    expect(toMajor(5n, 'USD')).toBe('0.05');
    expect(toMajor(123456789012345678n, 'NGN')).toBe('1234567890123456.78');
    expect(toMinor(12.3, 'USD')).toBe(1230n);
    expect(toMinor('0.07', 'NGN')).toBe(7n);
    expect(toMinor(20, 'USD')).toBe(2000n);
    expect(() => toMinor(1.234, 'USD')).toThrow(FlutterwaveApiError);
    expect(() => toMinor('abc', 'USD')).toThrow(FlutterwaveApiError);
    expect(stringifyWithDecimals({ amount: new Decimal('10.05'), currency: 'USD' })).toBe('{"amount":10.05,"currency":"USD"}');
  });
});

describe('FlutterwaveIssuer against the fake', () => {
  it('issues USD and NGN cards only', () => {
    expect(flw.currencies()).toEqual(['USD', 'NGN']);
  });

  it('creates a card with amount 0, keeping only id, brand, last4 and expiry', async () => {
    const card = await issue();
    const stored = fake.cards.get(card.issuerCardId)!;
    expect(card).toEqual({
      issuerCardId: stored.id,
      brand: 'MASTERCARD',
      last4: stored.pan.slice(-4),
      expMonth: Number(stored.expiration.slice(5)),
      expYear: Number(stored.expiration.slice(0, 4)),
    });
    expect(JSON.stringify(card)).not.toContain(stored.pan);
    const create = fake.requests.find((r) => r.method === 'POST' && r.path === '/v3/virtual-cards')!;
    expect(create.authorization).toBe(`Bearer ${fake.secretKey}`);
    expect(create.rawBody).toContain('"amount":0.00');
    expect(create.body).toMatchObject({ currency: 'USD', billing_name: 'Ada Obi', first_name: 'Ada', last_name: 'Obi', email: 'ada@example.com' });
    expect(fake.balanceOf(card.issuerCardId)).toBe(0n);
  });

  it('withdraws at once what Flutterwave put on a new card (an enforced minimum)', async () => {
    fake.createMinimum = 500n;
    const card = await issue();
    expect(fake.balanceOf(card.issuerCardId)).toBe(0n);
    expect(fake.requests.some((r) => r.path.endsWith('/withdraw') && r.rawBody === '{"amount":5.00}')).toBe(true);
  });

  it('funds and withdraws the card balance Flutterwave keeps', async () => {
    const card = await issue('NGN');
    const before = fake.balances.get('NGN')!;
    await flw.fund(card.issuerCardId, 150_075n, 'NGN');
    expect(fake.balanceOf(card.issuerCardId)).toBe(150_075n);
    expect(fake.balances.get('NGN')).toBe(before - 150_075n);
    const fund = fake.requests.find((r) => r.path.endsWith('/fund'))!;
    expect(fund.rawBody).toBe('{"amount":1500.75,"debit_currency":"NGN"}');
    await flw.withdraw(card.issuerCardId, 50_000n, 'NGN');
    expect(fake.balanceOf(card.issuerCardId)).toBe(100_075n);
    expect(await flw.balance(card.issuerCardId)).toEqual({ amount: 100_075n, currency: 'NGN', active: true });
    const txs = await flw.transactions(card.issuerCardId, { from: '2020-01-01', to: '2100-01-01' });
    expect(txs).toHaveLength(2);
  });

  it('blocks, unblocks and terminates (withdrawing what is left first)', async () => {
    const card = await issue();
    await flw.fund(card.issuerCardId, 2_000n, 'USD');
    await flw.setStatus(card.issuerCardId, 'FROZEN');
    expect(fake.cards.get(card.issuerCardId)!.status).toBe('blocked');
    expect(fake.requests.at(-1)).toMatchObject({ method: 'PUT', path: `/v3/virtual-cards/${card.issuerCardId}/status/block` });
    await flw.setStatus(card.issuerCardId, 'ACTIVE');
    expect(fake.cards.get(card.issuerCardId)!.status).toBe('active');
    expect(fake.requests.at(-1)!.path).toBe(`/v3/virtual-cards/${card.issuerCardId}/status/unblock`);
    const wallet = fake.balances.get('USD')!;
    await flw.setStatus(card.issuerCardId, 'TERMINATED');
    expect(fake.cards.get(card.issuerCardId)!.status).toBe('terminated');
    expect(fake.balances.get('USD')).toBe(wallet + 2_000n);
    expect(fake.requests.at(-1)).toMatchObject({ method: 'PUT', path: `/v3/virtual-cards/${card.issuerCardId}/terminate` });
  });

  it('has no short-lived reveal page: a clear, permanent error', async () => {
    await expect(flw.reveal()).rejects.toBeInstanceOf(RevealUnsupportedError);
  });

  it('4xx refusals are definite, 5xx and timeouts are not', async () => {
    const card = await issue();
    const short = await failure(flw.withdraw(card.issuerCardId, 1n, 'USD'));
    expect(short).toMatchObject({ definite: true, status: 400 });
    expect(short.message).toContain('Insufficient card balance');
    expect(await failure(flw.fund('nope', 1n, 'USD'))).toMatchObject({ definite: true, status: 404 });

    fake.fail(/\/fund$/, { status: 503 });
    expect(await failure(flw.fund(card.issuerCardId, 100n, 'USD'))).toMatchObject({ definite: false, status: 503 });
    expect(fake.balanceOf(card.issuerCardId)).toBe(0n);

    fake.fail(/\/fund$/, { status: 429 });
    expect(await failure(flw.fund(card.issuerCardId, 100n, 'USD'))).toMatchObject({ definite: false, status: 429 });

    fake.fail(/\/fund$/, { delayMs: TIMEOUT_MS * 3 });
    const timedOut = await failure(flw.fund(card.issuerCardId, 100n, 'USD'));
    expect(timedOut.definite).toBe(false);
    expect(timedOut.message).toContain('timed out');

    fake.fail(/\/status\/block$/, { status: 200, body: { status: 'error', message: 'Card cannot be blocked', data: null } });
    expect(await failure(flw.setStatus(card.issuerCardId, 'FROZEN'))).toMatchObject({ definite: true });
    fake.fail(/\/virtual-cards$/, { status: 500, body: 'not json' });
    expect(await failure(issue())).toMatchObject({ definite: false, status: 500 });
  });

  it('a wrong secret key is refused with 401', async () => {
    const wrong = new FlutterwaveIssuer({ secretKey: 'FLWSECK_TEST-wrong', secretHash: 'x', baseUrl: fake.url, timeoutMs: TIMEOUT_MS });
    expect(await failure(wrong.issue({ cardId: 'x', currency: 'USD', cardholderName: 'A B', email: 'a@b.c' }))).toMatchObject({
      definite: true,
      status: 401,
    });
  });

  it('refuses currencies it does not issue before any call', async () => {
    await failure(flw.fund('any', 1n, 'GHS'));
    expect(fake.requests).toHaveLength(0);
  });
});

describe('Flutterwave webhooks', () => {
  const body = (data: Record<string, unknown>, event = 'card.transaction') => Buffer.from(JSON.stringify({ event, data }));
  const debit = { id: 9001, card_id: 'card-1', amount: 12.5, currency: 'USD', type: 'debit', status: 'successful', merchant_name: 'Netflix' };

  it('checks verif-hash: good, bad, missing', () => {
    expect(() => flw.parseWebhook(body(debit), { 'verif-hash': fake.secretHash })).not.toThrow();
    expect(() => flw.parseWebhook(body(debit), { 'verif-hash': 'wrong' })).toThrow(WebhookSignatureError);
    expect(() => flw.parseWebhook(body(debit), { 'verif-hash': `${fake.secretHash}x` })).toThrow(WebhookSignatureError);
    expect(() => flw.parseWebhook(body(debit), {})).toThrow(WebhookSignatureError);
    expect(() => flw.parseWebhook(Buffer.from('not json'), { 'verif-hash': fake.secretHash })).toThrow(Error);
  });

  const parse = (data: Record<string, unknown>, event?: string) => flw.parseWebhook(body(data, event), { 'verif-hash': fake.secretHash });

  it('maps a successful debit to a capture Flutterwave already decided', () => {
    expect(parse(debit)).toEqual({
      type: 'CAPTURE',
      eventKey: 'flutterwave:card.transaction:9001',
      issuerCardId: 'card-1',
      issuerAuthorizationId: 'flw-9001',
      amount: 1250n,
      merchant: { name: 'Netflix', category: null, country: null },
    });
  });

  it('maps a failed or declined debit to a declined authorization', () => {
    for (const status of ['failed', 'declined']) {
      expect(parse({ ...debit, status })).toMatchObject({
        type: 'AUTHORIZATION_CREATED',
        issuerAuthorizationId: 'flw-9001',
        amount: 1250n,
        approvedByIssuer: false,
      });
    }
  });

  it('maps a credit (merchant refund) to a refund', () => {
    expect(parse({ ...debit, id: 9002, type: 'credit', amount: '3.10', narration: 'Refund from Netflix' })).toEqual({
      type: 'REFUND',
      eventKey: 'flutterwave:card.transaction:9002',
      issuerCardId: 'card-1',
      amount: 310n,
      merchant: { name: 'Netflix', category: null, country: null },
    });
  });

  it('ignores our own fundings and withdrawals, and events that are not card transactions', () => {
    expect(parse({ ...debit, type: 'credit', product: 'Card Funding', narration: 'Funding of card' }).type).toBe('IGNORED');
    expect(parse({ ...debit, narration: 'Withdrawal from card' }).type).toBe('IGNORED');
    expect(parse({ id: 1, amount: 100, currency: 'NGN', status: 'successful' }, 'charge.completed').type).toBe('IGNORED');
  });

  it('reads the capitalized field style of card-debit notifications too', () => {
    const legacy = Buffer.from(
      JSON.stringify({ CardId: 'card-9', Amount: 7, Currency: 'NGN', Type: 'Debit', Status: 'Successful', TransactionReference: 'abc', Description: 'Jumia' }),
    );
    expect(flw.parseWebhook(legacy, { 'verif-hash': fake.secretHash })).toMatchObject({
      type: 'CAPTURE',
      eventKey: 'flutterwave:card.transaction:abc',
      issuerCardId: 'card-9',
      amount: 700n,
      merchant: { name: 'Jumia' },
    });
  });

  it('the fake delivers with the verif-hash header', async () => {
    const { createServer } = await import('node:http');
    const seen: (string | undefined)[] = [];
    const server = createServer((req, res) => {
      seen.push(req.headers['verif-hash'] as string | undefined);
      res.end('ok');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/hook`;
    await fake.deliver({ event: 'card.transaction', data: debit }, { url });
    await fake.deliver({ event: 'card.transaction', data: debit }, { url, hash: null });
    server.close();
    expect(seen).toEqual([fake.secretHash, undefined]);
  });
});
