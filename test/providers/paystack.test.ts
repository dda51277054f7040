import Paystack from 'paystack-sdk';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { ProviderError } from '../../src/providers/payment-provider.js';
import { PaystackProvider } from '../../src/providers/paystack/paystack.provider.js';
import { FakePaystack } from '../fakes/paystack-server.js';

/** The Paystack adapter's real code (paystack-sdk's modules over our client) against the local fake. */

const TIMEOUT_MS = 400;
let fake: FakePaystack;
let paystack: PaystackProvider;

beforeAll(async () => {
  fake = await FakePaystack.start();
  paystack = new PaystackProvider({ secretKey: fake.secretKey, baseUrl: fake.url, timeoutMs: TIMEOUT_MS });
});
afterAll(() => fake.close());
beforeEach(() => fake.reset());

async function providerError(promise: Promise<unknown>): Promise<ProviderError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ProviderError);
  return err as ProviderError;
}

const payout = (reference: string, overrides: Partial<Parameters<PaystackProvider['payout']>[0]> = {}) =>
  paystack.payout({
    reference,
    amount: 250_000n,
    currency: 'NGN',
    bankCode: '058',
    accountNumber: '0123456789',
    accountName: 'Ada Obi',
    reason: 'Wallet withdrawal',
    ...overrides,
  });

describe('deposits: transaction/initialize and transaction/verify', () => {
  const deposit = { reference: 'dep-0001', amount: 500_000n, currency: 'NGN', email: 'ada@example.com' };

  it('initializes with our reference, kobo and currency, and returns Paystack\'s checkout URL', async () => {
    const result = await paystack.initializeDeposit(deposit);
    const t = fake.transactions.get('dep-0001')!;
    expect(result).toEqual({ checkoutUrl: `${fake.url}/checkout/${t.accessCode}`, providerRef: t.accessCode });
    const [req] = fake.requestsTo('POST', '/transaction/initialize');
    expect(req.authorization).toBe(`Bearer ${fake.secretKey}`);
    expect(req.body).toMatchObject({ email: 'ada@example.com', currency: 'NGN', reference: 'dep-0001' });
    expect(Number((req.body as { amount: unknown }).amount)).toBe(500_000);
    expect((await fetch(result.checkoutUrl)).status).toBe(200);
  });

  it('verify: unpaid is PENDING, paid is SUCCEEDED with amount, currency and fee as bigint', async () => {
    await paystack.initializeDeposit(deposit);
    expect(await paystack.verifyDeposit('dep-0001')).toEqual({
      reference: 'dep-0001', status: 'PENDING', amount: 500_000n, currency: 'NGN', fee: 0n,
    });
    await fake.pay('dep-0001', { fees: 17_500 });
    expect(await paystack.verifyDeposit('dep-0001')).toEqual({
      reference: 'dep-0001', status: 'SUCCEEDED', amount: 500_000n, currency: 'NGN', fee: 17_500n,
    });
    expect(fake.requestsTo('GET', '/transaction/verify/dep-0001')).toHaveLength(2);
  });

  it('verify: a declined charge is FAILED; a paid amount or currency that differs is reported as paid', async () => {
    await paystack.initializeDeposit(deposit);
    await paystack.initializeDeposit({ ...deposit, reference: 'dep-0002' });
    fake.decline('dep-0001');
    await fake.pay('dep-0002', { amount: 400_000, currency: 'GHS' });
    expect((await paystack.verifyDeposit('dep-0001')).status).toBe('FAILED');
    expect(await paystack.verifyDeposit('dep-0002')).toMatchObject({ status: 'SUCCEEDED', amount: 400_000n, currency: 'GHS' });
  });

  it('refusals are definite ProviderErrors with Paystack\'s message; 5xx and timeouts are not definite', async () => {
    await paystack.initializeDeposit(deposit);
    const dup = await providerError(paystack.initializeDeposit(deposit));
    expect([dup.definite, dup.status, dup.message]).toEqual([true, 400, 'Duplicate Transaction Reference']);
    const missing = await providerError(paystack.verifyDeposit('nope'));
    expect([missing.definite, missing.status]).toEqual([true, 404]);
    const badKey = new PaystackProvider({ secretKey: 'sk_wrong', baseUrl: fake.url });
    const unauthorized = await providerError(badKey.verifyDeposit('dep-0001'));
    expect([unauthorized.definite, unauthorized.status, unauthorized.message]).toEqual([true, 401, 'Invalid key']);

    fake.failNext('POST /transaction/initialize', 502);
    const down = await providerError(paystack.initializeDeposit({ ...deposit, reference: 'dep-0003' }));
    expect([down.definite, down.status]).toEqual([false, 502]);
    fake.delayNext('/transaction/verify/*', TIMEOUT_MS * 5);
    const slow = await providerError(paystack.verifyDeposit('dep-0001'));
    expect(slow.definite).toBe(false);
    expect(slow.message).toMatch(/timed out/);
  });
});

describe('banks and account resolution', () => {
  it('lists the active banks of a currency', async () => {
    const ngn = await paystack.listBanks('NGN');
    expect(ngn.map((b) => b.code)).toEqual(['044', '058', '057']);
    expect(ngn[1]).toEqual({ code: '058', name: 'Guaranty Trust Bank', currency: 'NGN' });
    expect((await paystack.listBanks('GHS')).every((b) => b.currency === 'GHS')).toBe(true);
    expect(fake.requestsTo('GET', '/bank').map((r) => r.query)).toEqual([{ currency: 'NGN' }, { currency: 'GHS' }]);
    fake.failNext('GET /bank', 502, { body: '<html>502 Bad Gateway</html>' });
    const gateway = await providerError(paystack.listBanks('NGN'));
    expect([gateway.definite, gateway.status]).toEqual([false, 502]);
  });

  it('resolves a known account to its holder, an unknown one to null, and throws for a bad bank code', async () => {
    fake.accountNames.set('0123456789', 'ADA OBI');
    expect(await paystack.resolveAccount('058', '0123456789')).toBe('ADA OBI');
    expect(fake.requestsTo('GET', '/bank/resolve')[0].query).toEqual({ account_number: '0123456789', bank_code: '058' });
    expect(await paystack.resolveAccount('058', '0000000000')).toBeNull();
    fake.unresolvable.add('1111111111');
    expect(await paystack.resolveAccount('058', '1111111111')).toBeNull();
    expect((await providerError(paystack.resolveAccount('12345', '0123456789'))).definite).toBe(true);
    fake.failNext('/bank/resolve', 503);
    expect((await providerError(paystack.resolveAccount('058', '0123456789'))).definite).toBe(false);
  });
});

describe('payouts: transfer recipient, transfer, transfer/verify', () => {
  it('payoutCurrencies are the ones Paystack transfers reach', () => {
    expect(paystack.payoutCurrencies()).toEqual(['NGN', 'GHS', 'ZAR', 'KES']);
  });

  it('creates the recipient, then transfers in kobo with our reference as Paystack\'s reference', async () => {
    const result = await payout('wd-0001');
    const transfer = fake.transfers.get('wd-0001')!;
    expect(result).toEqual({ status: 'PENDING', providerRef: transfer.code });
    expect(fake.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['POST /transferrecipient', 'POST /transfer']);
    expect(fake.requests[0].body).toEqual({
      type: 'nuban', name: 'Ada Obi', account_number: '0123456789', bank_code: '058', currency: 'NGN',
    });
    expect(fake.requests[1].body).toEqual({
      source: 'balance', amount: 250_000, recipient: transfer.recipient.code, reference: 'wd-0001',
      reason: 'Wallet withdrawal', currency: 'NGN',
    });
  });

  it.each([
    ['GHS', '040100', 'ghipss'],
    ['ZAR', '632005', 'basa'],
    ['KES', '01', 'kepss'],
  ])('pays out %s to a bank account (bank %s, recipient type %s)', async (currency, bankCode, type) => {
    expect((await payout(`wd-${currency}`, { currency, bankCode })).status).toBe('PENDING');
    expect(fake.requests[0].body).toMatchObject({ type, currency, bank_code: bankCode });
  });

  it('a repeat with the same reference pays once and reports the first transfer\'s status', async () => {
    const before = fake.balances.get('NGN')!;
    expect((await payout('wd-0002')).status).toBe('PENDING');
    expect((await payout('wd-0002')).status).toBe('PENDING');
    await fake.settleTransfer('wd-0002', 'success');
    expect((await payout('wd-0002')).status).toBe('SUCCEEDED');
    expect(fake.requestsTo('POST', '/transfer')).toHaveLength(3);
    expect(fake.transfers.size).toBe(1);
    expect(fake.recipients.size).toBe(1);
    expect(fake.balances.get('NGN')).toBe(before - 250_000);
  });

  it('a 4xx refusal is a definite FAILED with Paystack\'s message', async () => {
    fake.balances.set('NGN', 1_000);
    expect(await payout('wd-0003')).toEqual({ status: 'FAILED', failureReason: 'Your balance is not enough to fulfil this request' });
    expect(await payout('wd-0004', { accountNumber: '0000000000' })).toEqual({ status: 'FAILED', failureReason: 'Cannot resolve account' });
    expect(await payout('wd-0005', { currency: 'USD' })).toMatchObject({ status: 'FAILED' });
    expect(fake.transfers.size).toBe(0);
  });

  it('a 5xx is UNKNOWN, whether or not Paystack acted; a retry never pays twice', async () => {
    fake.failNext('POST /transfer', 500);
    expect((await payout('wd-0006')).status).toBe('UNKNOWN');
    expect(fake.transfers.has('wd-0006')).toBe(false);
    expect(await paystack.checkPayout('wd-0006')).toMatchObject({ status: 'FAILED' });

    fake.failNext('POST /transfer', 502, { afterProcessing: true });
    expect((await payout('wd-0007')).status).toBe('UNKNOWN');
    expect((await paystack.checkPayout('wd-0007')).status).toBe('PENDING');
    expect((await payout('wd-0007')).status).toBe('PENDING');
    expect([...fake.transfers.keys()]).toEqual(['wd-0007']);

    // A 200 we cannot read says nothing either.
    fake.failNext('POST /transfer', 200, { body: 'upstream reset', afterProcessing: true });
    expect((await payout('wd-0015')).status).toBe('UNKNOWN');
    expect(fake.transfers.get('wd-0015')?.status).toBe('pending');

    fake.failNext('POST /transferrecipient', 503);
    expect((await payout('wd-0008')).status).toBe('UNKNOWN');
    expect(fake.requestsTo('POST', '/transfer').map((r) => (r.body as { reference: string }).reference)).toEqual([
      'wd-0006', 'wd-0007', 'wd-0007', 'wd-0015',
    ]);
  });

  it('a timeout is UNKNOWN within about timeoutMs; Paystack may still have the transfer', async () => {
    fake.delayNext('POST /transfer', TIMEOUT_MS * 10);
    const started = Date.now();
    const result = await payout('wd-0009');
    expect(Date.now() - started).toBeLessThan(TIMEOUT_MS + 500);
    expect(result.status).toBe('UNKNOWN');
    expect(result.failureReason).toMatch(/timed out/);
    expect(fake.transfers.get('wd-0009')?.status).toBe('pending');
    expect((await payout('wd-0009')).status).toBe('PENDING');
    expect(fake.transfers.size).toBe(1);
  });

  it('checkPayout maps success, failed, reversed and a reference Paystack never got', async () => {
    for (const ref of ['wd-0010', 'wd-0011', 'wd-0012']) await payout(ref);
    await fake.settleTransfer('wd-0010', 'success');
    await fake.settleTransfer('wd-0011', 'failed');
    await fake.settleTransfer('wd-0012', 'success');
    await fake.settleTransfer('wd-0012', 'reversed');
    const code = (ref: string) => fake.transfers.get(ref)!.code;
    expect(await paystack.checkPayout('wd-0010')).toEqual({ status: 'SUCCEEDED', providerRef: code('wd-0010') });
    expect(await paystack.checkPayout('wd-0011')).toMatchObject({ status: 'FAILED', providerRef: code('wd-0011') });
    expect(await paystack.checkPayout('wd-0012')).toMatchObject({ status: 'REVERSED', providerRef: code('wd-0012') });
    expect(await paystack.checkPayout('wd-none')).toMatchObject({ status: 'FAILED' });
  });

  it('checkPayout is UNKNOWN on 5xx, timeouts and errors that say nothing about the transfer', async () => {
    await payout('wd-0013');
    fake.failNext('/transfer/verify/*', 500);
    expect((await paystack.checkPayout('wd-0013')).status).toBe('UNKNOWN');
    fake.delayNext('/transfer/verify/*', TIMEOUT_MS * 10);
    expect((await paystack.checkPayout('wd-0013')).status).toBe('UNKNOWN');
    const badKey = new PaystackProvider({ secretKey: 'sk_wrong', baseUrl: fake.url, timeoutMs: TIMEOUT_MS });
    expect((await badKey.checkPayout('wd-0013')).status).toBe('UNKNOWN');
  });

  describe('paystack-sdk 4.2.1 transfer.verify', () => {
    afterEach(() => vi.unstubAllGlobals());

    it('builds its path without the leading slash on its own; through our client it reaches /transfer/verify/:reference', async () => {
      const seen: string[] = [];
      vi.stubGlobal('fetch', async (url: string) => {
        seen.push(url);
        return new Response('{"status":true,"message":"ok","data":{}}', { status: 200 });
      });
      await new Paystack('sk_test').transfer.verify('wd-0014');
      expect(seen).toEqual(['https://api.paystack.cotransfer/verify/wd-0014']);
      vi.unstubAllGlobals();

      await payout('wd-0014');
      await paystack.checkPayout('wd-0014');
      expect(fake.requestsTo('GET', '/transfer/verify/*').map((r) => r.path)).toEqual(['/transfer/verify/wd-0014']);
    });
  });
});
