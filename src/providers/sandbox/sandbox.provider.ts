import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { CURRENCY_CODES } from '../../config/currencies.js';
import type { MikroORM } from '@mikro-orm/postgresql';
import {
  ProviderError,
  WebhookSignatureError,
  type BankInfo,
  type DepositStatus,
  type InitializeDepositInput,
  type InitializeDepositResult,
  type PaymentProvider,
  type PayoutInput,
  type PayoutStatus,
  type WebhookEvent,
} from '../payment-provider.js';

/** Payouts to this account number always fail, like a closed account would. */
export const SANDBOX_FAILING_ACCOUNT = '0000000000';
export const SANDBOX_SIGNATURE_HEADER = 'x-sandbox-signature';

const BANKS: { code: string; name: string }[] = [
  { code: '001', name: 'Sandbox Bank' },
  { code: '002', name: 'Sandbox Savings & Loans' },
  { code: '003', name: 'Sandbox Microfinance' },
];
/** The sandbox pays in and out in every currency of the platform. */
const CURRENCIES: string[] = CURRENCY_CODES;

interface Row {
  reference: string;
  kind: 'DEPOSIT' | 'WITHDRAWAL';
  status: 'PENDING' | 'SUCCEEDED' | 'FAILED';
  amount: string;
  currency: string;
  account_number: string | null;
  due: boolean;
}

/**
 * The built-in, offline provider, like a payment company's test mode. Its own books live in
 * the sandbox_payments table, so it answers verify and status checks the way a real
 * provider would, across restarts. Webhooks are signed with a secret of this process and
 * delivered in-process, through the same handler real providers' webhooks take.
 */
export class SandboxProvider implements PaymentProvider {
  readonly name = 'sandbox' as const;
  private readonly secret = randomBytes(32);

  constructor(
    private readonly orm: MikroORM,
    private readonly settings: { publicUrl: string; payoutDelayMs: number },
  ) {}

  payoutCurrencies(): readonly string[] {
    return CURRENCIES;
  }

  async initializeDeposit(input: InitializeDepositInput): Promise<InitializeDepositResult> {
    await this.orm.em.fork().execute(
      `insert into sandbox_payments (reference, kind, status, amount, currency) values (?, 'DEPOSIT', 'PENDING', ?::bigint, ?)
       on conflict (reference) do nothing`,
      [input.reference, input.amount.toString(), input.currency],
    );
    return { checkoutUrl: `${this.settings.publicUrl}/sandbox/checkout/${encodeURIComponent(input.reference)}` };
  }

  async verifyDeposit(reference: string): Promise<DepositStatus> {
    const row = await this.find(reference);
    if (!row || row.kind !== 'DEPOSIT') throw new ProviderError(`sandbox: no deposit ${reference}`, true, 404);
    return { reference, status: row.status, amount: BigInt(row.amount), currency: row.currency, fee: 0n };
  }

  /** The checkout page's answer: records the payer's choice, then signs the webhook for it. */
  async completeCheckout(reference: string, outcome: 'success' | 'failed'): Promise<{ body: Buffer; signature: string } | null> {
    const rows = await this.orm.em.fork().execute<{ amount: string; currency: string }[]>(
      `update sandbox_payments set status = ? where reference = ? and kind = 'DEPOSIT' and status = 'PENDING'
       returning amount, currency`,
      [outcome === 'success' ? 'SUCCEEDED' : 'FAILED', reference],
    );
    if (rows.length === 0) return null;
    const body = Buffer.from(
      JSON.stringify({ event: `deposit.${outcome}`, data: { reference, amount: rows[0].amount, currency: rows[0].currency } }),
    );
    return { body, signature: this.sign(body) };
  }

  /** What the checkout page shows: null when there is nothing left to pay. */
  async checkout(reference: string): Promise<{ amount: bigint; currency: string; status: string } | null> {
    const row = await this.find(reference);
    return row && row.kind === 'DEPOSIT' ? { amount: BigInt(row.amount), currency: row.currency, status: row.status } : null;
  }

  async listBanks(currency: string): Promise<BankInfo[]> {
    return CURRENCIES.includes(currency) ? BANKS.map((b) => ({ ...b, currency })) : [];
  }

  async resolveAccount(bankCode: string, accountNumber: string): Promise<string | null> {
    if (!BANKS.some((b) => b.code === bankCode) || !/^\d{10}$/.test(accountNumber)) return null;
    return `Sandbox Account ${accountNumber.slice(-4)}`;
  }

  async payout(input: PayoutInput): Promise<PayoutStatus> {
    // Keyed by our reference: a repeated payout is the same payout.
    await this.orm.em.fork().execute(
      `insert into sandbox_payments (reference, kind, status, amount, currency, account_number, settle_at)
       values (?, 'WITHDRAWAL', 'PENDING', ?::bigint, ?, ?, now() + make_interval(secs => ?))
       on conflict (reference) do nothing`,
      [input.reference, input.amount.toString(), input.currency, input.accountNumber, this.settings.payoutDelayMs / 1000],
    );
    return { status: 'PENDING', providerRef: input.reference, checkAfterMs: this.settings.payoutDelayMs };
  }

  /** A sandbox payout settles by itself once its time has come; the failing account fails. */
  async checkPayout(reference: string): Promise<PayoutStatus> {
    const row = await this.find(reference);
    if (!row || row.kind !== 'WITHDRAWAL') {
      return { status: 'FAILED', failureReason: 'The sandbox never received this payout', neverReceived: true };
    }
    if (row.status === 'PENDING' && row.due) {
      const status = row.account_number === SANDBOX_FAILING_ACCOUNT ? 'FAILED' : 'SUCCEEDED';
      await this.orm.em
        .fork()
        .execute(`update sandbox_payments set status = ? where reference = ? and status = 'PENDING'`, [status, reference]);
      row.status = status;
    }
    if (row.status === 'FAILED') return { status: 'FAILED', failureReason: 'The bank refused the payout (sandbox failing account)' };
    return { status: row.status, providerRef: reference, fee: 0n };
  }

  parseWebhook(rawBody: Buffer, headers: Record<string, string | string[] | undefined>): WebhookEvent {
    const given = headers[SANDBOX_SIGNATURE_HEADER];
    const expected = this.sign(rawBody);
    if (typeof given !== 'string' || given.length !== expected.length || !timingSafeEqual(Buffer.from(given), Buffer.from(expected))) {
      throw new WebhookSignatureError('bad or missing sandbox signature');
    }
    const payload = JSON.parse(rawBody.toString('utf8')) as {
      event: string;
      data: { reference: string; amount: string; currency: string };
    };
    const type =
      payload.event === 'deposit.success' ? 'DEPOSIT_SUCCEEDED' : payload.event === 'deposit.failed' ? 'DEPOSIT_FAILED' : 'IGNORED';
    return {
      type,
      providerType: payload.event,
      reference: payload.data.reference,
      eventKey: `sandbox:${payload.event}:${payload.data.reference}`,
      amount: BigInt(payload.data.amount),
      currency: payload.data.currency,
    };
  }

  private sign(body: Buffer): string {
    return createHmac('sha256', this.secret).update(body).digest('hex');
  }

  private async find(reference: string): Promise<Row | undefined> {
    const [row] = await this.orm.em.fork().execute<Row[]>(
      `select reference, kind, status, amount, currency, account_number, coalesce(settle_at <= now(), false) as due
       from sandbox_payments where reference = ?`,
      [reference],
    );
    return row;
  }
}
