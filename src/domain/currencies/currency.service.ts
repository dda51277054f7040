import type { EntityManager } from '@mikro-orm/postgresql';
import { Currency } from './currency.entity.js';

/** The currencies the platform knows, in the order they were added. */
export enum CurrencyCode {
  NGN = 'NGN',
  USD = 'USD',
  GHS = 'GHS',
  KES = 'KES',
  ZAR = 'ZAR',
  GBP = 'GBP',
  EUR = 'EUR',
}

const ORDER = Object.values(CurrencyCode) as string[];

/** Formats minor units for people: "NGN 1,500.00". Exact: no floating point on the way. */
export function formatMoney(amount: bigint, currency: { code: string; exponent: number }): string {
  const negative = amount < 0n;
  const digits = (negative ? -amount : amount).toString().padStart(currency.exponent + 1, '0');
  const whole = digits.slice(0, digits.length - currency.exponent).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const fraction = currency.exponent > 0 ? `.${digits.slice(-currency.exponent)}` : '';
  return `${negative ? '-' : ''}${currency.code} ${whole}${fraction}`;
}

export class CurrencyService {
  /** The table is written by migrations only, so one read per process is enough. */
  private cache?: Promise<Map<string, Currency>>;

  async list(em: EntityManager): Promise<Currency[]> {
    const rows = [...(await this.byCode(em)).values()];
    return rows.sort((a, b) => ORDER.indexOf(a.code) - ORDER.indexOf(b.code));
  }

  async get(em: EntityManager, code: string): Promise<Currency> {
    const currency = (await this.byCode(em)).get(code);
    if (!currency) throw new Error(`Unknown currency ${code}`);
    return currency;
  }

  private byCode(em: EntityManager): Promise<Map<string, Currency>> {
    this.cache ??= em
      .find(Currency, {})
      .then((rows) => new Map(rows.map((c) => [c.code, c])))
      .catch((err: unknown) => {
        this.cache = undefined;
        throw err;
      });
    return this.cache;
  }
}
