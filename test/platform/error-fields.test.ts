import { createClient } from 'graphql-ws';
import { beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createWallet, fund, seedUsers } from '../support/money.js';
import { useTestServer } from '../support/server.js';

/** Every error about an input names it in extensions.field, as a form needs to show it beside the input. */
const server = useTestServer({}, { reset: false });
let user: { id: string; email: string; token: string };
let walletId: string;
beforeAll(async () => {
  [user] = await seedUsers(server.app, 1);
  walletId = await createWallet(server.app, user.id);
  await fund(server.app, walletId, 1_000n);
});

const TRANSFER = 'mutation ($i: TransferInput!) { transfer(input: $i) { transaction { id } } }';
const transfer = (input: Record<string, unknown>) =>
  ({ fromWalletId: walletId, recipientEmail: 'someone@example.com', amount: '5', idempotencyKey: `k-${Math.random()}`, ...input });

async function fields(query: string, variables?: Record<string, unknown>): Promise<[unknown, unknown][]> {
  const res = await server.raw(query, variables, { token: user.token });
  expect(res.errors, `expected errors, got ${JSON.stringify(res.data)}`).toBeDefined();
  return res.errors!.map((e) => [e.extensions?.code, e.extensions?.field]);
}

describe('variables that cannot be coerced', () => {
  it('name the input path from the argument, not the variable', async () => {
    expect(await fields(TRANSFER, { i: transfer({ amount: 'abc' }) })).toEqual([['BAD_USER_INPUT', 'input.amount']]);
    expect(await fields(TRANSFER, { i: transfer({ amount: undefined }) })).toEqual([['BAD_USER_INPUT', 'input.amount']]);
    expect(await fields(TRANSFER, { i: transfer({ bogus: 1 }) })).toEqual([['BAD_USER_INPUT', 'input.bogus']]);
    expect(await fields(TRANSFER)).toEqual([['BAD_USER_INPUT', 'input']]);
    expect(await fields('query ($c: Currency!) { banks(currency: $c) { code } }', { c: 'XXX' })).toEqual([['BAD_USER_INPUT', 'currency']]);
  });

  it('name nested inputs, and every bad one when there are several', async () => {
    const query = 'mutation ($i: CreateCardInput!) { createCard(input: $i) { card { id } } }';
    const input = { walletId, idempotencyKey: 'c1', initialAmount: '-5', spendingLimit: { amount: '1', interval: 'YEARLY' } };
    expect(await fields(query, { i: input })).toEqual([
      ['BAD_USER_INPUT', 'input.spendingLimit.interval'],
      ['BAD_USER_INPUT', 'input.initialAmount'],
    ]);
  });

  it('name the input a variable is used in, inside a literal object', async () => {
    const query = `mutation ($a: MinorUnits!) {
      transfer(input: { fromWalletId: "${walletId}", recipientEmail: "a@example.com", amount: $a, idempotencyKey: "k" }) { transaction { id } }
    }`;
    expect(await fields(query, { a: '-1' })).toEqual([['BAD_USER_INPUT', 'input.amount']]);
  });
});

describe('literals in the document', () => {
  it('name the input they are written for', async () => {
    const literal = (rest: string) => `mutation { transfer(input: { fromWalletId: "x", recipientEmail: "a" ${rest} }) { transaction { id } } }`;
    expect(await fields(literal('amount: "abc", idempotencyKey: "k"'))).toEqual([['GRAPHQL_VALIDATION_FAILED', 'input.amount']]);
    expect(await fields(literal('idempotencyKey: "k"'))).toEqual([['GRAPHQL_VALIDATION_FAILED', 'input.amount']]);
    expect(await fields(literal('amount: "5", idempotencyKey: "k", bogus: 1'))).toEqual([['GRAPHQL_VALIDATION_FAILED', 'input.bogus']]);
    expect(await fields('mutation { transfer { transaction { id } } }')).toEqual([['GRAPHQL_VALIDATION_FAILED', 'input']]);
    expect(await fields('{ banks(currency: XXX) { code } }')).toEqual([['GRAPHQL_VALIDATION_FAILED', 'currency']]);
    expect(await fields('{ transactions(filter: { from: "yesterday" }) { edges { cursor } } }')).toEqual([
      ['GRAPHQL_VALIDATION_FAILED', 'filter.from'],
    ]);
  });
});

describe("resolvers' own refusals", () => {
  it('name the input they checked', async () => {
    expect(await fields(TRANSFER, { i: transfer({ idempotencyKey: '' }) })).toEqual([['BAD_USER_INPUT', 'input.idempotencyKey']]);
    expect(await fields(TRANSFER, { i: transfer({}) })).toEqual([['BAD_USER_INPUT', 'input.recipientEmail']]);
    expect(await fields(TRANSFER, { i: transfer({ recipientEmail: user.email }) })).toEqual([['BAD_USER_INPUT', 'input.recipientEmail']]);
    expect(await fields(TRANSFER, { i: transfer({ fromWalletId: '00000000-0000-0000-0000-000000000000' }) })).toEqual([
      ['NOT_FOUND', 'input.fromWalletId'],
    ]);
    expect(await fields(TRANSFER, { i: transfer({ note: 'n'.repeat(281) }) })).toEqual([['BAD_USER_INPUT', 'input.note']]);
    expect(await fields('{ transactions(first: -1) { edges { cursor } } }')).toEqual([['BAD_USER_INPUT', 'first']]);
    expect(await fields('{ transactions(after: "zzz") { edges { cursor } } }')).toEqual([['BAD_USER_INPUT', 'after']]);
    expect(await fields('{ resolveBankAccount(bankCode: "001", accountNumber: "12") { accountName } }')).toEqual([
      ['BAD_USER_INPUT', 'accountNumber'],
    ]);
    expect(await fields('mutation ($i: ChangePasswordInput!) { changePassword(input: $i) { revokedSessions } }', {
      i: { currentPassword: 'seeded-password', newPassword: 'short' },
    })).toEqual([['BAD_USER_INPUT', 'input.newPassword']]);
    expect(await fields('mutation ($i: SignUpInput!) { signUp(input: $i) { accessToken } }', {
      i: { email: 'not-an-email', password: 'long enough', fullName: 'A' },
    })).toEqual([['BAD_USER_INPUT', 'input.email']]);
  });

  it('name the amount for money refusals, the first time and when the key is repeated', async () => {
    const [bob] = await seedUsers(server.app, 1, 'bob');
    const i = transfer({ recipientEmail: bob.email, amount: '5000', idempotencyKey: 'too-much' });
    expect(await fields(TRANSFER, { i })).toEqual([['INSUFFICIENT_FUNDS', 'input.amount']]);
    expect(await fields(TRANSFER, { i })).toEqual([['INSUFFICIENT_FUNDS', 'input.amount']]);
    expect(await fields(TRANSFER, { i: { ...i, amount: '6000' } })).toEqual([['IDEMPOTENCY_KEY_REUSED', 'input.idempotencyKey']]);
  });

  it('name no input when the error is about none', async () => {
    const res = await server.raw('{ ledgerReport { balanced } }', undefined, { token: user.token });
    expect(res.errors![0].extensions).toEqual({ code: 'FORBIDDEN' });
    const login = await server.raw('mutation { logIn(input: { email: "nobody@example.com", password: "whatever1" }) { accessToken } }');
    // Which of the two was wrong is not told.
    expect(login.errors![0].extensions).toEqual({ code: 'INVALID_CREDENTIALS' });
  });
});

describe('over WebSocket', () => {
  it('errors name their input as over HTTP', async () => {
    const client = createClient({
      url: server.graphqlUrl.replace(/^http/, 'ws'),
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${user.token}` },
      retryAttempts: 0,
    });
    try {
      const errors = await new Promise<unknown>((resolve) => {
        client.subscribe(
          { query: 'query ($c: Currency!) { banks(currency: $c) { code } }', variables: { c: 'XXX' } },
          { next: (v) => resolve(v.errors), error: resolve, complete: () => undefined },
        );
      });
      expect(errors).toEqual([expect.objectContaining({ extensions: { code: 'BAD_USER_INPUT', field: 'currency' } })]);
      // A subscription whose variables cannot be coerced is refused the same way.
      const refused = await new Promise<unknown>((resolve) => {
        client.subscribe(
          { query: 'subscription ($w: ID!) { balanceUpdated(walletId: $w) { id } }', variables: { w: { id: walletId } } },
          { next: (v) => resolve(v.errors), error: resolve, complete: () => resolve('completed') },
        );
      });
      expect(refused).toEqual([expect.objectContaining({ extensions: { code: 'BAD_USER_INPUT', field: 'walletId' } })]);
    } finally {
      await client.dispose();
    }
  });
});
