import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import type { Client } from 'graphql-ws';
import { afterEach, describe, expect, it } from 'vitest';
import { FreezeCardDocument } from '../generated/graphql.js';
import { connectWs, listen, ready } from '../live/replica-support.js';
import { errorCode, sql } from '../support/helpers.js';
import { fund, seedUsers } from '../support/money.js';
import { useTestServer } from '../support/server.js';
import { buildApiSchema } from '../../src/schema/build-schema.js';
import {
  documentFor,
  idPaths,
  isAdminOnly,
  owner,
  post,
  rootOperations,
  servedSchema,
  snapshotOf,
  uniqueKey,
  type Owner,
  type RawReply,
  type RootOperation,
} from './security-support.js';

/**
 * The access-control matrix. Every root operation (query, mutation, subscription) that takes an
 * id (an argument or input field of type ID, or named `…Id`) is called by Bob with Alice's ids:
 * it must act on nothing and reveal nothing of Alice's (NOT_FOUND for mutations and
 * subscriptions; null or an empty page where the schema documents that for queries: DESIGN.md,
 * "a resource that is not the viewer's looks exactly like one that does not exist"), answer as
 * it answers for an id that does not exist, leave every row of Alice's unchanged, answer
 * UNAUTHENTICATED without a token, and work for Bob with his own ids (the control that shows
 * the matrix can fail). The operations come from the schema, so one added later without a case
 * here fails the coverage test. ADMIN-only operations are FORBIDDEN to everyone else.
 */

const server = useTestServer();
const clients: Client[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.dispose()));
});

/** The schema the code builds (the served one is compared with it below), read when the file is collected so each operation gets its own test. */
const schema = await buildApiSchema();
const operations = rootOperations(schema);
const idOperations = operations.filter((op) => idPaths(op.field).length > 0);
const adminOperations = operations.filter((op) => isAdminOnly(op.field));

/** How a foreign id must be refused: an error (NOT_FOUND), a null answer, or an empty page. */
type Denial = 'NOT_FOUND' | 'NULL' | 'EMPTY';

interface Ctx {
  /** The bank code of a sandbox bank that pays NGN out. */
  bankCode: string;
  /** Someone who is neither caller nor owner (a transfer's recipient). */
  recipientEmail: string;
  key(): string;
}

interface Variant {
  /** Shown in the test's messages. */
  name: string;
  /** The id paths (as `idPaths` names them) this variant puts the target's ids in. */
  covers: string[];
  /** The variables, with `o`'s ids in the covered paths. */
  vars(o: Owner, c: Ctx): Record<string, unknown>;
  denial: Denial;
  /** Run on the target first (Alice's, before the snapshot) and on Bob's own before the control: a state in which the operation changes something. */
  prepare?(o: Owner): Promise<void>;
  /** The control's proof that the call acted on Bob's own thing, when the answer names no id of his (default: his wallet, card or transaction id is in the answer). */
  control?(self: Owner, answer: unknown): Promise<void>;
  /** Subscriptions: make the subscribed thing change (for the control, and to catch a subscription that was let through). */
  trigger?(o: Owner): Promise<void>;
}

const amount = '500';
const freeze = (o: Owner) => server.gql(FreezeCardDocument, { input: { cardId: o.cardId } }, { token: o.token }).then(() => undefined);
const walletChange = (o: Owner) => fund(server.app, o.walletId, 1n);

/** How to build valid arguments for every operation that takes an id. Keyed by schema coordinate. */
const CASES: Record<string, Variant[]> = {
  'Query.wallet': [{ name: 'id', covers: ['id'], vars: (o) => ({ id: o.walletId }), denial: 'NULL' }],
  'Query.card': [{ name: 'id', covers: ['id'], vars: (o) => ({ id: o.cardId }), denial: 'NULL' }],
  'Query.transaction': [{ name: 'id', covers: ['id'], vars: (o) => ({ id: o.transactionId }), denial: 'NULL' }],
  'Query.transactions': [
    { name: 'filter.walletId', covers: ['filter.walletId'], vars: (o) => ({ first: 10, filter: { walletId: o.walletId } }), denial: 'EMPTY' },
    { name: 'filter.cardId', covers: ['filter.cardId'], vars: (o) => ({ first: 10, filter: { cardId: o.cardId } }), denial: 'EMPTY' },
  ],
  'Mutation.createCard': [
    {
      name: 'walletId',
      covers: ['input.walletId'],
      vars: (o, c) => ({ input: { walletId: o.walletId, label: 'sec', initialAmount: amount, idempotencyKey: c.key() } }),
      denial: 'NOT_FOUND',
    },
  ],
  'Mutation.deposit': [
    { name: 'walletId', covers: ['input.walletId'], vars: (o, c) => ({ input: { walletId: o.walletId, amount, idempotencyKey: c.key() } }), denial: 'NOT_FOUND' },
  ],
  'Mutation.withdraw': [
    {
      name: 'walletId',
      covers: ['input.walletId'],
      vars: (o, c) => ({ input: { walletId: o.walletId, amount, bankCode: c.bankCode, accountNumber: '0123456789', idempotencyKey: c.key() } }),
      denial: 'NOT_FOUND',
    },
  ],
  'Mutation.transfer': [
    {
      name: 'fromWalletId',
      covers: ['input.fromWalletId'],
      vars: (o, c) => ({ input: { fromWalletId: o.walletId, recipientEmail: c.recipientEmail, amount, note: 'sec', idempotencyKey: c.key() } }),
      denial: 'NOT_FOUND',
    },
  ],
  'Mutation.fundCard': [
    { name: 'cardId', covers: ['input.cardId'], vars: (o, c) => ({ input: { cardId: o.cardId, amount, idempotencyKey: c.key() } }), denial: 'NOT_FOUND' },
  ],
  'Mutation.withdrawFromCard': [
    { name: 'cardId', covers: ['input.cardId'], vars: (o, c) => ({ input: { cardId: o.cardId, amount, idempotencyKey: c.key() } }), denial: 'NOT_FOUND' },
  ],
  'Mutation.freezeCard': [{ name: 'cardId', covers: ['input.cardId'], vars: (o) => ({ input: { cardId: o.cardId } }), denial: 'NOT_FOUND' }],
  'Mutation.unfreezeCard': [
    // Frozen first, so an unfreeze would change something.
    { name: 'cardId', covers: ['input.cardId'], vars: (o) => ({ input: { cardId: o.cardId } }), denial: 'NOT_FOUND', prepare: freeze },
  ],
  'Mutation.terminateCard': [{ name: 'cardId', covers: ['input.cardId'], vars: (o) => ({ input: { cardId: o.cardId } }), denial: 'NOT_FOUND' }],
  'Mutation.setCardSpendingLimit': [
    {
      name: 'cardId with a limit',
      covers: ['input.cardId'],
      vars: (o) => ({ input: { cardId: o.cardId, limit: { amount: '1', interval: 'DAILY' } } }),
      denial: 'NOT_FOUND',
    },
    { name: 'cardId, limit null', covers: ['input.cardId'], vars: (o) => ({ input: { cardId: o.cardId, limit: null } }), denial: 'NOT_FOUND' },
  ],
  'Mutation.revealCard': [
    {
      name: 'cardId',
      covers: ['input.cardId'],
      vars: (o) => ({ input: { cardId: o.cardId } }),
      denial: 'NOT_FOUND',
      // The answer is a one-time page: it shows Bob's card (its last four digits).
      async control(self, answer) {
        const page = await fetch((answer as { url: string }).url).then((r) => r.text());
        const [{ last4 }] = await sql<{ last4: string }>(server.app, 'select last4 from cards where id = ?', [self.cardId]);
        expect(page).toContain(last4);
      },
    },
  ],
  'Mutation.simulateCardPurchase': [
    {
      name: 'cardId, no key',
      covers: ['input.cardId'],
      vars: (o) => ({ input: { cardId: o.cardId, amount, merchantName: 'Shop' } }),
      denial: 'NOT_FOUND',
    },
    {
      name: 'cardId with a key',
      covers: ['input.cardId'],
      vars: (o, c) => ({ input: { cardId: o.cardId, amount, merchantName: 'Shop', idempotencyKey: c.key() } }),
      denial: 'NOT_FOUND',
    },
  ],
  'Subscription.balanceUpdated': [
    { name: 'walletId', covers: ['walletId'], vars: (o) => ({ walletId: o.walletId }), denial: 'NOT_FOUND', trigger: walletChange },
  ],
  'Subscription.cardUpdated': [{ name: 'cardId', covers: ['cardId'], vars: (o) => ({ cardId: o.cardId }), denial: 'NOT_FOUND', trigger: freeze }],
};

/** What an ADMIN-only operation needs. */
const ADMIN_CASES: Record<string, (o: Owner) => Record<string, unknown>> = {
  'Query.ledgerReport': () => ({}),
  'Query.flaggedTransactions': () => ({ first: 5 }),
  'Query.userByEmail': (o) => ({ email: o.email }),
};

// --- the world each test starts from: Alice (the target), Bob (the caller), Carol (a recipient)

interface World {
  alice: Owner;
  bob: Owner;
  carol: { email: string };
  ctx: Ctx;
}

const ALICE_DEPOSIT = 7_654_321n;
const ALICE_CARD = 123_457n;

async function world(): Promise<World> {
  const alice = await owner(server, 'alice', ALICE_DEPOSIT, ALICE_CARD);
  const bob = await owner(server, 'bob', 50_000n, 10_000n);
  const [carol] = await seedUsers(server.app, 1, 'carol');
  const banks = await post(server, 'query { banks(currency: NGN) { code } }', {});
  const bankCode = (banks.data as { banks: { code: string }[] }).banks[0].code;
  return { alice, bob, carol, ctx: { bankCode, recipientEmail: carol.email, key: () => uniqueKey('ac') } };
}

/** Strings that would show Alice's data in an answer (minus what the caller sent: echoing one's own input reveals nothing). */
function secretsOf(o: Owner, sent: unknown): string[] {
  const walletBalance = ALICE_DEPOSIT - ALICE_CARD;
  const formatted = (n: bigint) => (Number(n) / 100).toLocaleString('en-US', { minimumFractionDigits: 2 });
  const all = [
    o.id,
    o.email,
    o.fullName,
    o.walletId,
    o.cardId,
    o.transactionId,
    o.transactionReference,
    `"${ALICE_DEPOSIT}"`,
    `"${walletBalance}"`,
    `"${ALICE_CARD}"`,
    formatted(ALICE_DEPOSIT),
    formatted(walletBalance),
    formatted(ALICE_CARD),
  ];
  const text = JSON.stringify(sent);
  return all.filter((s) => !text.includes(s));
}

/** Replaces every value at the given paths (dot-separated) with `value`. */
function replaceAt(vars: Record<string, unknown>, paths: string[], value: string): Record<string, unknown> {
  const copy = structuredClone(vars);
  for (const p of paths) {
    const keys = p.split('.');
    let at = copy as Record<string, unknown>;
    for (const k of keys.slice(0, -1)) at = at[k] as Record<string, unknown>;
    at[keys.at(-1)!] = value;
  }
  return copy;
}

/** An answer reduced to what must not depend on whose id it was: codes, messages (ids masked), paths, data. */
function shape(res: RawReply, ids: string[]) {
  let text = JSON.stringify({
    status: res.status,
    data: res.data ?? null,
    errors: (res.errors ?? []).map((e) => ({ message: e.message, code: e.extensions?.code, field: e.extensions?.field, path: (e as { path?: unknown }).path })),
  });
  for (const id of ids) text = text.split(id).join('<id>');
  return JSON.parse(text) as unknown;
}

function rootValue(res: RawReply, op: RootOperation): unknown {
  return (res.data as Record<string, unknown> | null | undefined)?.[op.field.name];
}

function expectDenied(res: RawReply, op: RootOperation, v: Variant, secrets: string[]) {
  const what = `${op.coordinate} (${v.name}) by Bob with Alice's ids: ${JSON.stringify(res.body)}`;
  expect(res.status, what).toBeLessThan(500);
  if (v.denial === 'NOT_FOUND') {
    expect(errorCode(res), what).toBe('NOT_FOUND');
    expect(rootValue(res, op) ?? null, what).toBeNull();
  } else {
    expect(res.errors, what).toBeUndefined();
    if (v.denial === 'NULL') expect(rootValue(res, op), what).toBeNull();
    else expect((rootValue(res, op) as { edges: unknown[] }).edges, what).toEqual([]);
  }
  const text = JSON.stringify(res.body);
  for (const s of secrets) expect(text.includes(s), `${what}\nshows Alice's ${s}`).toBe(false);
}

async function expectAllowed(res: RawReply, op: RootOperation, v: Variant, self: Owner) {
  const what = `${op.coordinate} (${v.name}) by Bob with his own ids: ${JSON.stringify(res.body)}`;
  expect(res.errors, what).toBeUndefined();
  const value = rootValue(res, op);
  expect(value, what).not.toBeNull();
  if (v.denial === 'EMPTY') expect((value as { edges: unknown[] }).edges.length, what).toBeGreaterThan(0);
  // It really was about Bob's thing: his id is in the answer.
  if (v.control) await v.control(self, value);
  else expect(JSON.stringify(value), what).toMatch(new RegExp(`${self.walletId}|${self.cardId}|${self.transactionId}`));
}

// --- HTTP (queries and mutations)

async function checkHttp(op: RootOperation, v: Variant) {
  const { alice, bob, ctx } = await world();
  await v.prepare?.(alice);
  const before = await snapshotOf(server, alice.id);
  const doc = documentFor(op);

  // Bob, with Alice's ids (Bob as the recipient where there is one: the thief's own account).
  const foreignVars = v.vars(alice, { ...ctx, recipientEmail: bob.email });
  const foreign = await post(server, doc, foreignVars, bob.token);
  expectDenied(foreign, op, v, secretsOf(alice, foreignVars));

  // Alice's ids answer as ids that do not exist do.
  const missingId = randomUUID();
  const missingVars = replaceAt(foreignVars, v.covers, missingId);
  const missing = await post(server, doc, missingVars, bob.token);
  const aliceIds = [alice.walletId, alice.cardId, alice.transactionId];
  expect(shape(foreign, aliceIds), `${op.coordinate} (${v.name}): Alice's id vs a missing one`).toEqual(shape(missing, [missingId]));

  // No token at all.
  const anonymous = await post(server, doc, v.vars(alice, ctx));
  expect(errorCode(anonymous), `${op.coordinate} (${v.name}) without a token: ${JSON.stringify(anonymous.body)}`).toBe('UNAUTHENTICATED');
  expect(rootValue(anonymous, op) ?? null).toBeNull();

  expect(await snapshotOf(server, alice.id), `${op.coordinate} (${v.name}) changed Alice's rows`).toEqual(before);

  // The control: the same call with Bob's own ids works, so the refusals above are about ownership.
  await v.prepare?.(bob);
  const own = await post(server, doc, v.vars(bob, ctx), bob.token);
  await expectAllowed(own, op, v, bob);
  expect(await snapshotOf(server, alice.id), `${op.coordinate} (${v.name}) by Bob on his own changed Alice's rows`).toEqual(before);
}

// --- WebSocket (subscriptions)

async function checkSubscription(op: RootOperation, v: Variant) {
  const { alice, bob, ctx } = await world();
  const before = await snapshotOf(server, alice.id);
  const doc = documentFor(op);

  const foreign = listen(connectWs(server.graphqlUrl, bob.token, clients), doc, v.vars(alice, ctx));
  const ended = await foreign.waitForClose(3_000).catch(() => undefined);
  if (ended === undefined) {
    // Let through: show whether Alice's changes reach Bob.
    await v.trigger!(alice);
    await foreign.waitFor(1, 3_000).catch(() => undefined);
  }
  const what = `${op.coordinate} by Bob with Alice's ids: ended ${JSON.stringify(ended)}, events ${JSON.stringify(foreign.events)}`;
  expect(foreign.events, what).toEqual([]);
  expect(Array.isArray(ended), what).toBe(true);
  expect((ended as { extensions?: { code?: string } }[])[0]?.extensions?.code, what).toBe('NOT_FOUND');
  for (const s of secretsOf(alice, v.vars(alice, ctx))) expect(JSON.stringify(ended).includes(s), `${what}\nshows ${s}`).toBe(false);

  // As for a wallet or card that does not exist.
  const missingId = randomUUID();
  const missing = listen(connectWs(server.graphqlUrl, bob.token, clients), doc, replaceAt(v.vars(alice, ctx), v.covers, missingId));
  const missingEnd = await missing.waitForClose(3_000);
  const mask = (e: unknown, ids: string[]) => ids.reduce((t, id) => t.split(id).join('<id>'), JSON.stringify(e));
  expect(mask(ended, [alice.walletId, alice.cardId])).toBe(mask(missingEnd, [missingId]));

  // No token: the connection is acknowledged (as Apollo Sandbox needs), the subscription fails
  // with UNAUTHENTICATED before anything runs, and shows nothing of Alice's.
  const anonymous = listen(connectWs(server.graphqlUrl, undefined, clients), doc, v.vars(alice, ctx));
  const anonymousEnd = await anonymous.waitForClose(5_000);
  expect(anonymous.events).toEqual([]);
  expect((anonymousEnd as { extensions?: { code?: string } }[])[0]?.extensions?.code, JSON.stringify(anonymousEnd)).toBe('UNAUTHENTICATED');
  for (const s of secretsOf(alice, v.vars(alice, ctx))) expect(JSON.stringify(anonymousEnd).includes(s)).toBe(false);

  expect(await snapshotOf(server, alice.id)).toEqual(before);

  // The control: Bob's own id subscribes, and his own change arrives.
  const ownClient = connectWs(server.graphqlUrl, bob.token, clients);
  const own = listen(ownClient, doc, v.vars(bob, ctx));
  await ready(ownClient);
  let events: Record<string, unknown>[] = [];
  for (let attempt = 0; attempt < 3 && events.length === 0; attempt++) {
    await v.trigger!(bob);
    events = await own.waitFor(1, 2_000).catch(() => []);
  }
  expect(own.closed(), `${op.coordinate} with Bob's own id ended`).toBeUndefined();
  expect(events.length, `${op.coordinate}: Bob's own change never arrived`).toBeGreaterThan(0);
  expect(JSON.stringify(events)).toMatch(new RegExp(`${bob.walletId}|${bob.cardId}`));
}

// --- the tests

describe('the matrix covers the schema', () => {
  it('finds the id-taking operations it should (the scan itself works)', () => {
    const coords = idOperations.map((o) => o.coordinate);
    expect(coords).toEqual(expect.arrayContaining(['Query.wallet', 'Mutation.fundCard', 'Mutation.transfer', 'Subscription.balanceUpdated']));
    expect(coords).not.toContain('Query.me');
    expect(coords).not.toContain('Mutation.signUp');
  });

  it('has a case for every id argument of every id-taking operation, and none for operations that are gone', () => {
    const missing: string[] = [];
    for (const op of idOperations) {
      const covered = new Set((CASES[op.coordinate] ?? []).flatMap((v) => v.covers));
      for (const p of idPaths(op.field)) if (!covered.has(p)) missing.push(`${op.coordinate}(${p})`);
    }
    expect(missing, `operations that take an id with no access-control case in CASES:\n${missing.join('\n')}`).toEqual([]);
    const stale = Object.keys(CASES).filter((c) => !idOperations.some((o) => o.coordinate === c));
    expect(stale, 'CASES for operations the schema does not have (or that take no id now)').toEqual([]);
  });

  it('has a case for every ADMIN-only operation', () => {
    expect(adminOperations.map((o) => o.coordinate).sort()).toEqual(Object.keys(ADMIN_CASES).sort());
  });

  it('its checks fail on a leak, on a wrong code and on a change (the matrix is not trivially green)', async () => {
    const op = idOperations.find((o) => o.coordinate === 'Mutation.fundCard')!;
    const v = CASES[op.coordinate][0];
    const alice = { id: 'u-1', email: 'alice@example.com', fullName: 'Alice A', token: '', walletId: 'w-1', cardId: 'c-1', transactionId: 't-1', transactionReference: 'r-1' };
    const denied: RawReply = { status: 200, body: { errors: [{ message: 'Not found', extensions: { code: 'NOT_FOUND' } }], data: null }, errors: [{ message: 'Not found', extensions: { code: 'NOT_FOUND' } }], data: null };
    expect(() => expectDenied(denied, op, v, secretsOf(alice, {}))).not.toThrow();
    const leaky = { ...denied, body: { ...(denied.body as object), extra: 'owned by alice@example.com' } };
    expect(() => expectDenied(leaky, op, v, secretsOf(alice, {}))).toThrow(/shows Alice's alice@example.com/);
    const forbidden = { ...denied, errors: [{ message: 'no', extensions: { code: 'BAD_USER_INPUT' } }] };
    expect(() => expectDenied(forbidden, op, v, secretsOf(alice, {}))).toThrow();
    const acted: RawReply = { status: 200, body: {}, data: { fundCard: { card: { id: 'c-1' } } } };
    expect(() => expectDenied(acted, op, v, secretsOf(alice, {}))).toThrow();
  });

  it('the running server serves the same operations (with the same arguments) as the schema the matrix is built from', async () => {
    const served = await servedSchema(server);
    const describe = (ops: RootOperation[]) => ops.map((o) => `${o.coordinate}(${idPaths(o.field).join(',')})`).sort();
    expect(describe(rootOperations(served))).toEqual(describe(operations));
  });
});

describe("Bob with Alice's ids", () => {
  for (const op of idOperations) {
    const variants = CASES[op.coordinate];
    if (!variants) {
      it(`${op.coordinate}: has a case`, () => {
        expect.fail(`${op.coordinate} takes ${idPaths(op.field).join(', ')} but CASES has no entry for it`);
      });
      continue;
    }
    for (const v of variants) {
      it(`${op.coordinate} (${v.name}) is ${v.denial}, shows and changes nothing of Alice's, is UNAUTHENTICATED without a token, and works with Bob's own ids`, async () => {
        if (op.kind === 'Subscription') await checkSubscription(op, v);
        else await checkHttp(op, v);
      });
    }
  }
});

describe('ADMIN-only operations', () => {
  for (const op of adminOperations) {
    it(`${op.coordinate} is FORBIDDEN to a user, UNAUTHENTICATED without a token, and answers an ADMIN`, async () => {
      const [user, admin] = await seedUsers(server.app, 2, 'role');
      await sql(server.app, `update users set role = 'ADMIN' where id = ?`, [admin.id]);
      const doc = documentFor(op);
      const vars = ADMIN_CASES[op.coordinate]({ ...user, fullName: '', walletId: '', cardId: '', transactionId: '', transactionReference: '' });

      const asUser = await post(server, doc, vars, user.token);
      expect(errorCode(asUser), JSON.stringify(asUser.body)).toBe('FORBIDDEN');
      expect(rootValue(asUser, op) ?? null).toBeNull();
      expect(JSON.stringify(asUser.body)).not.toContain(user.id);

      const anonymous = await post(server, doc, vars);
      expect(errorCode(anonymous), JSON.stringify(anonymous.body)).toBe('UNAUTHENTICATED');

      const asAdmin = await post(server, doc, vars, admin.token);
      expect(asAdmin.errors, JSON.stringify(asAdmin.body)).toBeUndefined();
      expect(asAdmin.data).toHaveProperty(op.field.name);

      // A role taken back is FORBIDDEN on the next request (roles are read afresh).
      await sql(server.app, `update users set role = 'USER' where id = ?`, [admin.id]);
      expect(errorCode(await post(server, doc, vars, admin.token))).toBe('FORBIDDEN');
    });
  }
});

describe('idempotency keys are per user', () => {
  it("Bob's request with Alice's key is his own: it neither replays Alice's answer nor is IDEMPOTENCY_KEY_REUSED", async () => {
    const { alice, bob, ctx } = await world();
    const op = operations.find((o) => o.coordinate === 'Mutation.deposit')!;
    const doc = documentFor(op);
    const key = uniqueKey('shared');
    const hers = await post(server, doc, { input: { walletId: alice.walletId, amount: '777', idempotencyKey: key } }, alice.token);
    expect(hers.errors, JSON.stringify(hers.body)).toBeUndefined();
    const before = await snapshotOf(server, alice.id);
    const his = await post(server, doc, { input: { walletId: bob.walletId, amount: '777', idempotencyKey: key } }, bob.token);
    expect(his.errors, JSON.stringify(his.body)).toBeUndefined();
    const hersTx = (rootValue(hers, op) as { transaction: { id: string } }).transaction.id;
    const hisTx = (rootValue(his, op) as { transaction: { id: string; wallet: { id: string } } }).transaction;
    expect(hisTx.id).not.toBe(hersTx);
    expect(hisTx.wallet.id).toBe(bob.walletId);
    for (const s of secretsOf(alice, {})) expect(JSON.stringify(his.body).includes(s), s).toBe(false);
    // The same key on Alice's wallet, by Bob: still NOT_FOUND, not Alice's recorded answer.
    const replay = await post(server, doc, { input: { walletId: alice.walletId, amount: '777', idempotencyKey: key } }, bob.token);
    expect(errorCode(replay), JSON.stringify(replay.body)).not.toBeUndefined();
    expect(JSON.stringify(replay.body)).not.toContain(hersTx);
    expect(await snapshotOf(server, alice.id)).toEqual(before);
    void ctx;
  });
});
