import { createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { WebhookSignatureError, type WebhookEvent } from '../../src/providers/payment-provider.js';
import { PaystackProvider } from '../../src/providers/paystack/paystack.provider.js';
import { FakePaystack } from '../fakes/paystack-server.js';

/** parseWebhook: Paystack's x-paystack-signature over the raw body, event mapping and dedupe keys. */

let fake: FakePaystack;
let paystack: PaystackProvider;
let receiver: Server;
let received: { raw: Buffer; headers: IncomingHttpHeaders }[] = [];
let receiverUrl: string;

beforeAll(async () => {
  fake = await FakePaystack.start();
  paystack = new PaystackProvider({ secretKey: fake.secretKey, baseUrl: fake.url, timeoutMs: 1_000 });
  // Stands in for our webhook route: keeps the raw bytes, as the real one must.
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ raw: Buffer.concat(chunks), headers: req.headers });
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/webhooks/paystack`;
  fake.webhookUrl = receiverUrl;
});
afterAll(async () => {
  await fake.close();
  await new Promise((resolve) => receiver.close(resolve));
});
beforeEach(() => {
  fake.reset();
  received = [];
});

const sign = (raw: string, key = fake.secretKey) => createHmac('sha512', key).update(raw).digest('hex');
const parse = (raw: string, headers: Record<string, string | string[] | undefined>): WebhookEvent =>
  paystack.parseWebhook(Buffer.from(raw), headers);
const lastDelivery = () => {
  const { raw, headers } = received.at(-1)!;
  return paystack.parseWebhook(raw, headers);
};

describe('signature', () => {
  const raw = JSON.stringify({ event: 'charge.success', data: { id: 1, reference: 'dep-1', amount: 100, currency: 'NGN' } });

  it('accepts the hex HMAC-SHA512 of the raw body, whatever the header\'s case', () => {
    expect(parse(raw, { 'x-paystack-signature': sign(raw) }).type).toBe('DEPOSIT_SUCCEEDED');
    expect(parse(raw, { 'X-Paystack-Signature': sign(raw).toUpperCase() }).type).toBe('DEPOSIT_SUCCEEDED');
  });

  it.each<[string, () => Record<string, string | string[]>]>([
    ['missing', () => ({})],
    ['empty', () => ({ 'x-paystack-signature': '' })],
    ['non-hex', () => ({ 'x-paystack-signature': 'z'.repeat(128) })],
    ['truncated', () => ({ 'x-paystack-signature': sign(raw).slice(0, 64) })],
    ['other key\'s', () => ({ 'x-paystack-signature': sign(raw, 'sk_test_other') })],
    ['doubled', () => ({ 'x-paystack-signature': [sign(raw), sign(raw)] })],
  ])('refuses a %s signature with WebhookSignatureError', (_kind, headers) => {
    expect(() => parse(raw, headers())).toThrow(WebhookSignatureError);
  });

  it('refuses a body changed after signing (the signature covers the exact bytes)', () => {
    const signature = sign(raw);
    const reformatted = JSON.stringify(JSON.parse(raw), null, 2);
    expect(() => parse(reformatted, { 'x-paystack-signature': signature })).toThrow(WebhookSignatureError);
    expect(() => parse(raw.replace('"amount":100', '"amount":900'), { 'x-paystack-signature': signature })).toThrow(
      WebhookSignatureError,
    );
  });

  it('deliveries from the fake verify; one without a signature does not', async () => {
    await fake.sendWebhook(receiverUrl, 'charge.success', { id: 7, reference: 'dep-7', amount: 100, currency: 'NGN' });
    expect(lastDelivery().eventKey).toBe('paystack:charge.success:7');
    await fake.sendWebhook(receiverUrl, 'charge.success', { id: 8 }, { signature: null });
    expect(() => lastDelivery()).toThrow(WebhookSignatureError);
  });
});

describe('events from the fake Paystack', () => {
  it('charge.success after pay() is DEPOSIT_SUCCEEDED with our reference, amount as bigint and currency', async () => {
    await paystack.initializeDeposit({ reference: 'dep-0001', amount: 500_000n, currency: 'NGN', email: 'ada@example.com' });
    const { data, webhook } = await fake.pay('dep-0001');
    expect(webhook?.status).toBe(200);
    expect(lastDelivery()).toEqual({
      type: 'DEPOSIT_SUCCEEDED',
      providerType: 'charge.success',
      reference: 'dep-0001',
      eventKey: `paystack:charge.success:${data.id}`,
      amount: 500_000n,
      currency: 'NGN',
    });
  });

  it('transfer.success, transfer.failed and transfer.reversed map to payout events keyed by transfer id', async () => {
    await paystack.payout({
      reference: 'wd-0001', amount: 250_000n, currency: 'NGN', bankCode: '058', accountNumber: '0123456789', accountName: 'Ada Obi',
    });
    const id = fake.transfers.get('wd-0001')!.id;
    const events: WebhookEvent[] = [];
    for (const outcome of ['success', 'reversed', 'failed'] as const) {
      await fake.settleTransfer('wd-0001', outcome);
      events.push(lastDelivery());
    }
    expect(events.map((e) => [e.type, e.eventKey, e.reference, e.amount, e.currency])).toEqual([
      ['PAYOUT_SUCCEEDED', `paystack:transfer.success:${id}`, 'wd-0001', 250_000n, 'NGN'],
      ['PAYOUT_REVERSED', `paystack:transfer.reversed:${id}`, 'wd-0001', 250_000n, 'NGN'],
      ['PAYOUT_FAILED', `paystack:transfer.failed:${id}`, 'wd-0001', 250_000n, 'NGN'],
    ]);
  });

  it('other events are IGNORED but still keyed; a missing id falls back to the reference', async () => {
    await fake.sendWebhook(receiverUrl, 'subscription.create', { id: 44, subscription_code: 'SUB_x' });
    expect(lastDelivery()).toMatchObject({ type: 'IGNORED', providerType: 'subscription.create', eventKey: 'paystack:subscription.create:44' });
    await fake.sendWebhook(receiverUrl, 'charge.failed', { reference: 'dep-9', amount: 5 });
    expect(lastDelivery()).toMatchObject({ type: 'IGNORED', reference: 'dep-9', eventKey: 'paystack:charge.failed:dep-9' });
    await fake.sendWebhook(receiverUrl, 'transfer.success', { reference: 'wd-9', amount: 10, currency: 'NGN' });
    expect(lastDelivery()).toMatchObject({ type: 'PAYOUT_SUCCEEDED', eventKey: 'paystack:transfer.success:wd-9', amount: 10n });
  });

  it('a decline sends no webhook, as Paystack sends none for failed charges', async () => {
    await paystack.initializeDeposit({ reference: 'dep-0002', amount: 1_000n, currency: 'NGN', email: 'ada@example.com' });
    fake.decline('dep-0002');
    expect(received).toHaveLength(0);
  });
});
