/**
 * The pay-in / pay-out rail. One implementation per provider (sandbox/, paystack/), chosen
 * by PAYMENT_PROVIDER through the registry. Amounts are bigint minor units; SDK types never
 * leave a provider's folder.
 */
import type { Config } from '../config/config.js';

/** The providers PAYMENT_PROVIDER may name (its schema in config.ts is the one list). */
export type PaymentProviderName = Config['payments']['provider'];

export interface BankInfo {
  code: string;
  name: string;
  currency: string;
}

export interface InitializeDepositInput {
  /** Ours, unique per deposit; the provider keys the payment on it. */
  reference: string;
  amount: bigint;
  currency: string;
  /** The payer's email (Paystack requires one). */
  email: string;
}

export interface InitializeDepositResult {
  checkoutUrl: string;
  /** The provider's own id for the payment, when it has one. */
  providerRef?: string;
}

/** What the provider says about a deposit, asked by reference (never trusted from a webhook alone). */
export interface DepositStatus {
  reference: string;
  status: 'SUCCEEDED' | 'FAILED' | 'PENDING';
  amount: bigint;
  currency: string;
  /** What the provider kept, in the same currency. */
  fee: bigint;
}

export interface PayoutInput {
  /** Ours: the withdrawal's idempotency reference, passed as the provider's transfer reference. */
  reference: string;
  amount: bigint;
  currency: string;
  bankCode: string;
  accountNumber: string;
  accountName: string;
  reason?: string;
}

/**
 * SUCCEEDED / FAILED are definite. PENDING: accepted, the outcome comes later (webhook or
 * check). UNKNOWN: we could not tell (timeout, 5xx): keep the hold and ask again later.
 */
export interface PayoutStatus {
  status: 'SUCCEEDED' | 'FAILED' | 'PENDING' | 'UNKNOWN' | 'REVERSED';
  providerRef?: string;
  failureReason?: string;
  fee?: bigint;
  /** When PENDING: ask again after this long (the sandbox settles on a timetable). */
  checkAfterMs?: number;
  /**
   * With FAILED from checkPayout: the provider has no payout with this reference at all.
   * After an unknown outcome that means our call never arrived: send it again (rule 8).
   */
  neverReceived?: boolean;
}

export type WebhookEventType =
  'DEPOSIT_SUCCEEDED' | 'DEPOSIT_FAILED' | 'PAYOUT_SUCCEEDED' | 'PAYOUT_FAILED' | 'PAYOUT_REVERSED' | 'IGNORED';

export interface WebhookEvent {
  type: WebhookEventType;
  /** The provider's event type as it was sent, for the record. */
  providerType: string;
  /** Our reference of the deposit or payout it is about. */
  reference: string;
  /** Dedupe key: provider + event type + the provider's object id or reference. */
  eventKey: string;
  amount?: bigint;
  currency?: string;
  /** What the provider kept, when the event says (Paystack transfers: `fee_charged`). */
  fee?: bigint;
}

/** Signature missing or wrong: answer 401 and change nothing. */
export class WebhookSignatureError extends Error {}

/**
 * The one rule for every provider's HTTP answers (DESIGN.md rule 8): a 4xx means the provider
 * looked at the request and refused it, so nothing happened there, except 408 and 429, after
 * which a retry may well succeed. 5xx, timeouts and network errors leave the outcome unknown.
 */
export function isDefiniteRefusal(status: number): boolean {
  return status >= 400 && status < 500 && status !== 408 && status !== 429;
}

/**
 * A provider call that failed. `definite` is true when the provider clearly refused (4xx):
 * nothing happened there. Otherwise (timeout, network, 5xx) the outcome is unknown.
 */
export class ProviderError extends Error {
  constructor(
    message: string,
    readonly definite: boolean,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'ProviderError';
  }
}

export interface PaymentProvider {
  readonly name: PaymentProviderName;
  /** Currencies this provider can pay out in (withdrawals). */
  payoutCurrencies(): readonly string[];
  initializeDeposit(input: InitializeDepositInput): Promise<InitializeDepositResult>;
  verifyDeposit(reference: string): Promise<DepositStatus>;
  listBanks(currency: string): Promise<BankInfo[]>;
  /** The holder's name, or null when the bank knows no such account. */
  resolveAccount(bankCode: string, accountNumber: string): Promise<string | null>;
  payout(input: PayoutInput): Promise<PayoutStatus>;
  /** Asks again about a payout by our reference (the recovery job). */
  checkPayout(reference: string): Promise<PayoutStatus>;
  /** Verifies the signature over the raw body and normalizes the event. */
  parseWebhook(rawBody: Buffer, headers: Record<string, string | string[] | undefined>): WebhookEvent;
}
