import { describe, expect, it } from 'vitest';
import { parseFlutterwaveWebhook } from '../../src/providers/flutterwave/flutterwave.webhook.js';
import { WebhookSignatureError } from '../../src/providers/payment-provider.js';

/**
 * parseFlutterwaveWebhook on the edges of Flutterwave's loosely shaped card notifications: every
 * spelling of direction and status it documents, where the id, card, merchant and event name
 * may be found, and what is IGNORED. The adapter's path through the fake is in flutterwave.test.ts.
 */
const SECRET = 'flw-secret-hash';
type Obj = Record<string, unknown>;
const parse = (body: unknown, headers: Record<string, string | string[] | undefined> = { 'verif-hash': SECRET }) =>
  parseFlutterwaveWebhook(Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)), headers, SECRET);
const tx = (over: Obj = {}, event: string | undefined = 'card.transaction') => ({
  ...(event === undefined ? {} : { event }),
  data: { id: 7001, card_id: 'card-1', amount: 12.5, currency: 'usd', type: 'debit', status: 'successful', merchant_name: 'Netflix', ...over },
});
const typeOf = (body: unknown) => parse(body).type;

describe('parseFlutterwaveWebhook', () => {
  it('takes the secret hash verbatim from one verif-hash header (any casing of its name), and nothing else', () => {
    expect(parse(tx()).type).toBe('CAPTURE');
    expect(parse(tx(), { 'Verif-Hash': SECRET }).type).toBe('CAPTURE');
    expect(parse(tx(), { 'verif-hash': [SECRET] }).type).toBe('CAPTURE');
    for (const headers of [
      {},
      { 'verif-hash': '' },
      { 'verif-hash': SECRET.toUpperCase() },
      { 'verif-hash': ` ${SECRET}` },
      { 'verif-hash': [] as string[] },
      { 'verif-hash': [SECRET, SECRET] },
    ]) {
      expect(() => parse(tx(), headers), JSON.stringify(headers)).toThrow(new WebhookSignatureError('Flutterwave verif-hash missing or wrong'));
    }
  });

  it('refuses a verified body that is not a JSON object, as an error that is no signature failure', () => {
    for (const [body, message] of [
      ['not json', 'Flutterwave webhook: body is not JSON'],
      ['null', 'Flutterwave webhook: body is not an object'],
      ['42', 'Flutterwave webhook: body is not an object'],
      [JSON.stringify(tx({ currency: undefined })), 'Flutterwave webhook: a card transaction without a currency'],
      [JSON.stringify(tx({ currency: '  ' })), 'Flutterwave webhook: a card transaction without a currency'],
    ]) {
      const err = (() => {
        try {
          parse(body);
        } catch (e) {
          return e;
        }
      })();
      expect(err, body).toBeInstanceOf(Error);
      expect(err, body).not.toBeInstanceOf(WebhookSignatureError);
      expect((err as Error).message).toBe(message);
    }
  });

  it('maps a debit to a capture when it succeeded and to a declined authorization when it failed, in every spelling', () => {
    for (const type of ['debit', 'DEBIT', 'd']) {
      for (const status of ['successful', 'success', 'completed', 'Successful']) {
        expect(parse(tx({ type, status })), `${type} ${status}`).toEqual({
          type: 'CAPTURE',
          eventKey: 'flutterwave:card.transaction:7001',
          issuerCardId: 'card-1',
          issuerAuthorizationId: 'flw-7001',
          amount: 1250n,
          merchant: { name: 'Netflix', category: null, country: null },
        });
      }
      for (const status of ['failed', 'declined', 'failure', 'FAILED']) {
        expect(parse(tx({ type, status })), `${type} ${status}`).toEqual({
          type: 'AUTHORIZATION_CREATED',
          eventKey: 'flutterwave:card.transaction:7001',
          issuerCardId: 'card-1',
          issuerAuthorizationId: 'flw-7001',
          amount: 1250n,
          merchant: { name: 'Netflix', category: null, country: null },
          approvedByIssuer: false,
        });
      }
      expect(typeOf(tx({ type, status: 'pending' }))).toBe('IGNORED');
      expect(typeOf(tx({ type, status: undefined }))).toBe('IGNORED');
    }
    // The direction may come as `indicator` instead of `type`.
    expect(typeOf(tx({ type: undefined, indicator: 'D' }))).toBe('CAPTURE');
  });

  it('maps a successful credit to a refund, and a failed one to nothing', () => {
    for (const type of ['credit', 'c', 'refund', 'Credit']) {
      expect(parse(tx({ type })), type).toEqual({
        type: 'REFUND',
        eventKey: 'flutterwave:card.transaction:7001',
        issuerCardId: 'card-1',
        amount: 1250n,
        merchant: { name: 'Netflix', category: null, country: null },
      });
      expect(typeOf(tx({ type, status: 'failed' }))).toBe('IGNORED');
    }
    for (const type of ['', 'transfer', undefined]) expect(typeOf(tx({ type }))).toBe('IGNORED');
  });

  it('ignores our own movements, told by their product, narration or description', () => {
    for (const words of ['Card Funding', 'funded card', 'Fund card', 'topup', 'Top-up', 'top up', 'Withdrawal', 'unload', 'Card creation fee', 'Terminated card', 'liquidation']) {
      expect(typeOf(tx({ type: 'credit', narration: words })), words).toBe('IGNORED');
      expect(typeOf(tx({ type: 'credit', product: words })), words).toBe('IGNORED');
      expect(typeOf(tx({ type: 'credit', description: words })), words).toBe('IGNORED');
    }
    // Words that only contain those: a merchant called "Refunds Inc" is not a funding.
    expect(typeOf(tx({ type: 'credit', narration: 'Refunds Inc' }))).toBe('REFUND');
  });

  it('finds the id as id, transaction reference or reference; the card, and the event name, wherever Flutterwave puts them', () => {
    expect(parse(tx({ id: undefined, transaction_reference: 'tr-1' })).eventKey).toBe('flutterwave:card.transaction:tr-1');
    expect(parse(tx({ id: undefined, reference: 'ref-1' })).eventKey).toBe('flutterwave:card.transaction:ref-1');
    expect(parse(tx({ id: '  spaced  ' })).eventKey).toBe('flutterwave:card.transaction:spaced');
    expect(parse(tx({ id: undefined }))).toEqual({ type: 'IGNORED', eventKey: 'flutterwave:card.transaction:unknown' });
    expect(parse(tx({ id: '   ' }))).toEqual({ type: 'IGNORED', eventKey: 'flutterwave:card.transaction:unknown' });
    expect(parse(tx({ card_id: undefined }))).toEqual({ type: 'IGNORED', eventKey: 'flutterwave:card.transaction:7001' });
    expect(parse(tx({ CardId: 'card-2', card_id: undefined }))).toMatchObject({ issuerCardId: 'card-2' });
    // No event name: a card transaction. Named otherwise, it still is one when the body names a card.
    expect(parse(tx({}, undefined)).eventKey).toBe('flutterwave:card.transaction:7001');
    expect(parse({ 'event.type': 'CARD_TRANSACTION', data: tx().data }).eventKey).toBe('flutterwave:CARD_TRANSACTION:7001');
    expect(parse(tx({}, 'charge.completed'))).toMatchObject({ type: 'CAPTURE', eventKey: 'flutterwave:charge.completed:7001' });
    expect(parse({ event: 'charge.completed', data: { id: 5, amount: 1, currency: 'NGN', status: 'successful' } })).toEqual({
      type: 'IGNORED',
      eventKey: 'flutterwave:charge.completed:5',
    });
    // An id that is no text or number is no id.
    expect(parse(tx({ id: { value: 1 }, reference: 'ref-2' })).eventKey).toBe('flutterwave:card.transaction:ref-2');
    // The fields may sit at the top level, without `data` or beside a `data` that is no object.
    expect(parse({ data: 'text', ...tx().data })).toMatchObject({ type: 'CAPTURE', issuerCardId: 'card-1', amount: 1250n });
    expect(parse({ CardId: 'card-3', Amount: 2, Currency: 'NGN', Type: 'Debit', Status: 'Successful', TransactionReference: 'x1' })).toMatchObject({
      type: 'CAPTURE',
      issuerCardId: 'card-3',
      amount: 200n,
    });
  });

  it('names the merchant from the first of its fields that is given, and Card purchase otherwise', () => {
    const merchant = (over: Obj) => (parse(tx({ merchant_name: undefined, ...over })) as { merchant: unknown }).merchant;
    expect(merchant({ merchant_name: 'A', merchant: { name: 'B' }, description: 'C', narration: 'D' })).toEqual({ name: 'A', category: null, country: null });
    expect(merchant({ merchant: { name: 'B', category: 'food', country: 'NG' }, description: 'C' })).toEqual({ name: 'B', category: 'food', country: 'NG' });
    expect(merchant({ description: 'C', narration: 'D' })).toMatchObject({ name: 'C' });
    expect(merchant({ narration: 'D' })).toMatchObject({ name: 'D' });
    expect(merchant({})).toEqual({ name: 'Card purchase', category: null, country: null });
    expect(merchant({ merchant: null })).toEqual({ name: 'Card purchase', category: null, country: null });
    expect(merchant({ merchant: 'Netflix' })).toEqual({ name: 'Card purchase', category: null, country: null });
    expect(merchant({ merchant_category: 'travel', merchant_country: 'GH', merchant: { category: 'x', country: 'y' } })).toEqual({
      name: 'Card purchase',
      category: 'travel',
      country: 'GH',
    });
  });
});
