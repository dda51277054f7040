/**
 * State and response objects of the fake Paystack (paystack-server.ts), shaped after
 * /work/shared/providers/paystack-openapi.yaml: VerifyResponse (transaction),
 * MiscellaneousListBanksResponseArray (bank), TransferRecipientCreateResponse (recipient),
 * TransferCreateResponse and TransferVerifyResponse (transfer). Amounts are JSON integers of
 * the currency's subunit, as Paystack sends them.
 */

export interface FakeTransaction {
  id: number;
  reference: string;
  accessCode: string;
  email: string;
  customerId: number;
  amount: number;
  requestedAmount: number;
  currency: string;
  /** Paystack reports an initialized, unpaid checkout as "abandoned". */
  status: 'abandoned' | 'success' | 'failed' | 'reversed';
  gatewayResponse: string;
  fees: number | null;
  createdAt: string;
  paidAt: string | null;
}

export interface FakeRecipient {
  id: number;
  code: string;
  type: string;
  name: string;
  accountNumber: string;
  bankCode: string;
  currency: string;
  createdAt: string;
}

export interface FakeTransfer {
  id: number;
  code: string;
  reference: string;
  amount: number;
  currency: string;
  reason: string;
  recipient: FakeRecipient;
  status: 'pending' | 'success' | 'failed' | 'reversed';
  createdAt: string;
  updatedAt: string;
  transferredAt: string | null;
}

export interface FakeBank {
  name: string;
  code: string;
  currency: string;
  type: string;
  active?: boolean;
}

const INTEGRATION = 463433;

/** A few real banks per currency Paystack pays out in; one inactive, which lists must skip. */
export const DEFAULT_BANKS: FakeBank[] = [
  { name: 'Access Bank', code: '044', currency: 'NGN', type: 'nuban' },
  { name: 'Guaranty Trust Bank', code: '058', currency: 'NGN', type: 'nuban' },
  { name: 'Zenith Bank', code: '057', currency: 'NGN', type: 'nuban' },
  { name: 'Retired Bank', code: '999', currency: 'NGN', type: 'nuban', active: false },
  { name: 'GCB Bank Limited', code: '040100', currency: 'GHS', type: 'ghipss' },
  { name: 'Ecobank Ghana', code: '130100', currency: 'GHS', type: 'ghipss' },
  { name: 'Absa Bank Limited, South Africa', code: '632005', currency: 'ZAR', type: 'basa' },
  { name: 'Standard Bank', code: '051001', currency: 'ZAR', type: 'basa' },
  { name: 'Kenya Commercial Bank', code: '01', currency: 'KES', type: 'kepss' },
  { name: 'Equity Bank Kenya', code: '68', currency: 'KES', type: 'kepss' },
];

const COUNTRY: Record<string, string> = { NGN: 'Nigeria', GHS: 'Ghana', ZAR: 'South Africa', KES: 'Kenya' };

export function bankObject(bank: FakeBank, id: number) {
  const slug = bank.name.toLowerCase().replace(/[^a-z0-9]+/g, '-');
  return {
    id,
    name: bank.name,
    slug,
    code: bank.code,
    longcode: bank.code,
    gateway: null,
    pay_with_bank: false,
    supports_transfer: true,
    active: bank.active ?? true,
    country: COUNTRY[bank.currency] ?? 'Nigeria',
    currency: bank.currency,
    type: bank.type,
    is_deleted: false,
    createdAt: '2016-07-14T10:04:29.000Z',
    updatedAt: '2024-01-01T00:00:00.000Z',
  };
}

/** Paystack's local card pricing (1.5%, plus 100 from 2,500, capped at 2,000), for every currency. */
export function cardFee(amount: number): number {
  return Math.min(Math.round(amount * 0.015) + (amount >= 250_000 ? 10_000 : 0), 200_000);
}

export function transactionObject(t: FakeTransaction) {
  const paid = t.status === 'success' || t.status === 'reversed';
  return {
    id: t.id,
    domain: 'test',
    status: t.status,
    reference: t.reference,
    receipt_number: null,
    amount: t.amount,
    message: null,
    gateway_response: t.gatewayResponse,
    paid_at: t.paidAt,
    created_at: t.createdAt,
    channel: 'card',
    currency: t.currency,
    ip_address: '127.0.0.1',
    metadata: '',
    log: null,
    fees: t.fees,
    fees_split: null,
    authorization: paid
      ? {
          authorization_code: `AUTH_${t.accessCode}`,
          bin: '408408',
          last4: '4081',
          exp_month: '12',
          exp_year: '2030',
          channel: 'card',
          card_type: 'visa ',
          bank: 'TEST BANK',
          country_code: 'NG',
          brand: 'visa',
          reusable: true,
          signature: `SIG_${t.accessCode}`,
          account_name: null,
        }
      : {},
    customer: {
      id: t.customerId,
      first_name: null,
      last_name: null,
      email: t.email,
      customer_code: `CUS_${t.customerId}`,
      phone: null,
      metadata: null,
      risk_action: 'default',
      international_format_phone: null,
    },
    plan: null,
    split: {},
    order_id: null,
    paidAt: t.paidAt,
    createdAt: t.createdAt,
    requested_amount: t.requestedAmount,
    pos_transaction_data: null,
    source: null,
    fees_breakdown: null,
    connect: null,
    transaction_date: t.createdAt,
    plan_object: {},
    subaccount: {},
  };
}

export function recipientObject(r: FakeRecipient, bankName: string) {
  return {
    active: true,
    createdAt: r.createdAt,
    currency: r.currency,
    description: '',
    domain: 'test',
    email: null,
    id: r.id,
    integration: INTEGRATION,
    metadata: null,
    name: r.name,
    recipient_code: r.code,
    type: r.type,
    updatedAt: r.createdAt,
    is_deleted: false,
    isDeleted: false,
    details: {
      authorization_code: null,
      account_number: r.accountNumber,
      account_name: r.name,
      bank_code: r.bankCode,
      bank_name: bankName,
    },
  };
}

/** POST /transfer answers with the recipient's id; verify and webhooks carry the whole recipient. */
export function transferObject(t: FakeTransfer, recipient: number | ReturnType<typeof recipientObject>) {
  return {
    ...(typeof recipient === 'number' ? { transfersessionid: [], transfertrials: [] } : {}),
    amount: t.amount,
    createdAt: t.createdAt,
    currency: t.currency,
    domain: 'test',
    failures: null,
    id: t.id,
    integration: INTEGRATION,
    reason: t.reason,
    reference: t.reference,
    source: 'balance',
    source_details: null,
    status: t.status,
    titan_code: null,
    transfer_code: t.code,
    transferred_at: t.transferredAt,
    updatedAt: t.updatedAt,
    recipient,
    ...(typeof recipient === 'number'
      ? { request: t.id }
      : { session: { provider: t.status === 'success' ? 'nip' : null, id: t.status === 'success' ? `0900${t.id}` : null } }),
  };
}
