import { describe, expect, it } from 'vitest';
import { formatMoney, parseAmount } from '../../web/src/format.js';

/** The web app's money text: exact for any size (no floating point), in the reader's locale. */
const NGN = { code: 'NGN', exponent: 2, name: 'Naira', symbol: '₦' };
const JPY = { code: 'JPY', exponent: 0, name: 'Yen', symbol: '¥' };

describe('formatMoney', () => {
  it('writes minor units with the currency, grouping and decimals, exactly', () => {
    expect(formatMoney('0', NGN)).toMatch(/^₦0\.00$/);
    expect(formatMoney('5', NGN)).toMatch(/^₦0\.05$/);
    expect(formatMoney('123456', NGN)).toMatch(/^₦1,234\.56$/);
    // Beyond a double's 15-16 digits, still every digit.
    expect(formatMoney('999999999999999999', NGN)).toMatch(/^₦9,999,999,999,999,999\.99$/);
    expect(formatMoney('-150', NGN)).toMatch(/^-₦1\.50$/);
    expect(formatMoney('1500', JPY)).toMatch(/^¥1,500$/);
  });
});

describe('parseAmount', () => {
  it('reads what a person types as minor units', () => {
    expect(parseAmount('1500', NGN)).toBe('150000');
    expect(parseAmount('1,500.5', NGN)).toBe('150050');
    expect(parseAmount(' 0.05 ', NGN)).toBe('5');
    expect(parseAmount('12.', NGN)).toBe('1200');
    expect(parseAmount('1500', JPY)).toBe('1500');
  });

  it('refuses what is not an amount of the currency', () => {
    for (const text of ['', 'abc', '1.234', '-5', '0', '0.00', '1e3', '1.2.3']) expect(parseAmount(text, NGN), text).toBeNull();
    expect(parseAmount('1.5', JPY)).toBeNull();
  });
});
