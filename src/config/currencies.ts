/**
 * The currencies the platform knows: the one place a currency is added. Everything else is
 * derived from this list: the GraphQL `Currency` enum and `currencies` query, the rows of the
 * `currencies` table (written at start-up, under the migration lock), the default limits, and
 * the currencies of the sandbox provider and issuer. A real provider keeps its own list of what
 * it supports (Paystack's payouts, Flutterwave's cards): that is a fact about the provider.
 *
 * Amounts are stored in minor units, so a currency's exponent never changes once it is here:
 * start-up refuses a database whose row says otherwise.
 */

export interface CurrencyDefinition {
  /** English name, e.g. Nigerian Naira. */
  name: string;
  /** Digits after the decimal point. */
  exponent: number;
  symbol: string;
  /** The enum value's description in the schema. */
  description: string;
  /**
   * Default limits, in whole units of the currency (MONITORING_MAX_TRANSACTION,
   * MONITORING_DAILY_OUTFLOW, MONITORING_NEW_RECIPIENT_THRESHOLD, LIMIT_DEPOSIT_MAX and
   * LIMIT_BALANCE_MAX set other amounts, in minor units, for the currencies they name; the others
   * keep these): every currency has all of them.
   */
  limits: { maxTransaction: number; dailyOutflow: number; newRecipientThreshold: number; maxDeposit: number; maxBalance: number };
}

/** In the order they were added (the order of the `currencies` query). */
export const CURRENCIES = {
  NGN: {
    name: 'Nigerian Naira',
    exponent: 2,
    symbol: '₦',
    description: 'Nigerian naira; minor unit kobo.',
    limits: {
      maxTransaction: 5_000_000,
      dailyOutflow: 20_000_000,
      newRecipientThreshold: 100_000,
      maxDeposit: 5_000_000,
      maxBalance: 200_000_000,
    },
  },
  USD: {
    name: 'US Dollar',
    exponent: 2,
    symbol: '$',
    description: 'US dollar; minor unit cent.',
    limits: { maxTransaction: 10_000, dailyOutflow: 50_000, newRecipientThreshold: 1_000, maxDeposit: 10_000, maxBalance: 500_000 },
  },
  GHS: {
    name: 'Ghanaian Cedi',
    exponent: 2,
    symbol: 'GH₵',
    description: 'Ghanaian cedi; minor unit pesewa.',
    limits: { maxTransaction: 50_000, dailyOutflow: 200_000, newRecipientThreshold: 10_000, maxDeposit: 50_000, maxBalance: 2_000_000 },
  },
  KES: {
    name: 'Kenyan Shilling',
    exponent: 2,
    symbol: 'KSh',
    description: 'Kenyan shilling; minor unit cent.',
    limits: {
      maxTransaction: 1_000_000,
      dailyOutflow: 5_000_000,
      newRecipientThreshold: 100_000,
      maxDeposit: 1_000_000,
      maxBalance: 50_000_000,
    },
  },
  ZAR: {
    name: 'South African Rand',
    exponent: 2,
    symbol: 'R',
    description: 'South African rand; minor unit cent.',
    limits: { maxTransaction: 100_000, dailyOutflow: 500_000, newRecipientThreshold: 10_000, maxDeposit: 100_000, maxBalance: 5_000_000 },
  },
  GBP: {
    name: 'Pound Sterling',
    exponent: 2,
    symbol: '£',
    description: 'Pound sterling; minor unit penny.',
    limits: { maxTransaction: 10_000, dailyOutflow: 50_000, newRecipientThreshold: 1_000, maxDeposit: 10_000, maxBalance: 500_000 },
  },
  EUR: {
    name: 'Euro',
    exponent: 2,
    symbol: '€',
    description: 'Euro; minor unit cent.',
    limits: { maxTransaction: 10_000, dailyOutflow: 50_000, newRecipientThreshold: 1_000, maxDeposit: 10_000, maxBalance: 500_000 },
  },
} as const satisfies Record<string, CurrencyDefinition>;

export type CurrencyCode = keyof typeof CURRENCIES;

export const CURRENCY_CODES = Object.keys(CURRENCIES) as CurrencyCode[];

export function isCurrencyCode(code: string): code is CurrencyCode {
  return Object.hasOwn(CURRENCIES, code);
}

/** One default limit of every currency, by code, in minor units. */
export function defaultLimits(limit: keyof CurrencyDefinition['limits']): Record<CurrencyCode, bigint> {
  return Object.fromEntries(
    CURRENCY_CODES.map((code) => [code, BigInt(CURRENCIES[code].limits[limit]) * 10n ** BigInt(CURRENCIES[code].exponent)]),
  ) as Record<CurrencyCode, bigint>;
}
