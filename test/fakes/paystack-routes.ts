import { randomBytes } from 'node:crypto';
import { bankObject, recipientObject, transactionObject, transferObject } from './paystack-objects.js';
import type { FakePaystack } from './paystack-server.js';

/** The endpoints of the fake Paystack; see paystack-server.ts for what they follow. */

type Reply = [number, unknown];
type Body = Record<string, unknown>;

const ok = (message: string, data: unknown, status = 200): Reply => [status, { status: true, message, data }];
const refuse = (status: number, message: string, extra: Body = {}): Reply => [status, { status: false, message, ...extra }];
const code = (prefix: string) => `${prefix}_${randomBytes(8).toString('hex').slice(0, 15)}`;

/** Positive whole subunits, given as a JSON integer or a digit string (what paystack-sdk sends). */
function amountOf(value: unknown): number | undefined {
  const n = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
  return typeof n === 'number' && Number.isSafeInteger(n) && n > 0 ? n : undefined;
}

const text = (value: unknown): string | undefined => (typeof value === 'string' && value.trim() ? value : undefined);

const TRANSACTION_CURRENCIES = ['NGN', 'GHS', 'ZAR', 'KES', 'USD'];
const RECIPIENT_TYPES = ['nuban', 'ghipss', 'mobile_money', 'basa', 'kepss', 'authorization'];
const TRANSFER_CURRENCIES = ['NGN', 'ZAR', 'KES', 'GHS'];

export function routePaystack(fake: FakePaystack, method: string, path: string, query: Record<string, string>, body: unknown): Reply {
  const b = (body && typeof body === 'object' ? body : {}) as Body;
  const param = (prefix: string) => (path.startsWith(prefix) ? decodeURIComponent(path.slice(prefix.length)) : undefined);
  const route = `${method} ${path}`;

  if (route === 'POST /transaction/initialize') return initialize(fake, b);
  const txRef = method === 'GET' ? param('/transaction/verify/') : undefined;
  if (txRef !== undefined) {
    const t = fake.transactions.get(txRef);
    return t ? ok('Verification successful', transactionObject(t)) : refuse(404, 'Transaction reference not found');
  }
  if (route === 'GET /bank') {
    const currency = query.currency ?? 'NGN';
    const list = fake.banks.map((bank, i) => ({ bank, id: i + 1 })).filter(({ bank }) => bank.currency === currency);
    return [200, { status: true, message: 'Banks retrieved', data: list.map(({ bank, id }) => bankObject(bank, id)), meta: { next: null, previous: null, perPage: 50 } }];
  }
  if (route === 'GET /bank/resolve') return resolve(fake, query);
  if (route === 'POST /transferrecipient') return createRecipient(fake, b);
  if (route === 'POST /transfer') return initiateTransfer(fake, b);
  const trRef = method === 'GET' ? param('/transfer/verify/') : undefined;
  if (trRef !== undefined) {
    const t = fake.transfers.get(trRef);
    return t ? ok('Transfer retrieved', fake.transferWithRecipient(t)) : refuse(404, 'Transfer not found');
  }
  return refuse(404, 'Not found');
}

function initialize(fake: FakePaystack, b: Body): Reply {
  const email = text(b.email);
  const amount = amountOf(b.amount);
  const currency = text(b.currency) ?? 'NGN';
  if (!email) return refuse(400, 'Email is required', { type: 'validation_error', code: 'missing_params' });
  if (amount === undefined) return refuse(400, 'Invalid Amount Sent', { type: 'validation_error', code: 'invalid_amount' });
  if (!TRANSACTION_CURRENCIES.includes(currency)) {
    return refuse(400, 'Currency not supported by merchant', { type: 'validation_error', code: 'unsupported_currency' });
  }
  const reference = text(b.reference) ?? randomBytes(8).toString('hex');
  if (!/^[A-Za-z0-9.=-]+$/.test(reference)) {
    return refuse(400, 'Invalid transaction reference', { type: 'validation_error', code: 'invalid_reference' });
  }
  if (fake.transactions.has(reference)) {
    return refuse(400, 'Duplicate Transaction Reference', {
      meta: { nextStep: 'Try and create the Transaction or Charge with a new reference' },
      type: 'validation_error',
      code: 'duplicate_reference',
      errorCodeMappingNotFound: false,
    });
  }
  const accessCode = randomBytes(8).toString('hex').slice(0, 15);
  const now = new Date().toISOString();
  fake.transactions.set(reference, {
    id: fake.newId(),
    reference,
    accessCode,
    email,
    customerId: fake.newId(),
    amount,
    requestedAmount: amount,
    currency,
    status: 'abandoned',
    gatewayResponse: 'The transaction was not completed',
    fees: null,
    createdAt: now,
    paidAt: null,
  });
  return ok('Authorization URL created', { authorization_url: `${fake.url}/checkout/${accessCode}`, access_code: accessCode, reference });
}

function resolve(fake: FakePaystack, query: Record<string, string>): Reply {
  const account = query.account_number;
  const bank = fake.banks.find((x) => x.code === query.bank_code);
  if (!account || !query.bank_code) return refuse(400, 'Account number and bank code are required');
  if (!bank) return refuse(400, `Unknown bank code: ${query.bank_code}`);
  if (fake.unresolvable.has(account) || (bank.currency === 'NGN' && !/^\d{10}$/.test(account))) {
    return refuse(422, 'Could not resolve account name. Check parameters or try again.');
  }
  const name = fake.accountNames.get(account) ?? `TEST ACCOUNT ${account.slice(-4)}`;
  return ok('Account number resolved', { account_number: account, account_name: name, bank_id: fake.banks.indexOf(bank) + 1 });
}

function createRecipient(fake: FakePaystack, b: Body): Reply {
  const type = text(b.type);
  const name = text(b.name);
  const accountNumber = text(b.account_number);
  const bankCode = text(b.bank_code);
  if (!type || !RECIPIENT_TYPES.includes(type)) return refuse(400, 'Invalid recipient type');
  if (!name) return refuse(400, 'Name is required');
  if (!accountNumber || !bankCode) return refuse(400, 'Account number and bank code are required');
  const bank = fake.banks.find((x) => x.code === bankCode && x.active !== false);
  if (!bank) return refuse(400, 'Invalid bank code');
  const currency = text(b.currency) ?? bank.currency;
  if (bank.type !== type || bank.currency !== currency) return refuse(400, `Bank ${bankCode} does not take ${type} ${currency}`);
  if (fake.unresolvable.has(accountNumber)) return refuse(400, 'Cannot resolve account');
  const existing = [...fake.recipients.values()].find(
    (r) => r.type === type && r.accountNumber === accountNumber && r.bankCode === bankCode && r.currency === currency,
  );
  const recipient = existing ?? {
    id: fake.newId(),
    code: code('RCP'),
    type,
    name,
    accountNumber,
    bankCode,
    currency,
    createdAt: new Date().toISOString(),
  };
  fake.recipients.set(recipient.code, recipient);
  return ok('Transfer recipient created successfully', recipientObject(recipient, bank.name), 201);
}

function initiateTransfer(fake: FakePaystack, b: Body): Reply {
  const amount = amountOf(b.amount);
  const recipient = fake.recipients.get(String(b.recipient));
  const currency = text(b.currency) ?? 'NGN';
  if (b.source !== 'balance') return refuse(400, 'Invalid transfer source');
  if (amount === undefined) return refuse(400, 'Invalid amount');
  if (!TRANSFER_CURRENCIES.includes(currency)) return refuse(400, 'Currency not supported for transfers');
  if (!recipient) return refuse(400, 'Recipient specified is invalid');
  if (recipient.currency !== currency) return refuse(400, 'Transfer currency does not match the recipient');
  const reference = text(b.reference) ?? randomBytes(8).toString('hex');
  if (!/^[A-Za-z0-9_-]+$/.test(reference)) return refuse(400, 'Invalid transfer reference');
  // Paystack's errors page: "This reference has already been used on a prior transfer".
  if (fake.transfers.has(reference)) return refuse(400, 'Duplicate Transfer Reference', { code: 'duplicate_reference' });
  const balance = fake.balances.get(currency) ?? 0;
  if (amount > balance) return refuse(400, 'Your balance is not enough to fulfil this request');
  fake.balances.set(currency, balance - amount);
  const now = new Date().toISOString();
  const transfer = {
    id: fake.newId(),
    code: code('TRF'),
    reference,
    amount,
    currency,
    reason: text(b.reason) ?? '',
    recipient,
    status: 'pending' as const,
    createdAt: now,
    updatedAt: now,
    transferredAt: null,
  };
  fake.transfers.set(reference, transfer);
  return ok('Transfer has been queued', transferObject(transfer, recipient.id));
}
