import { CURRENCIES, CURRENCY_CODES, isCurrencyCode, type CurrencyCode as Code } from '../../config/currencies.js';

/** The currencies the platform knows (src/config/currencies.ts), as an enum-like object for the schema. */
export const CurrencyCode = Object.freeze(Object.fromEntries(CURRENCY_CODES.map((c) => [c, c]))) as { readonly [K in Code]: K };
export type CurrencyCode = Code;

/** A currency and how to show its amounts. */
export interface CurrencyInfo {
  code: CurrencyCode;
  name: string;
  exponent: number;
  symbol: string;
}

/** Formats minor units for people: "NGN 1,500.00". Exact: no floating point on the way. */
export function formatMoney(amount: bigint, currency: { code: string; exponent: number }): string {
  const negative = amount < 0n;
  const digits = (negative ? -amount : amount).toString().padStart(currency.exponent + 1, '0');
  const whole = digits.slice(0, digits.length - currency.exponent).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const fraction = currency.exponent > 0 ? `.${digits.slice(-currency.exponent)}` : '';
  return `${negative ? '-' : ''}${currency.code} ${whole}${fraction}`;
}

export class CurrencyService {
  /** Every currency, in the catalog's order. */
  list(): CurrencyInfo[] {
    return CURRENCY_CODES.map((code) => this.get(code));
  }

  get(code: string): CurrencyInfo {
    if (!isCurrencyCode(code)) throw new Error(`Unknown currency ${code}`);
    const { name, exponent, symbol } = CURRENCIES[code];
    return { code, name, exponent, symbol };
  }
}
