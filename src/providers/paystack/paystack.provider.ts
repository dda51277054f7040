import {
  ProviderError,
  type BankInfo,
  type DepositStatus,
  type InitializeDepositInput,
  type InitializeDepositResult,
  type PaymentProvider,
  type PayoutInput,
  type PayoutStatus,
  type WebhookEvent,
} from '../payment-provider.js';
import { createPaystackHttp, PaystackApiError } from './paystack.http.js';
import { paystackModules, type PaystackModules } from './paystack.sdk.js';
import { parsePaystackWebhook, toMinorUnits } from './paystack.webhook.js';

export interface PaystackProviderOptions {
  secretKey: string;
  /** PAYSTACK_BASE_URL: tests point it at the local fake (test/fakes/paystack-server.ts). */
  baseUrl?: string;
  timeoutMs?: number;
}

/**
 * Amounts: every currency Paystack handles (NGN, GHS, ZAR, KES, USD) has two decimals, so our
 * minor units are Paystack's kobo / pesewas / cents as they are.
 *
 * Errors: initializeDeposit, verifyDeposit, listBanks and resolveAccount throw ProviderError
 * (definite for a 4xx refusal, not definite for timeouts, network errors and 5xx). payout and
 * checkPayout never throw: a refusal is FAILED (with Paystack's message), anything we cannot
 * be sure of is UNKNOWN, so the caller keeps the hold and asks again (DESIGN.md rule 8).
 */
export class PaystackProvider implements PaymentProvider {
  readonly name = 'paystack' as const;
  private readonly sdk: PaystackModules;

  constructor(private readonly options: PaystackProviderOptions) {
    if (!options.secretKey) throw new Error('PaystackProvider needs a secret key');
    this.sdk = paystackModules(
      createPaystackHttp({
        secretKey: options.secretKey,
        baseUrl: options.baseUrl ?? 'https://api.paystack.co',
        timeoutMs: options.timeoutMs ?? 10_000,
      }),
    );
  }

  /** Transfers reach bank accounts in these (Paystack's TransferInitiate currency enum). */
  payoutCurrencies(): readonly string[] {
    return PAYOUT_CURRENCIES;
  }

  async initializeDeposit({ reference, amount, currency, email }: InitializeDepositInput): Promise<InitializeDepositResult> {
    const res = await this.sdk.transaction.initialize({ email, amount: amount.toString(), currency, reference });
    const data = dataOf<{ authorization_url?: unknown; access_code?: unknown }>(res, 'transaction/initialize');
    if (typeof data.authorization_url !== 'string') {
      throw new PaystackApiError('Paystack transaction/initialize answered without an authorization_url', false);
    }
    return {
      checkoutUrl: data.authorization_url,
      providerRef: typeof data.access_code === 'string' ? data.access_code : undefined,
    };
  }

  async verifyDeposit(reference: string): Promise<DepositStatus> {
    const res = await this.sdk.transaction.verify(encodeURIComponent(reference));
    const data = dataOf<{ status?: unknown; reference?: unknown; amount?: unknown; currency?: unknown; fees?: unknown }>(
      res,
      'transaction/verify',
    );
    const amount = toMinorUnits(data.amount);
    if (amount === undefined || typeof data.currency !== 'string') {
      throw new PaystackApiError('Paystack transaction/verify answered without amount or currency', false);
    }
    return {
      reference: typeof data.reference === 'string' ? data.reference : reference,
      status: DEPOSIT_STATUSES.get(String(data.status)) ?? 'PENDING',
      amount,
      currency: data.currency,
      fee: toMinorUnits(data.fees) ?? 0n,
    };
  }

  async listBanks(currency: string): Promise<BankInfo[]> {
    const res = await this.sdk.misc.banks({ currency });
    const banks = (res as { data?: unknown }).data;
    if (!Array.isArray(banks)) throw new PaystackApiError('Paystack /bank answered without a list', false);
    return banks
      .filter((b) => b && b.active !== false && !b.is_deleted && typeof b.code === 'string')
      .map((b) => ({ code: b.code, name: String(b.name), currency: typeof b.currency === 'string' ? b.currency : currency }));
  }

  async resolveAccount(bankCode: string, accountNumber: string): Promise<string | null> {
    try {
      const res = await this.sdk.verification.resolveAccount({ account_number: accountNumber, bank_code: bankCode });
      const name = dataOf<{ account_name?: unknown }>(res, 'bank/resolve').account_name;
      return typeof name === 'string' && name ? name : null;
    } catch (err) {
      // "Could not resolve account name" (422, sometimes 400) is the bank saying no such account.
      if (err instanceof ProviderError && (err.status === 422 || err.status === 400) && /resolve/i.test(err.message)) {
        return null;
      }
      throw err;
    }
  }

  async payout(input: PayoutInput): Promise<PayoutStatus> {
    const type = RECIPIENT_TYPES.get(input.currency);
    if (!type) return { status: 'FAILED', failureReason: `Paystack cannot pay out in ${input.currency}` };
    const amount = Number(input.amount);
    if (!Number.isSafeInteger(amount) || amount <= 0) {
      return { status: 'FAILED', failureReason: `amount ${input.amount} cannot be sent to Paystack` };
    }
    let recipient: string;
    try {
      // Paystack returns the existing recipient for an account it already knows, so a retry is harmless.
      const res = await this.sdk.recipient.create({
        type,
        name: input.accountName,
        account_number: input.accountNumber,
        bank_code: input.bankCode,
        currency: input.currency,
      });
      const code = dataOf<{ recipient_code?: unknown }>(res, 'transferrecipient').recipient_code;
      if (typeof code !== 'string') throw new PaystackApiError('Paystack transferrecipient answered without a code', false);
      recipient = code;
    } catch (err) {
      return refusedOrUnknown(err);
    }
    try {
      const res = await this.sdk.transfer.initiate({
        source: 'balance',
        amount,
        recipient,
        reference: input.reference,
        reason: input.reason,
        currency: input.currency,
      });
      return transferStatus(dataOf(res, 'transfer'));
    } catch (err) {
      if (!(err instanceof ProviderError) || !err.definite) return refusedOrUnknown(err);
      // A retry of a transfer Paystack already has is refused for its reused reference (the
      // docs do not pin down the wording), and then that transfer's own status is the answer.
      const existing = await this.findPayout(input.reference);
      return existing ?? { status: 'FAILED', failureReason: err.message };
    }
  }

  async checkPayout(reference: string): Promise<PayoutStatus> {
    return (
      (await this.findPayout(reference)) ?? {
        status: 'FAILED',
        failureReason: 'Paystack has no transfer with this reference',
        neverReceived: true,
      }
    );
  }

  parseWebhook(rawBody: Buffer, headers: Record<string, string | string[] | undefined>): WebhookEvent {
    return parsePaystackWebhook(rawBody, headers, this.options.secretKey);
  }

  /**
   * The transfer's status, or null when Paystack answers 404 (it never got the transfer). Any
   * other error, a 401 included, says nothing about the transfer: UNKNOWN, never FAILED.
   * Goes through the SDK's transfer.verify, whose missing leading slash our client restores.
   */
  private async findPayout(reference: string): Promise<PayoutStatus | null> {
    try {
      return transferStatus(dataOf(await this.sdk.transfer.verify(encodeURIComponent(reference)), 'transfer/verify'));
    } catch (err) {
      if (err instanceof ProviderError && err.status === 404) return null;
      return unknown(err);
    }
  }
}

const PAYOUT_CURRENCIES = Object.freeze(['NGN', 'GHS', 'ZAR', 'KES']);

/** Bank-account recipient type per currency (Paystack, "Creating transfer recipients"). */
const RECIPIENT_TYPES = new Map([
  ['NGN', 'nuban'],
  ['GHS', 'ghipss'],
  ['ZAR', 'basa'],
  ['KES', 'kepss'],
]);

/**
 * "abandoned" is a checkout not (yet) completed: it can still be paid, so only our own 24-hour
 * expiry turns it into FAILED. A reversed charge was refunded: never credit it.
 */
const DEPOSIT_STATUSES = new Map<string, DepositStatus['status']>([
  ['success', 'SUCCEEDED'],
  ['failed', 'FAILED'],
  ['reversed', 'FAILED'],
  ['abandoned', 'PENDING'],
  ['ongoing', 'PENDING'],
  ['pending', 'PENDING'],
  ['processing', 'PENDING'],
  ['queued', 'PENDING'],
]);

/** Paystack's conclusive failures (abandoned OTP, blocked, rejected) moved no money either. */
const TRANSFER_STATUSES = new Map<string, PayoutStatus['status']>([
  ['success', 'SUCCEEDED'],
  ['failed', 'FAILED'],
  ['abandoned', 'FAILED'],
  ['blocked', 'FAILED'],
  ['rejected', 'FAILED'],
  ['reversed', 'REVERSED'],
  ['pending', 'PENDING'],
  ['otp', 'PENDING'],
  ['received', 'PENDING'],
  ['queued', 'PENDING'],
  ['processing', 'PENDING'],
]);

interface TransferData {
  status?: unknown;
  transfer_code?: unknown;
  fee_charged?: unknown;
  failures?: unknown;
  gateway_response?: unknown;
}

function transferStatus(data: TransferData): PayoutStatus {
  const raw = String(data.status);
  // A status we do not know decides nothing.
  const status = TRANSFER_STATUSES.get(raw) ?? 'UNKNOWN';
  const result: PayoutStatus = { status };
  if (typeof data.transfer_code === 'string') result.providerRef = data.transfer_code;
  const fee = toMinorUnits(data.fee_charged);
  if (fee !== undefined) result.fee = fee;
  if (status === 'FAILED' || status === 'REVERSED' || status === 'UNKNOWN') {
    const detail =
      typeof data.gateway_response === 'string' ? data.gateway_response : typeof data.failures === 'string' ? data.failures : '';
    result.failureReason = `Paystack transfer ${raw}${detail ? `: ${detail}` : ''}`;
  }
  return result;
}

function unknown(err: unknown): PayoutStatus {
  return { status: 'UNKNOWN', failureReason: err instanceof Error ? err.message : String(err) };
}

function refusedOrUnknown(err: unknown): PayoutStatus {
  if (err instanceof ProviderError && err.definite) return { status: 'FAILED', failureReason: err.message };
  return unknown(err);
}

/** Paystack's `data`; a success without one is unreadable, so its outcome is unknown. */
function dataOf<T extends object>(res: unknown, what: string): T {
  const data = (res as { data?: unknown } | null)?.data;
  if (!data || typeof data !== 'object') throw new PaystackApiError(`Paystack ${what} answered without data`, false);
  return data as T;
}
