import { describe, expect, it } from 'vitest';
import { luhnDigit } from './luhn.js';

/** A number passes the Luhn check when its digits, every second one from the right doubled, sum to a multiple of 10. */
function passes(number: string): boolean {
  let sum = 0;
  for (const [i, c] of [...number].reverse().entries()) {
    const d = Number(c) * (i % 2 === 1 ? 2 : 1);
    sum += d > 9 ? d - 9 : d;
  }
  return sum % 10 === 0;
}

describe('luhnDigit', () => {
  it('gives the check digit of well-known numbers', () => {
    expect(luhnDigit('424242424242424')).toBe('2'); // Stripe's test VISA 4242 4242 4242 4242
    expect(luhnDigit('7992739871')).toBe('3'); // the textbook example, 79927398713
    expect(luhnDigit('401288888888188')).toBe('1'); // VISA test card 4012 8888 8888 1881
    expect(luhnDigit('555555555555444')).toBe('4'); // Mastercard test card 5555 5555 5555 4444
  });

  it('answers 0 when the digits already sum to a multiple of 10', () => {
    expect(luhnDigit('0')).toBe('0');
    expect(luhnDigit('000000000000000')).toBe('0');
    expect(luhnDigit('19')).toBe('0'); // 9 doubled is 18, counted 9; with the 1: 10
  });

  it('makes every number pass the check, and every other last digit fail it', () => {
    let seed = 42;
    const next = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31);
    for (let n = 0; n < 500; n++) {
      const body = Array.from({ length: 1 + (next() % 18) }, () => String(next() % 10)).join('');
      const digit = luhnDigit(body);
      expect(passes(body + digit), body).toBe(true);
      for (let other = 0; other <= 9; other++) if (String(other) !== digit) expect(passes(body + other), `${body}${other}`).toBe(false);
    }
  });
});
