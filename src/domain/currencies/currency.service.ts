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

export class CurrencyService {
  async list(em: EntityManager): Promise<Currency[]> {
    const rows = await em.find(Currency, {});
    return rows.sort((a, b) => ORDER.indexOf(a.code) - ORDER.indexOf(b.code));
  }
}
