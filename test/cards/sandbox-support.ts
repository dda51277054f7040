import { expect } from 'vitest';
import { CreateCardDocument, type CreateCardInput } from '../generated/graphql.js';
import { errorCode, sql } from '../support/helpers.js';
import { createWallet, fund, seedUsers } from '../support/money.js';
import type { TestServer } from '../support/server.js';

/** Small tools the sandbox card suites share (lifecycle, purchases, IDOR, no card numbers). */

export type Seeded = { id: string; email: string; token: string };

/** A user with an NGN wallet holding `amount`. */
export async function userWithWallet(server: TestServer, amount: bigint, prefix = 'card'): Promise<{ user: Seeded; walletId: string }> {
  const [user] = await seedUsers(server.app, 1, prefix);
  const walletId = await createWallet(server.app, user.id);
  if (amount > 0n) await fund(server.app, walletId, amount);
  return { user, walletId };
}

let keys = 0;
export const key = (prefix = 'k') => `${prefix}-${Date.now()}-${++keys}`;

/** createCard over HTTP; fails the test on any error. */
export async function newCard(
  server: TestServer,
  token: string,
  input: Omit<CreateCardInput, 'idempotencyKey'> & { idempotencyKey?: string },
) {
  const res = await server.gql(CreateCardDocument, { input: { idempotencyKey: key('create'), ...input } }, { token });
  expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
  return res.data!.createCard;
}

/** The ledger counters of one account, as bigints. */
export async function account(server: TestServer, id: string) {
  const [a] = await sql<{ credits_posted: string; debits_posted: string; debits_pending: string; credits_pending: string }>(
    server.app,
    'select credits_posted, debits_posted, debits_pending, credits_pending from ledger_accounts where id = ?',
    [id],
  );
  const balance = BigInt(a.credits_posted) - BigInt(a.debits_posted);
  return { balance, available: balance - BigInt(a.debits_pending), pending: BigInt(a.debits_pending) };
}

export { expectBalanced } from '../support/helpers.js';

/** Luhn check over a string of digits. */
export function luhnValid(digits: string): boolean {
  if (!/^\d+$/.test(digits)) return false;
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

/** The card number shown on a sandbox reveal page (digits only), or null. */
export function numberOnPage(html: string): string | null {
  const m = /(\d{4}(?: \d{4}){2,3}(?: \d{1,3})?)/.exec(html);
  return m ? m[1].replace(/ /g, '') : null;
}

export { errorCode, sql };
