import { describe, expect, it } from 'vitest';
import { SignUpDocument, TransferDocument } from '../generated/graphql.js';
import { errorCode, sql } from '../support/helpers.js';
import { createWallet, fund, seedUsers } from '../support/money.js';
import { useTestServer } from '../support/server.js';
import { unstorablePath } from '../../src/schema/nul-characters.js';

/**
 * Issue 14's finding: a NUL character (U+0000) in `email`, `fullName`, `note` or
 * `idempotencyKey` reached PostgreSQL, failed there as INTERNAL_SERVER_ERROR, and the failed
 * INSERT was logged with its parameters, `password_hash` included. Such input is refused as
 * BAD_USER_INPUT naming the argument, before anything runs or is written.
 */
const server = useTestServer();
const field = (res: { errors?: readonly { extensions?: Record<string, unknown> }[] }) => res.errors?.[0]?.extensions?.field;

describe('a NUL character in a string argument', () => {
  it('is BAD_USER_INPUT naming the argument at sign-up, and nothing is written or logged with its values', async () => {
    for (const [name, input] of [
      ['input.email', { email: 'nul\u0000@example.com', password: 'correct horse battery', fullName: 'Nul' }],
      ['input.fullName', { email: 'nul@example.com', password: 'correct horse battery', fullName: 'N\u0000ul' }],
    ] as const) {
      const res = await server.gql(SignUpDocument, { input });
      expect(errorCode(res), name).toBe('BAD_USER_INPUT');
      expect(field(res), name).toBe(name);
      expect(res.errors![0].message).toMatch(/NUL character/);
    }
    expect(await sql(server.app, 'select id from users')).toEqual([]);
    const logs = server.logs.join('\n');
    expect(logs).not.toMatch(/password_hash|\$argon2|insert into/i);
  });

  it("is BAD_USER_INPUT in a transfer's note and idempotency key, and no money moves", async () => {
    const [alice, bob] = await seedUsers(server.app, 2);
    const wallet = await createWallet(server.app, alice.id);
    await fund(server.app, wallet, 10_000n);
    const base = { fromWalletId: wallet, recipientEmail: bob.email, amount: '1000', idempotencyKey: 'nul-transfer' };
    for (const [name, input] of [
      ['input.note', { ...base, note: 'lunch\u0000' }],
      ['input.idempotencyKey', { ...base, idempotencyKey: 'nul\u0000key' }],
      ['input.recipientEmail', { ...base, recipientEmail: `${bob.email}\u0000` }],
    ] as const) {
      const res = await server.gql(TransferDocument, { input }, { token: alice.token });
      expect(errorCode(res), name).toBe('BAD_USER_INPUT');
      expect(field(res), name).toBe(name);
    }
    expect(await sql(server.app, `select id from ledger_transfers where code = 'TRANSFER'`)).toEqual([]);
    // The same transfer without the character goes through.
    const ok = await server.gql(TransferDocument, { input: { ...base, note: 'lunch' } }, { token: alice.token });
    expect(ok.errors).toBeUndefined();
  });

  it('is found anywhere in the arguments: nested inputs, lists, not in other values', () => {
    expect(unstorablePath({ input: { a: 'x', b: { c: 'y\u0000' } } }, '')).toBe('input.b.c');
    expect(unstorablePath({ input: { tags: ['a', '\u0000'] } }, '')).toBe('input.tags');
    expect(unstorablePath({ id: 'abc', n: 5, at: new Date(), big: 10n, none: null }, '')).toBeNull();
    // An unpaired surrogate, high or low, is not Unicode; a pair (an emoji) is.
    expect(unstorablePath({ input: { note: 'x\uD800y' } }, '')).toBe('input.note');
    expect(unstorablePath({ input: { note: 'x\uDC00' } }, '')).toBe('input.note');
    expect(unstorablePath({ input: { note: 'café 😀' } }, '')).toBeNull();
  });
});
