import { CURRENCIES } from '../../config/currencies.js';
import { ProviderError, isDefiniteRefusal } from '../payment-provider.js';

/**
 * Flutterwave's v3 REST conventions, as its public API reference describes them (there is no
 * machine-readable spec to check against): `Authorization: Bearer <secret key>`, JSON bodies,
 * answers `{ status: 'success' | 'error', message, data }`, amounts as decimal numbers in
 * major units ("12.34" USD, not cents).
 */

export interface FlutterwaveHttpOptions {
  secretKey: string;
  baseUrl: string;
  timeoutMs: number;
}

export interface FlutterwaveEnvelope<T> {
  status: 'success' | 'error' | string;
  message?: string;
  data: T;
}

/** A Flutterwave refusal or failure. `definite`: a 4xx (other than 408/429), nothing happened there. */
export class FlutterwaveApiError extends ProviderError {
  constructor(message: string, definite: boolean, status?: number) {
    super(message, definite, status);
    this.name = 'FlutterwaveApiError';
  }
}

/** The currencies Flutterwave issues virtual cards in (its own list); exponents come from the catalog. */
export const FLUTTERWAVE_CARD_CURRENCIES = ['USD', 'NGN'] as const;

function exponent(currency: string): number {
  if (!(FLUTTERWAVE_CARD_CURRENCIES as readonly string[]).includes(currency))
    throw new FlutterwaveApiError(`Flutterwave cards in ${currency} are not supported here`, true);
  return CURRENCIES[currency as (typeof FLUTTERWAVE_CARD_CURRENCIES)[number]].exponent;
}

/** Minor units to Flutterwave's decimal major units, as text (no floating point). */
export function toMajor(minor: bigint, currency: string): string {
  const e = exponent(currency);
  if (minor < 0n) throw new RangeError('negative amount');
  const digits = minor.toString().padStart(e + 1, '0');
  return e === 0 ? digits : `${digits.slice(0, -e)}.${digits.slice(-e)}`;
}

/**
 * Flutterwave's decimal amount (a JSON number or a string such as "12.30") to minor units.
 * JSON numbers arrive as doubles; their shortest text form (String(n)) is the decimal Flutterwave
 * wrote for any amount with at most 15 significant digits, which is parsed as text.
 */
export function toMinor(value: unknown, currency: string): bigint {
  const e = exponent(currency);
  const text = typeof value === 'number' ? String(value) : typeof value === 'string' ? value.trim().replace(/,/g, '') : '';
  const m = /^(\d+)(?:\.(\d+))?$/.exec(text);
  if (!m) throw new FlutterwaveApiError(`Unreadable amount from Flutterwave: ${JSON.stringify(value)}`, true);
  const fraction = (m[2] ?? '').replace(/0+$/, '');
  if (fraction.length > e) throw new FlutterwaveApiError(`Amount ${text} has more than ${e} decimals`, true);
  return BigInt(m[1]) * 10n ** BigInt(e) + BigInt(fraction.padEnd(e, '0') || '0');
}

/**
 * JSON with decimal amounts written as number literals from their exact text: values of type
 * `Decimal` are emitted unquoted, so no float ever carries money.
 */
export class Decimal {
  constructor(readonly text: string) {
    if (!/^\d+(\.\d+)?$/.test(text)) throw new RangeError(`not a decimal: ${text}`);
  }
}

export function stringifyWithDecimals(body: unknown): string {
  const decimals: string[] = [];
  const json = JSON.stringify(body, (_k, v: unknown) => {
    if (v instanceof Decimal) {
      decimals.push(v.text);
      return `\u0000dec${decimals.length - 1}\u0000`;
    }
    return v;
  });
  return json.replace(/"\\u0000dec(\d+)\\u0000"/g, (_m, i: string) => decimals[Number(i)]);
}

export class FlutterwaveHttp {
  private readonly baseUrl: string;

  constructor(private readonly options: FlutterwaveHttpOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
  }

  async request<T>(method: 'GET' | 'POST' | 'PUT', path: string, body?: unknown): Promise<T> {
    let res: Response;
    try {
      res = await fetch(`${this.baseUrl}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${this.options.secretKey}`,
          accept: 'application/json',
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : stringifyWithDecimals(body),
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
    } catch (err) {
      const timedOut = (err as Error).name === 'TimeoutError' || (err as Error).name === 'AbortError';
      throw new FlutterwaveApiError(
        timedOut ? `Flutterwave ${method} ${path}: timed out` : `Flutterwave ${method} ${path}: network error`,
        false,
      );
    }
    let parsed: FlutterwaveEnvelope<T> | undefined;
    try {
      parsed = (await res.json()) as FlutterwaveEnvelope<T>;
    } catch {
      parsed = undefined;
    }
    if (!res.ok || !parsed || parsed.status !== 'success') {
      const message = parsed?.message ?? `HTTP ${res.status}`;
      // A 200 with status "error" is a refusal too; a 200 we cannot read leaves the outcome unknown.
      const definite = res.ok ? parsed?.status === 'error' : isDefiniteRefusal(res.status);
      throw new FlutterwaveApiError(`Flutterwave ${method} ${path}: ${message}`, definite, res.status);
    }
    return parsed.data;
  }
}
