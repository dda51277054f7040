import { describe, expect, it } from 'vitest';
import { fingerprint } from '../../src/domain/idempotency/idempotency.service.js';

/**
 * An idempotency key's fingerprint (money rule 6) decides whether a repeat is the same
 * request: it must see through how an input was written, and nothing else.
 */
describe('idempotency fingerprint', () => {
  const input = { walletId: 'w1', amount: '1000', to: { bankCode: '058', accountNumber: '0123456789' } };

  it('is the same however the fields are ordered, at any depth', () => {
    const reordered = { to: { accountNumber: '0123456789', bankCode: '058' }, amount: '1000', walletId: 'w1' };
    expect(fingerprint('withdraw', reordered)).toBe(fingerprint('withdraw', input));
  });

  it('ignores fields left undefined, but not a field set to null', () => {
    expect(fingerprint('withdraw', { ...input, note: undefined })).toBe(fingerprint('withdraw', input));
    expect(fingerprint('withdraw', { ...input, note: null })).not.toBe(fingerprint('withdraw', input));
  });

  it('differs for another operation, another value anywhere, or another type of the same value', () => {
    const base = fingerprint('withdraw', input);
    expect(fingerprint('deposit', input)).not.toBe(base);
    expect(fingerprint('withdraw', { ...input, amount: '1001' })).not.toBe(base);
    expect(fingerprint('withdraw', { ...input, to: { ...input.to, accountNumber: '0123456788' } })).not.toBe(base);
    expect(fingerprint('withdraw', { ...input, to: { ...input.to, bankCode: '057' } })).not.toBe(base);
    expect(fingerprint('withdraw', { ...input, amount: 1000 })).not.toBe(base);
    // A field's name is part of it: the same values under other names are another request.
    expect(fingerprint('withdraw', { walletId: 'w1', amount: '1000', from: input.to })).not.toBe(base);
  });

  it('keeps the order of lists, and tells a list from an object with the same entries', () => {
    expect(fingerprint('op', { ids: ['a', 'b'] })).toBe(fingerprint('op', { ids: ['a', 'b'] }));
    expect(fingerprint('op', { ids: ['a', 'b'] })).not.toBe(fingerprint('op', { ids: ['b', 'a'] }));
    expect(fingerprint('op', { ids: ['a', 'b'] })).not.toBe(fingerprint('op', { ids: { 0: 'a', 1: 'b' } }));
    expect(fingerprint('op', { ids: [] })).not.toBe(fingerprint('op', { ids: {} }));
  });

  it('is the SHA-256 of the operation and the input as sorted JSON, so keys stored before an upgrade still match after it', () => {
    // printf 'withdraw\n{"amount":"1000","note":null,"tags":["a","b"],"to":{"accountNumber":"0123456789","bankCode":"058"},"walletId":"w1"}' | sha256sum
    const stored = '62e27129e76db123d1e530acea742d581b74337ed67d92d4c282ef4087b72dfd';
    expect(fingerprint('withdraw', { walletId: 'w1', to: { bankCode: '058', accountNumber: '0123456789' }, tags: ['a', 'b'], note: null, amount: '1000' })).toBe(stored);
  });
});
