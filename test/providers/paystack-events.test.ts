import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parsePaystackWebhook, paystackSignature, toMinorUnits } from '../../src/providers/paystack/paystack.webhook.js';
import { WebhookSignatureError } from '../../src/providers/payment-provider.js';

/**
 * parsePaystackWebhook on its edges: the signature header in every form it may take, bodies
 * that are signed but odd, and the amounts Paystack may send. The adapter's path through the
 * fake is in paystack-webhook.test.ts.
 */
const KEY = 'sk_test_pin';
const sign = (body: string) => paystackSignature(body, KEY);
const parse = (body: string, headers: Record<string, string | string[] | undefined> = { 'x-paystack-signature': sign(body) }) =>
  parsePaystackWebhook(Buffer.from(body), headers, KEY);
const failure = (fn: () => unknown): unknown => {
  try {
    fn();
  } catch (err) {
    return err;
  }
  return 'no error';
};
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

describe('paystackSignature', () => {
  it('is the hex HMAC-SHA512 of the raw body with the secret key (values from openssl dgst -sha512 -hmac)', () => {
    expect(paystackSignature('body', 'key')).toBe(
      'b71e82b42ece244182aae00f5c418d84b5b0ac844874765e658e91b26261b32df39e9fcbf44424d0e3b53bab192e78a4936224ec940cf953164b70aacdd4c845',
    );
    expect(paystackSignature(Buffer.from('{"event":"charge.success"}'), KEY)).toBe(
      '07aeb740ccfc3d43f61833476192a3cc09620c518750ef0a68d049efe78a4c86f31f0d60a7591e5b00f8c4885327da59cc4a4942baabbeba708c46f5deefe6b8',
    );
  });
});

describe('parsePaystackWebhook: the signature', () => {
  const body = JSON.stringify({ event: 'charge.success', data: { id: 1, reference: 'dep-1', amount: 500, currency: 'NGN' } });

  it('accepts it in any letter case, with spaces around, under any casing of the header name, or as a list of one', () => {
    for (const headers of [
      { 'x-paystack-signature': sign(body) },
      { 'X-Paystack-Signature': sign(body) },
      { 'x-paystack-signature': ` ${sign(body).toUpperCase()} ` },
      { 'x-paystack-signature': [sign(body)] },
    ]) {
      expect(parse(body, headers).type, JSON.stringify(Object.keys(headers))).toBe('DEPOSIT_SUCCEEDED');
    }
  });

  it('refuses it missing, empty, doubled, wrong, cut short or padded, saying which', () => {
    const good = sign(body);
    for (const headers of [{}, { 'x-paystack-signature': '' }, { 'x-paystack-signature': '   ' }, { 'x-paystack-signature': [good, good] }, { 'x-paystack-signature': [] }, { other: good }]) {
      const err = failure(() => parse(body, headers));
      expect(err, JSON.stringify(headers)).toBeInstanceOf(WebhookSignatureError);
      expect((err as Error).message).toBe('missing x-paystack-signature');
    }
    for (const given of [sign(`${body} `), good.slice(2), `${good}00`, `00${good}`, `${good.slice(0, -1)}g`, 'z'.repeat(128)]) {
      const err = failure(() => parse(body, { 'x-paystack-signature': given }));
      expect(err).toBeInstanceOf(WebhookSignatureError);
      expect((err as Error).message).toBe('bad x-paystack-signature');
    }
  });

  it('refuses a signed body that is not JSON, as an error that is no signature failure', () => {
    const err = failure(() => parse('not json'));
    expect(err).toBeInstanceOf(Error);
    expect(err).not.toBeInstanceOf(WebhookSignatureError);
    expect((err as Error).message).toBe('Paystack webhook body is signed but is not JSON');
  });
});

describe('parsePaystackWebhook: the event', () => {
  it('maps the events that move money, and keys each by its type and id', () => {
    const event = (name: string) => parse(JSON.stringify({ event: name, data: { id: 77, reference: 'r-1', amount: 100, currency: 'NGN', fee_charged: 10 } }));
    expect(event('charge.success')).toEqual({
      type: 'DEPOSIT_SUCCEEDED',
      providerType: 'charge.success',
      reference: 'r-1',
      eventKey: 'paystack:charge.success:77',
      amount: 100n,
      currency: 'NGN',
      fee: 10n,
    });
    expect(event('transfer.success').type).toBe('PAYOUT_SUCCEEDED');
    expect(event('transfer.failed').type).toBe('PAYOUT_FAILED');
    expect(event('transfer.reversed').type).toBe('PAYOUT_REVERSED');
    expect(event('subscription.create')).toMatchObject({ type: 'IGNORED', eventKey: 'paystack:subscription.create:77' });
  });

  it('keys by id (a number or a string), else by reference, else by the exact bytes', () => {
    const key = (data: unknown) => parse(JSON.stringify({ event: 'charge.success', data })).eventKey;
    expect(key({ id: 'abc', reference: 'r-1' })).toBe('paystack:charge.success:abc');
    expect(key({ id: 0, reference: 'r-1' })).toBe('paystack:charge.success:0');
    expect(key({ reference: 'r-1' })).toBe('paystack:charge.success:r-1');
    expect(key({ id: { nested: 1 }, reference: 'r-1' })).toBe('paystack:charge.success:r-1');
    const odd = JSON.stringify({ event: 'charge.success', data: { id: true, reference: 42 } });
    expect(parse(odd)).toMatchObject({ eventKey: `paystack:charge.success:sha256-${sha256(odd)}`, reference: '' });
  });

  it('reads a body without an event name, without data, or with data that is not an object, as IGNORED and keyed by its bytes', () => {
    for (const body of ['null', '{}', '{"event":5,"data":null}', '{"event":"charge.success","data":"text"}', '{"event":"charge.success","data":7}', '[]']) {
      const event = parse(body);
      expect(event.eventKey, body).toMatch(new RegExp(`^paystack:(unknown|charge\\.success):sha256-${sha256(body)}$`));
      expect(event, body).toMatchObject({ reference: '', amount: undefined, currency: undefined, fee: undefined });
    }
    expect(parse('{"event":5}')).toMatchObject({ type: 'IGNORED', providerType: 'unknown' });
    expect(parse('null')).toMatchObject({ type: 'IGNORED', providerType: 'unknown' });
  });

  it('takes the currency only as text', () => {
    const currency = (value: unknown) => parse(JSON.stringify({ event: 'charge.success', data: { id: 1, currency: value } })).currency;
    expect(currency('NGN')).toBe('NGN');
    expect(currency(566)).toBeUndefined();
    expect(currency(null)).toBeUndefined();
  });
});

describe('toMinorUnits', () => {
  it('reads whole numbers, as JSON numbers or decimal text, and nothing else', () => {
    expect(toMinorUnits(5)).toBe(5n);
    expect(toMinorUnits(0)).toBe(0n);
    expect(toMinorUnits(-5)).toBe(-5n);
    expect(toMinorUnits('5')).toBe(5n);
    expect(toMinorUnits('-5')).toBe(-5n);
    expect(toMinorUnits('12345678901234567890')).toBe(12345678901234567890n);
    for (const value of [5.5, 2 ** 60, Number.NaN, '5.5', '', '-', 'abc', '12abc', 'abc12', '1 2', ' 5', '+5', null, undefined, true, [5], { amount: 5 }]) {
      expect(toMinorUnits(value), JSON.stringify(value) ?? String(value)).toBeUndefined();
    }
  });
});
