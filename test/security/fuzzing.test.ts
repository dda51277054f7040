import 'reflect-metadata';
import fc from 'fast-check';
import {
  getNamedType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isScalarType,
  type GraphQLInputType,
  type GraphQLSchema,
} from 'graphql';
import { beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/domain/shared/error-codes.js';
import { User } from '../../src/domain/users/user.entity.js';
import { sql } from '../support/helpers.js';
import { createWallet, fund, seedUsers } from '../support/money.js';
import { useTestServer } from '../support/server.js';
import { buildApiSchema } from '../../src/schema/build-schema.js';
import { documentFor, errorLines, post, rootOperations, servedSchema, uniqueKey, type RawReply, type RootOperation } from './security-support.js';

/**
 * Property-based fuzzing of every mutation's input (fast-check), over HTTP, as a signed-in
 * user with funded wallets and cards. Inputs are generated from the schema's argument types,
 * around each type: strings (empty, long up to the body limit, unicode, lone surrogates,
 * control characters, SQL- and JSON-looking text), MinorUnits (negative, zero, huge, decimals,
 * exponents, 19+ digits, numbers instead of strings), ids (the user's own, another user's,
 * random UUIDs, non-UUIDs), enums (known and unknown values), idempotency keys (fresh, shared,
 * empty, 255/256 characters), wrong JSON types and missing fields.
 *
 * Properties: never an HTTP 5xx, never INTERNAL_SERVER_ERROR, every error's code is one of
 * ErrorCode, no log line at level error while it runs; afterwards the ledger balances
 * (ledgerReport as an ADMIN, and SQL) and no user's account is negative.
 *
 * FUZZ_RUNS (runs per mutation, default 40) and FUZZ_SEED (default fixed) replay or widen a run;
 * fast-check prints the seed and the shrunk counterexample of a failure.
 */

const RUNS = Number(process.env.FUZZ_RUNS ?? 40);
const SEED = Number(process.env.FUZZ_SEED ?? 20_261_128);
const BODY_LIMIT = 100 * 1024;

const server = useTestServer(
  {
    // Sign-up and log-in are fuzzed many times from one IP: their limits are raised so that the
    // fuzzer reaches the code behind them (RATE_LIMITED is still a documented answer).
    RATE_LIMIT_SIGNUP_PER_IP: '100000',
    RATE_LIMIT_SIGNUP_PER_EMAIL: '100000',
    RATE_LIMIT_LOGIN_PER_IP: '100000',
    RATE_LIMIT_LOGIN_PER_EMAIL: '100000',
    BODY_LIMIT_BYTES: String(BODY_LIMIT),
    // Sandbox payouts settle during the run, so settlement is fuzzed too.
    SANDBOX_PAYOUT_DELAY_MS: '200',
    PAYMENTS_JOB_INTERVAL_MS: '200',
    LOG_LEVEL: 'warn',
  },
  { reset: false },
);

const schema: GraphQLSchema = await buildApiSchema();
const mutations = rootOperations(schema, ['Mutation']);
const KNOWN_CODES = new Set<string>(Object.values(ErrorCode));

// --- placeholders, resolved when a request is sent (the state changes as the fuzzer runs)

/** An id the fuzzer means: one of the user's own things, someone else's, or a made-up one. */
type Ref = { $ref: 'wallet' | 'usdWallet' | 'card' | 'frozenCard' | 'transaction' | 'foreignWallet' | 'foreignCard' | 'foreignTransaction'; n: number };
/** A session to use for one run (logOut and changePassword end sessions). */
type SessionRef = { $session: 'access' | 'refresh' };

interface Seeded {
  user: { id: string; email: string; token: string };
  walletId: string;
  usdWalletId: string;
  victim: { id: string; email: string; walletId: string; cardId: string; transactionId: string };
  /** A user whose sessions logOut, refreshToken and changePassword end. */
  sessions: { id: string; email: string };
  admin: { token: string };
  bankCode: string;
}
let seeded: Seeded;

const SEEDED_PASSWORD = 'seeded-password';
/** The sessions user's password, as changePassword changes it. */
const passwords = { current: SEEDED_PASSWORD };

// --- arbitraries for values, by type and name

const JSON_ISH = [
  '',
  ' ',
  '\t\r\n',
  "'; drop table users; --",
  "' or '1'='1",
  'Robert"); delete from ledger_accounts; --',
  '{"$gt": ""}',
  '{"__proto__": {"admin": true}}',
  '[]',
  'null',
  'undefined',
  'NaN',
  '-0',
  '1e309',
  '%00',
  '\\u0000',
  '${jndi:ldap://x/a}',
  '<script>alert(1)</script>',
  '../../../etc/passwd',
  '\u202Eevil',
  '\uFEFFbom',
  'ß𝔘𝔫𝔦𝔠𝔬𝔡𝔢🙂',
  'a\u0301\u0302\u0303',
  '\uD800',
  'a\uDFFFb',
  '\u0000',
];
const CONTROL = ['\u0001', '\u0007', '\b', '\u001b', '\u007f', '\u0085', '\u2028', '\u2029', 'a', ' '];
/** Long strings; the largest nearly fill the body limit, one is over it. */
const LONG_SIZES = [256, 257, 281, 1_000, 10_000, BODY_LIMIT - 2_000, BODY_LIMIT + 10];

const stringArb: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 3, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 3, arbitrary: fc.constantFrom(...JSON_ISH) },
  { weight: 1, arbitrary: fc.string({ unit: fc.constantFrom(...CONTROL), minLength: 1, maxLength: 20 }) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...LONG_SIZES), fc.constantFrom('x', 'é', '🙂')).map(([n, c]) => c.repeat(c === '🙂' ? Math.floor(n / 4) : c === 'é' ? Math.floor(n / 2) : n)) },
);

const amountArb: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: 1, max: 20_000 }).map(String) },
  { weight: 2, arbitrary: fc.bigInt({ min: -(10n ** 20n), max: 10n ** 20n }).map(String) },
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      '0',
      '-1',
      '-0',
      '00',
      '007',
      '+5',
      ' 5',
      '5 ',
      '1.5',
      '1.0',
      '1e3',
      '1E+2',
      '0x10',
      '1_000',
      '١٢٣',
      '',
      'NaN',
      'Infinity',
      '999999999999999999',
      '1000000000000000000',
      '9223372036854775807',
      '9223372036854775808',
      '18446744073709551616',
      '99999999999999999999999999999999999999',
    ),
  },
  { weight: 1, arbitrary: fc.oneof(fc.integer(), fc.double(), fc.constant(1e21), fc.boolean(), fc.constant({}), fc.constant([])) },
);

const idArb = (name: string): fc.Arbitrary<unknown> => {
  const own: Ref['$ref'][] = /card/i.test(name) ? ['card', 'foreignCard'] : /wallet/i.test(name) ? ['wallet', 'usdWallet', 'foreignWallet'] : ['transaction', 'foreignTransaction', 'wallet', 'card'];
  return fc.oneof(
    { weight: 6, arbitrary: fc.record({ $ref: fc.constantFrom(own[0]), n: fc.nat(5) }) },
    { weight: 3, arbitrary: fc.record({ $ref: fc.constantFrom(...own), n: fc.nat(5) }) },
    { weight: 2, arbitrary: fc.uuid() },
    {
      weight: 2,
      arbitrary: fc.constantFrom('', 'not-a-uuid', '00000000-0000-0000-0000-000000000000', 'FFFFFFFF-FFFF-4FFF-BFFF-FFFFFFFFFFFF', '1', '-1', "1' or '1'='1", 'x'.repeat(300)),
    },
    { weight: 1, arbitrary: stringArb },
    { weight: 1, arbitrary: fc.oneof(fc.integer(), fc.constant(0), fc.constant(1.5)) },
  );
};

const keyArb: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 6, arbitrary: fc.uuid().map((u) => `fuzz-${u}`) },
  { weight: 2, arbitrary: fc.constantFrom('fuzz-shared', 'fuzz-shared-2') },
  { weight: 1, arbitrary: fc.constantFrom('', ' ', 'k'.repeat(255), 'k'.repeat(256), '🙂'.repeat(128), '🙂'.repeat(200)) },
  { weight: 1, arbitrary: stringArb },
);

const emailArb = (): fc.Arbitrary<unknown> =>
  fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom('victim', 'self', 'VICTIM', 'sessions').map((who) => ({ $email: who })) },
    { weight: 2, arbitrary: fc.emailAddress() },
    { weight: 1, arbitrary: fc.uuid().map((u) => `new-${u}@example.com`) },
    { weight: 2, arbitrary: stringArb },
    { weight: 1, arbitrary: fc.constantFrom('a@b', '@example.com', 'x@', 'a@b.c'.padStart(300, 'a'), ' spaced@example.com ', 'UPPER@EXAMPLE.COM') },
  );

const passwordArb: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 2, arbitrary: fc.constant(SEEDED_PASSWORD) },
  { weight: 2, arbitrary: fc.string({ minLength: 8, maxLength: 30 }) },
  { weight: 3, arbitrary: stringArb },
);

const intArb = fc.oneof(fc.integer({ min: -5, max: 200 }), fc.constantFrom(2 ** 31, -(2 ** 31) - 1, 1.5), fc.constant('5'));
const dateArb = fc.oneof(
  fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
  fc.constantFrom('2026-13-45T00:00:00Z', 'yesterday', '', '0000-00-00', '9999-12-31T23:59:59.999Z', '-271821-04-20T00:00:00.000Z'),
);

/** Values a field of the wrong JSON type could get. */
const wrongTypeArb = fc.constantFrom<unknown>(42, -1, 3.14, true, false, {}, [], ['x'], { a: 1 });

const SCALARS: Record<string, (name: string) => fc.Arbitrary<unknown>> = {
  ID: idArb,
  MinorUnits: () => amountArb,
  String: (name) =>
    name === 'idempotencyKey'
      ? keyArb
      : /email/i.test(name)
        ? emailArb()
        : /password/i.test(name)
          ? passwordArb
          : name === 'refreshToken'
            ? fc.oneof({ weight: 2, arbitrary: fc.constant<SessionRef>({ $session: 'refresh' }) }, { weight: 2, arbitrary: stringArb })
            : name === 'bankCode'
              ? fc.oneof({ weight: 3, arbitrary: fc.constant({ $bank: true }) }, { weight: 1, arbitrary: stringArb })
              : name === 'accountNumber'
                ? fc.oneof(fc.constantFrom('0123456789', '0000000000', '123', '01234567890', 'abcdefghij'), stringArb)
                : stringArb,
  Int: () => intArb,
  Float: () => fc.double(),
  Boolean: () => fc.oneof(fc.boolean(), wrongTypeArb),
  DateTime: () => dateArb,
};

/** Scalars the schema has that no arbitrary covers: fails the coverage test. */
function uncoveredScalars(): string[] {
  const out = new Set<string>();
  const walk = (type: GraphQLInputType, seen: Set<string>) => {
    const named = getNamedType(type);
    if (isScalarType(named) && !SCALARS[named.name]) out.add(named.name);
    if (isInputObjectType(named) && !seen.has(named.name)) for (const f of Object.values(named.getFields())) walk(f.type, new Set(seen).add(named.name));
  };
  for (const m of mutations) for (const a of m.field.args) walk(a.type, new Set());
  return [...out];
}

/** A value for one argument or input field: mostly of its type, sometimes null, missing or of another JSON type. */
function valueArb(name: string, type: GraphQLInputType, depth = 0): fc.Arbitrary<unknown> {
  const required = isNonNullType(type);
  const inner = required ? type.ofType : type;
  let arb: fc.Arbitrary<unknown>;
  if (isListType(inner)) arb = fc.array(valueArb(name, inner.ofType as GraphQLInputType, depth + 1), { maxLength: 3 });
  else if (isInputObjectType(inner)) {
    const fields = Object.values(inner.getFields());
    arb = depth > 3 ? fc.constant({}) : fc.record(Object.fromEntries(fields.map((f) => [f.name, valueArb(f.name, f.type, depth + 1)])));
  } else if (isEnumType(inner)) {
    arb = fc.oneof(
      { weight: 5, arbitrary: fc.constantFrom(...inner.getValues().map((v) => v.name)) },
      { weight: 1, arbitrary: fc.constantFrom('XYZ', 'ngn', '', 'BTC', 'NGN ', 'usd') },
    );
  } else {
    const scalar = SCALARS[getNamedType(inner).name];
    if (!scalar) throw new Error(`no arbitrary for scalar ${getNamedType(inner).name}`);
    arb = scalar(name);
  }
  return fc.oneof(
    { weight: 20, arbitrary: arb },
    { weight: 1, arbitrary: fc.constant(null) },
    { weight: required ? 1 : 3, arbitrary: fc.constant(undefined) },
    { weight: 1, arbitrary: wrongTypeArb },
  );
}

// --- the table: every mutation needs an entry (how to call it), even when the schema-made arbitrary suffices

interface MutationCase {
  /** Whose token: the fuzzed user's, none, or a new session of the sessions user for each run. */
  as: 'user' | 'anonymous' | 'session';
  /** Run after the others (it ends what the others use: cards). */
  last?: boolean;
  /**
   * Arguments that succeed (placeholders are resolved when sent: `{ $ref }` ids, `{ $key }` a
   * fresh idempotency key, `{ $email }`, `{ $session }`, `{ $bank }`, `{ $password }`). Half the
   * runs fuzz around them, one or two fields at a time, so that the fuzzer gets past validation.
   */
  valid: () => Record<string, unknown>;
}

const KEY = { $key: true };
const card = { $ref: 'card', n: 0 };
const MUTATIONS: Record<string, MutationCase> = {
  signUp: { as: 'anonymous', valid: () => ({ input: { email: { $email: 'fresh' }, password: 'correct horse battery', fullName: 'Fuzz Person' } }) },
  logIn: { as: 'anonymous', valid: () => ({ input: { email: { $email: 'self' }, password: SEEDED_PASSWORD } }) },
  refreshToken: { as: 'anonymous', valid: () => ({ input: { refreshToken: { $session: 'refresh' } } }) },
  logOut: { as: 'session', valid: () => ({ input: { refreshToken: { $session: 'refresh' } } }) },
  changePassword: { as: 'session', valid: () => ({ input: { currentPassword: { $password: 'current' }, newPassword: 'another horse battery' } }) },
  // Account recovery: a mailed token cannot be known here, so its runs fuzz around a dead one.
  verifyEmail: { as: 'anonymous', valid: () => ({ input: { token: 'a-token-no-mail-carried' } }) },
  resendVerificationEmail: { as: 'user', valid: () => ({}) },
  requestPasswordReset: { as: 'anonymous', valid: () => ({ input: { email: { $email: 'self' } } }) },
  resetPassword: { as: 'anonymous', valid: () => ({ input: { token: 'a-token-no-mail-carried', newPassword: 'another horse battery' } }) },
  changeEmail: { as: 'session', valid: () => ({ input: { newEmail: { $email: 'fresh' }, currentPassword: { $password: 'current' } } }) },
  createWallet: { as: 'user', valid: () => ({ input: { currency: 'GHS' } }) },
  deposit: { as: 'user', valid: () => ({ input: { walletId: { $ref: 'wallet', n: 0 }, amount: '1000', idempotencyKey: KEY } }) },
  withdraw: {
    as: 'user',
    valid: () => ({ input: { walletId: { $ref: 'wallet', n: 0 }, amount: '100', bankCode: { $bank: true }, accountNumber: '0123456789', idempotencyKey: KEY } }),
  },
  transfer: {
    as: 'user',
    valid: () => ({ input: { fromWalletId: { $ref: 'wallet', n: 0 }, recipientEmail: { $email: 'victim' }, amount: '100', note: 'fuzz', idempotencyKey: KEY } }),
  },
  createCard: {
    as: 'user',
    valid: () => ({
      input: {
        walletId: { $ref: 'wallet', n: 0 },
        label: 'fuzz',
        initialAmount: '100',
        spendingLimit: { amount: '5000', interval: 'DAILY' },
        billingAddress: { line1: '1 Fuzz Road', city: 'Lagos', postalCode: '100001', country: 'NG' },
        idempotencyKey: KEY,
      },
    }),
  },
  fundCard: { as: 'user', valid: () => ({ input: { cardId: card, amount: '100', idempotencyKey: KEY } }) },
  withdrawFromCard: { as: 'user', valid: () => ({ input: { cardId: card, amount: '50', idempotencyKey: KEY } }) },
  freezeCard: { as: 'user', valid: () => ({ input: { cardId: card } }) },
  unfreezeCard: { as: 'user', valid: () => ({ input: { cardId: { $ref: 'frozenCard', n: 0 } } }) },
  terminateCard: { as: 'user', last: true, valid: () => ({ input: { cardId: card } }) },
  setCardSpendingLimit: { as: 'user', valid: () => ({ input: { cardId: card, limit: { amount: '5000', interval: 'WEEKLY' } } }) },
  revealCard: { as: 'user', valid: () => ({ input: { cardId: card } }) },
  simulateCardPurchase: {
    as: 'user',
    valid: () => ({ input: { cardId: card, amount: '100', merchantName: 'Shop', merchantCategory: 'grocery', merchantCountry: 'NG', idempotencyKey: KEY } }),
  },
};

/** Fully generated arguments (mostly invalid somewhere). */
function argsArb(op: RootOperation): fc.Arbitrary<Record<string, unknown>> {
  return fc.record(Object.fromEntries(op.field.args.map((a) => [a.name, valueArb(a.name, a.type)])));
}

/** A valid value with some of its fields (or itself) fuzzed: most stay as they are. */
function aroundValid(name: string, type: GraphQLInputType, valid: unknown): fc.Arbitrary<unknown> {
  const inner = isNonNullType(type) ? type.ofType : type;
  const fuzz = valueArb(name, type);
  if (isInputObjectType(inner) && valid !== null && typeof valid === 'object' && !('$ref' in valid) && !Array.isArray(valid)) {
    const fields = Object.values(inner.getFields());
    const record = fc.record(
      Object.fromEntries(
        fields.map((f) => {
          const v = (valid as Record<string, unknown>)[f.name];
          return [f.name, v === undefined ? fc.oneof({ weight: 8, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: valueArb(f.name, f.type) }) : aroundValid(f.name, f.type, v)];
        }),
      ),
    );
    return fc.oneof({ weight: 12, arbitrary: record }, { weight: 1, arbitrary: fuzz });
  }
  return fc.oneof({ weight: 7, arbitrary: fc.constant(valid) }, { weight: 1, arbitrary: fuzz });
}

function mutationArb(op: RootOperation, entry: MutationCase): fc.Arbitrary<Record<string, unknown>> {
  const valid = entry.valid();
  const near = fc.record(Object.fromEntries(op.field.args.map((a) => [a.name, aroundValid(a.name, a.type, valid[a.name])])));
  return fc.oneof({ weight: 3, arbitrary: near }, { weight: 2, arbitrary: argsArb(op) });
}

// --- resolving placeholders

async function resolveRefs(value: unknown, session: { refreshToken?: string }): Promise<unknown> {
  if (Array.isArray(value)) return Promise.all(value.map((v) => resolveRefs(v, session)));
  if (value === null || typeof value !== 'object') return value;
  const o = value as Record<string, unknown>;
  if ('$ref' in o) return refId(o as Ref);
  if ('$email' in o) {
    const who = o.$email as string;
    if (who === 'fresh') return `fresh-${uniqueKey()}@example.com`;
    return who === 'victim' ? seeded.victim.email : who === 'VICTIM' ? seeded.victim.email.toUpperCase() : who === 'self' ? seeded.user.email : seeded.sessions.email;
  }
  if ('$session' in o) return session.refreshToken ?? 'no-session';
  if ('$bank' in o) return seeded.bankCode;
  if ('$key' in o) return uniqueKey('fuzz');
  if ('$password' in o) return passwords.current;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) {
    const r = await resolveRefs(v, session);
    if (r !== undefined) out[k] = r;
  }
  return out;
}

async function refId(ref: Ref): Promise<string> {
  const { user, victim, walletId, usdWalletId } = seeded;
  switch (ref.$ref) {
    case 'wallet':
      return walletId;
    case 'usdWallet':
      return usdWalletId;
    case 'foreignWallet':
      return victim.walletId;
    case 'foreignCard':
      return victim.cardId;
    case 'foreignTransaction':
      return victim.transactionId;
    case 'card': {
      // Active cards first, so that most runs reach past the status check.
      const cards = await sql<{ id: string }>(server.app, `select id from cards where user_id = ? order by (status = 'ACTIVE') desc, created_at limit 4`, [user.id]);
      return cards[ref.n % cards.length].id;
    }
    case 'frozenCard': {
      const cards = await sql<{ id: string }>(server.app, `select id from cards where user_id = ? order by (status = 'FROZEN') desc, created_at limit 4`, [user.id]);
      return cards[ref.n % cards.length].id;
    }
    case 'transaction': {
      const rows = await sql<{ id: string }>(server.app, 'select id from transactions where user_id = ? order by seq desc limit 6', [user.id]);
      return rows[ref.n % rows.length].id;
    }
  }
}

async function newSession(userId: string): Promise<{ accessToken: string; refreshToken: string }> {
  const em = server.app.orm.em.fork();
  return server.app.services.auth.openSessionFor(em, em.getReference(User, userId), { ip: '127.0.0.1' });
}

// --- the per-request property

const codes = new Map<string, number>();
/** A body over BODY_LIMIT_BYTES: Fastify refuses it before GraphQL (413 with its own JSON error, not a GraphQL answer). */
const tooLarge = (res: RawReply) => res.status === 413 && (res.body as { code?: string }).code === 'FST_ERR_CTP_BODY_TOO_LARGE';

/**
 * Bugs this fuzzer found and reported, recognised by what the server answered and logged: counted
 * and shown, not failed, so that everything else keeps being checked. Each has a minimal
 * `it.fails` case below that turns green (and so fails) once it is fixed.
 */
const KNOWN_BUGS: { id: string; matches(res: RawReply, logged: string[]): boolean }[] = [
  // None open. The first one found (a lone UTF-16 surrogate reaching a jsonb column as an internal
  // error) is fixed: unpaired surrogates are refused like NUL (src/schema/nul-characters.ts).
];
const knownHits = new Map<string, string[]>();

function problemsOf(res: RawReply, op: RootOperation): string[] {
  const problems: string[] = [];
  if (tooLarge(res)) {
    codes.set(`${op.field.name}:HTTP 413`, (codes.get(`${op.field.name}:HTTP 413`) ?? 0) + 1);
    return problems;
  }
  if (res.status >= 500) problems.push(`HTTP ${res.status}`);
  if (typeof res.body !== 'object' || res.body === null) problems.push(`a body that is not JSON (HTTP ${res.status})`);
  else if (!res.errors && !res.data) problems.push('neither data nor errors');
  for (const e of res.errors ?? []) {
    const code = e.extensions?.code as string | undefined;
    codes.set(`${op.field.name}:${code}`, (codes.get(`${op.field.name}:${code}`) ?? 0) + 1);
    if (code === undefined) problems.push(`an error without a code: ${e.message}`);
    else if (code === 'INTERNAL_SERVER_ERROR') problems.push(`INTERNAL_SERVER_ERROR: ${e.message}`);
    else if (!KNOWN_CODES.has(code)) problems.push(`an undocumented code ${code}: ${e.message}`);
    if (/\bat .*\.(ts|js):\d+|select .* from|insert into/i.test(e.message ?? '')) problems.push(`an error message with internals: ${e.message}`);
  }
  if (!res.errors && res.data && res.data[op.field.name] == null) problems.push('null data without an error');
  return problems;
}

/** Shortens long strings in a counterexample shown to people. */
function brief(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'string' && v.length > 80 ? `${v.slice(0, 40)}…(${v.length} chars)` : v));
}

// --- seeding

beforeAll(async () => {
  const app = server.app;
  const [user, victim, sessions, admin] = await seedUsers(app, 4, 'fuzz');
  await sql(app, `update users set role = 'ADMIN' where id = ?`, [admin.id]);
  const walletId = await createWallet(app, user.id, 'NGN');
  const usdWalletId = await createWallet(app, user.id, 'USD');
  const victimWallet = await createWallet(app, victim.id, 'NGN');
  await fund(app, walletId, 50_000_000n);
  await fund(app, usdWalletId, 1_000_000n);
  await fund(app, victimWallet, 1_000_000n);
  const card = (token: string, wallet: string) =>
    post(server, 'mutation($i: CreateCardInput!) { createCard(input: $i) { card { id } } }', { i: { walletId: wallet, initialAmount: '100000', idempotencyKey: uniqueKey('fz') } }, token).then(
      (r) => (r.data as { createCard: { card: { id: string } } }).createCard.card.id,
    );
  for (let i = 0; i < 3; i++) await card(user.token, walletId);
  const victimCard = await card(victim.token, victimWallet);
  const [victimTx] = await sql<{ id: string }>(app, 'select id from transactions where user_id = ? limit 1', [victim.id]);
  const banks = await post(server, 'query { banks(currency: NGN) { code } }', {});
  seeded = {
    user,
    walletId,
    usdWalletId,
    victim: { ...victim, walletId: victimWallet, cardId: victimCard, transactionId: victimTx.id },
    sessions,
    admin,
    bankCode: (banks.data as { banks: { code: string }[] }).banks[0].code,
  };
});

// --- the tests

const ordered = [...mutations].sort((a, b) => Number(MUTATIONS[a.field.name]?.last ?? false) - Number(MUTATIONS[b.field.name]?.last ?? false));
const errorLinesBefore = { count: 0 };
/** Error lines of known bugs' requests (left out of the final check). */
const knownLines = { count: 0 };

describe(`fuzzing every mutation's input (seed ${SEED}, ${RUNS} runs each)`, () => {
  it('has a case for every mutation the schema has, and an arbitrary for every scalar they take', () => {
    const missing = mutations.map((m) => m.field.name).filter((n) => !MUTATIONS[n]);
    expect(missing, `mutations with no entry in MUTATIONS:\n${missing.join('\n')}`).toEqual([]);
    const stale = Object.keys(MUTATIONS).filter((n) => !mutations.some((m) => m.field.name === n));
    expect(stale, 'MUTATIONS entries for mutations the schema does not have').toEqual([]);
    expect(uncoveredScalars(), 'scalars with no arbitrary in SCALARS').toEqual([]);
  });

  it('the running server serves these mutations with these arguments', async () => {
    const served = await servedSchema(server);
    const sig = (ops: RootOperation[]) => ops.map((o) => `${o.field.name}(${o.field.args.map((a) => `${a.name}: ${a.type}`).join(', ')})`).sort();
    expect(sig(rootOperations(served, ['Mutation']))).toEqual(sig(mutations));
    errorLinesBefore.count = errorLines(server.logs).length;
  });

  for (const op of ordered) {
    it(`${op.field.name}: no 5xx, no INTERNAL_SERVER_ERROR, only documented codes, no error logged`, { timeout: 120_000 }, async () => {
      const entry = MUTATIONS[op.field.name];
      expect(entry, `${op.field.name} has no entry in MUTATIONS`).toBeDefined();
      const doc = documentFor(op, 2);
      await fc.assert(
        fc.asyncProperty(mutationArb(op, entry), async (generated) => {
          let token: string | undefined;
          let session: { refreshToken?: string } = {};
          if (entry.as === 'user') token = seeded.user.token;
          else if (entry.as === 'session') {
            const s = await newSession(seeded.sessions.id);
            token = s.accessToken;
            session = s;
          } else if (op.field.name === 'refreshToken') session = await newSession(seeded.sessions.id);
          const variables = (await resolveRefs(generated, session)) as Record<string, unknown>;
          const logsBefore = server.logs.length;
          const res = await post(server, doc, variables, token);
          const logged = errorLines(server.logs.slice(logsBefore));
          const known = KNOWN_BUGS.find((b) => b.matches(res, logged));
          if (known) {
            knownHits.set(known.id, [...(knownHits.get(known.id) ?? []), `${op.field.name}(${brief(variables)})`]);
            knownLines.count += logged.length;
            return;
          }
          if (!res.errors && res.data?.[op.field.name] != null) {
            codes.set(`${op.field.name}:ok`, (codes.get(`${op.field.name}:ok`) ?? 0) + 1);
            if (op.field.name === 'changePassword') passwords.current = (variables.input as { newPassword: string }).newPassword;
          }
          const problems = problemsOf(res, op);
          if (logged.length > 0) problems.push(`logged at level error: ${logged.join('\n')}`);
          if (problems.length > 0) {
            throw new Error(`${op.field.name}(${brief(variables)}) answered ${res.status} ${brief(res.body)}:\n${problems.join('\n')}`);
          }
        }),
        { numRuns: RUNS, seed: SEED, verbose: 1 },
      );
    });
  }

  it('afterwards the ledger balances, no account of a user is negative, and nothing was logged at level error', { timeout: 30_000 }, async () => {
    // Let sandbox payouts the fuzzer started settle.
    for (let i = 0; i < 50; i++) {
      const [{ n }] = await sql<{ n: string }>(server.app, `select count(*)::text as n from payments where status = 'PENDING' and kind = 'WITHDRAWAL'`);
      if (n === '0') break;
      await new Promise((r) => setTimeout(r, 200));
    }
    const report = await post(server, 'query { ledgerReport { balanced accountCount transferCount mismatchedAccountIds } }', {}, seeded.admin.token);
    expect(report.errors, brief(report.body)).toBeUndefined();
    expect((report.data as { ledgerReport: unknown }).ledgerReport, brief(report.body)).toMatchObject({ balanced: true, mismatchedAccountIds: [] });
    const counters = await sql<{ currency: string; debits: string; credits: string }>(
      server.app,
      `select currency, sum(debits_posted)::text as debits, sum(credits_posted)::text as credits from ledger_accounts group by currency`,
    );
    for (const c of counters) expect(c.debits, `posted debits and credits of ${c.currency}`).toBe(c.credits);
    const negative = await sql(
      server.app,
      `select id, kind, credits_posted - debits_posted - debits_pending as available from ledger_accounts where kind in ('WALLET', 'CARD') and credits_posted - debits_posted - debits_pending < 0`,
    );
    expect(negative).toEqual([]);
    // Every transfer's accounts are of its currency (no cross-currency movement slipped in).
    const crossCurrency = await sql(
      server.app,
      `select t.id from ledger_transfers t join ledger_accounts d on d.id = t.debit_account_id join ledger_accounts c on c.id = t.credit_account_id where d.currency <> t.currency or c.currency <> t.currency`,
    );
    expect(crossCurrency).toEqual([]);
    // The victim's money stayed the victim's: what was deposited, minus the card, plus what the fuzzer sent them.
    const victimSide = await sql<{ balance: string }>(
      server.app,
      `select (sum(credits_posted) - sum(debits_posted))::text as balance from ledger_accounts where user_id = ?`,
      [seeded.victim.id],
    );
    const received = await sql<{ amount: string | null }>(
      server.app,
      `select coalesce(sum(amount), 0)::text as amount from transactions where user_id = ? and type = 'TRANSFER' and direction = 'CREDIT' and status = 'COMPLETED'`,
      [seeded.victim.id],
    );
    expect(BigInt(victimSide[0].balance)).toBe(1_000_000n + BigInt(received[0].amount ?? '0'));
    const logged = errorLines(server.logs).slice(errorLinesBefore.count).filter((l) => !KNOWN_BUGS.some((b) => b.matches({ status: 200, body: {} }, [l])));
    expect(logged, 'log lines at level error').toEqual([]);
    for (const [id, hits] of knownHits) console.warn(`fuzzing: known bug "${id}" hit ${hits.length} time(s), e.g. ${hits.slice(0, 3).join('; ')}`);
    void knownLines;
    console.info(`fuzzing: answers by mutation and code: ${JSON.stringify(Object.fromEntries([...codes].sort()))}`);
  });
});

/**
 * Bugs the fuzzer found, each as its smallest case (DESIGN.md, Security: "input strings with NUL
 * or invalid Unicode are BAD_USER_INPUT"; only NUL was refused).
 */
describe('bugs found by fuzzing', () => {
  const purchase = 'mutation($i: SimulateCardPurchaseInput!) { simulateCardPurchase(input: $i) { transaction { id status } } }';
  const activeCard = () => refId({ $ref: 'card', n: 0 });

  it('simulateCardPurchase with a lone surrogate in merchantName is BAD_USER_INPUT, not INTERNAL_SERVER_ERROR', async () => {
    // Was: {"errors":[{"message":"Internal server error","extensions":{"code":"INTERNAL_SERVER_ERROR"}}]} and a log line
    // "unexpected error while executing an operation", DriverException 22P02 "Unicode low surrogate must follow a high
    // surrogate" from TransactionRepository.insert (card-authorization.service.ts): the merchant goes into a jsonb column.
    // merchantCategory and merchantCountry fail the same way.
    const before = server.logs.length;
    const res = await post(server, purchase, { i: { cardId: await activeCard(), amount: '100', merchantName: 'Shop\uD800' } }, seeded.user.token);
    expect(errorLines(server.logs.slice(before))).toEqual([]);
    expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('a lone surrogate in a text input (a transfer note) is BAD_USER_INPUT, not stored as U+FFFD', async () => {
    // Was: accepted; PostgreSQL stores "x\uFFFDy" (node-postgres encodes the lone surrogate as U+FFFD), and the
    // answer's description is "x\uFFFDy". Card labels and sign-up names do the same.
    const res = await post(
      server,
      'mutation($i: TransferInput!) { transfer(input: $i) { transaction { id description } } }',
      { i: { fromWalletId: seeded.walletId, recipientEmail: seeded.victim.email, amount: '1', note: 'x\uD800y', idempotencyKey: uniqueKey('sur') } },
      seeded.user.token,
    );
    expect(res.errors?.[0]?.extensions?.code, JSON.stringify(res.body)).toBe('BAD_USER_INPUT');
  });

  it('two different idempotency keys that differ only in a lone surrogate are never taken for one', async () => {
    // Was: both keys are stored as "k\uFFFD": the second deposit replays the first (the same transaction id), and a
    // third with another amount is IDEMPOTENCY_KEY_REUSED, although the client sent three different keys.
    const deposit = 'mutation($i: DepositInput!) { deposit(input: $i) { transaction { id } } }';
    const prefix = uniqueKey('k');
    const first = await post(server, deposit, { i: { walletId: seeded.walletId, amount: '10', idempotencyKey: `${prefix}\uD800` } }, seeded.user.token);
    const second = await post(server, deposit, { i: { walletId: seeded.walletId, amount: '10', idempotencyKey: `${prefix}\uDBFF` } }, seeded.user.token);
    const id = (r: RawReply) => (r.data as { deposit?: { transaction: { id: string } } } | null)?.deposit?.transaction.id;
    // Both refused as invalid Unicode, nothing started.
    for (const res of [first, second]) expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.idempotencyKey' });
    expect(id(first)).toBeUndefined();
  });
});
