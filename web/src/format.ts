/** What the app knows of a currency (the `currencies` query). */
export interface CurrencyInfo {
  code: string;
  exponent: number;
  name: string;
  symbol: string;
}

const formatters = new Map<string, Intl.NumberFormat>();

function formatter(currency: CurrencyInfo): Intl.NumberFormat {
  let f = formatters.get(currency.code);
  if (!f) {
    f = new Intl.NumberFormat(undefined, {
      style: 'currency',
      currency: currency.code,
      currencyDisplay: 'narrowSymbol',
      minimumFractionDigits: currency.exponent,
      maximumFractionDigits: currency.exponent,
    });
    formatters.set(currency.code, f);
  }
  return f;
}

/**
 * Minor units (a string of digits, as the API sends them) as the reader's locale writes money:
 * "150000" NGN is "NGN 1,500.00" or "₦1,500.00". Exact for any size: the digits are split,
 * never divided as a floating-point number.
 */
export function formatMoney(minor: string, currency: CurrencyInfo): string {
  const negative = minor.startsWith('-');
  const digits = (negative ? minor.slice(1) : minor).padStart(currency.exponent + 1, '0');
  const whole = digits.slice(0, digits.length - currency.exponent) || '0';
  const fraction = digits.slice(digits.length - currency.exponent);
  const f = formatter(currency);
  // formatToParts on a small number gives the locale's symbols and order; the digits are ours.
  const parts = f.formatToParts(negative ? -1.5 : 1.5);
  const group = f.formatToParts(1000).find((p) => p.type === 'group')?.value ?? ',';
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, group);
  return parts.map((p) => (p.type === 'integer' ? grouped : p.type === 'fraction' ? fraction : p.value)).join('');
}

/**
 * What a person typed ("1,500.5", "1500") as minor units, or null when it is not an amount of
 * this currency (letters, more decimals than it has, nothing, zero or less).
 */
export function parseAmount(text: string, currency: CurrencyInfo): string | null {
  const cleaned = text.replace(/[\s,_]/g, '');
  const match = /^(\d+)(?:\.(\d*))?$/.exec(cleaned);
  if (!match) return null;
  const [, whole, fraction = ''] = match;
  if (fraction.length > currency.exponent) return null;
  const minor = (whole + fraction.padEnd(currency.exponent, '0')).replace(/^0+(?=\d)/, '');
  return /^0+$/.test(minor) ? null : minor;
}

export function formatDate(iso: string): string {
  return new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}
