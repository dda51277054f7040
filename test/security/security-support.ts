import 'reflect-metadata';
import {
  buildClientSchema,
  getIntrospectionQuery,
  getNamedType,
  isEnumType,
  isInputObjectType,
  isLeafType,
  isListType,
  isNonNullType,
  isObjectType,
  type GraphQLArgument,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLNamedType,
  type GraphQLObjectType,
  type GraphQLSchema,
  type IntrospectionQuery,
} from 'graphql';
import { CreateCardDocument } from '../generated/graphql.js';
import { sql } from '../support/helpers.js';
import { createWallet, fund, seedUsers } from '../support/money.js';
import type { TestServer } from '../support/server.js';

/**
 * Shared by the access-control matrix and the input fuzzer (test/security): what the schema
 * says about its operations (which take ids, which are ADMIN only), a generated document for any
 * root field, a raw HTTP client that survives non-JSON answers, and a seeded user with money.
 */

export type RootKind = 'Query' | 'Mutation' | 'Subscription';
export const ROOT_KINDS: RootKind[] = ['Query', 'Mutation', 'Subscription'];

export interface RootOperation {
  kind: RootKind;
  /** `Mutation.fundCard`. */
  coordinate: string;
  field: GraphQLField<unknown, unknown>;
}

export function rootOperations(schema: GraphQLSchema, kinds: RootKind[] = ROOT_KINDS): RootOperation[] {
  const out: RootOperation[] = [];
  for (const kind of kinds) {
    const type = kind === 'Query' ? schema.getQueryType() : kind === 'Mutation' ? schema.getMutationType() : schema.getSubscriptionType();
    if (!type) continue;
    for (const field of Object.values(type.getFields())) out.push({ kind, coordinate: `${kind}.${field.name}`, field });
  }
  return out;
}

/** An argument or input field that names something by id: of type ID (or [ID]), or named `id`/`…Id`/`…Ids`. */
export function isIdLike(name: string, type: GraphQLInputType): boolean {
  return getNamedType(type).name === 'ID' || /^(id|ids)$|Ids?$/.test(name);
}

/**
 * The paths (`input.cardId`, `filter.walletId`, `id`) of every id-like argument or input field
 * of a root field, through nested input objects (each input type once per path, so recursive
 * inputs end).
 */
export function idPaths(field: GraphQLField<unknown, unknown>): string[] {
  const out: string[] = [];
  const walk = (name: string, type: GraphQLInputType, path: string, seen: Set<string>) => {
    if (isIdLike(name, type)) out.push(path);
    const named = getNamedType(type);
    if (isInputObjectType(named) && !seen.has(named.name)) {
      const next = new Set(seen).add(named.name);
      for (const f of Object.values(named.getFields())) walk(f.name, f.type, `${path}.${f.name}`, next);
    }
  };
  for (const arg of field.args) walk(arg.name, arg.type, arg.name, new Set());
  return out.sort();
}

/** Root fields documented as ADMIN only (type-graphql `@Authorized(Role.ADMIN)`; the description says so). */
export function isAdminOnly(field: GraphQLField<unknown, unknown>): boolean {
  return /\bADMIN only\b/.test(field.description ?? '');
}

/**
 * A selection of everything a field's type can show, `depth` object levels deep: every leaf
 * field and every object field whose arguments are all optional (their defaults apply).
 */
export function selectionFor(type: GraphQLNamedType, depth: number): string {
  if (isLeafType(type)) return '';
  if (!isObjectType(type)) return '{ __typename }';
  const parts: string[] = [];
  for (const f of Object.values((type as GraphQLObjectType).getFields())) {
    if (f.args.some((a) => isNonNullType(a.type) && a.defaultValue === undefined)) continue;
    const named = getNamedType(f.type);
    if (isLeafType(named)) parts.push(f.name);
    else if (depth > 0) parts.push(`${f.name} ${selectionFor(named, depth - 1)}`);
  }
  return parts.length > 0 ? `{ ${parts.join(' ')} }` : '{ __typename }';
}

/** A document that calls one root field with every argument as a variable ($name), and selects its whole type `depth` levels deep. */
export function documentFor(op: RootOperation, depth = 3, omit: string[] = []): string {
  const args = op.field.args.filter((a: GraphQLArgument) => !omit.includes(a.name));
  const vars = args.map((a) => `$${a.name}: ${a.type.toString()}`).join(', ');
  const call = args.map((a) => `${a.name}: $${a.name}`).join(', ');
  const keyword = op.kind === 'Query' ? 'query' : op.kind === 'Mutation' ? 'mutation' : 'subscription';
  return `${keyword} Op${vars ? `(${vars})` : ''} { ${op.field.name}${call ? `(${call})` : ''} ${selectionFor(getNamedType(op.field.type), depth)} }`;
}

export const isRequired = (type: GraphQLInputType) => isNonNullType(type);
export const unwrapList = (type: GraphQLInputType) => isListType(isNonNullType(type) ? type.ofType : type);
export { getNamedType, isEnumType, isInputObjectType };

/** The schema the running server serves, read by introspection over HTTP (allowed outside production). */
export async function servedSchema(server: TestServer): Promise<GraphQLSchema> {
  const res = await server.raw(getIntrospectionQuery({ descriptions: true }));
  if (res.errors) throw new Error(`introspection failed: ${JSON.stringify(res.errors)}`);
  return buildClientSchema(res.data as IntrospectionQuery);
}

export interface RawReply {
  status: number;
  /** The JSON body, or the text when it was not JSON. */
  body: unknown;
  errors?: { message?: string; extensions?: Record<string, unknown> }[];
  data?: Record<string, unknown> | null;
}

/** POSTs a GraphQL request and keeps whatever comes back (413 pages, non-JSON bodies), never throwing on it. */
export async function post(server: TestServer, query: string, variables: unknown, token?: string): Promise<RawReply> {
  const res = await fetch(server.graphqlUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    /* kept as text */
  }
  const json = (typeof body === 'object' && body !== null ? body : {}) as { errors?: RawReply['errors']; data?: RawReply['data'] };
  return { status: res.status, body, errors: json.errors, data: json.data };
}

/** Log lines at level error (50) or above, parsed. */
export function errorLines(lines: string[]): string[] {
  return lines.filter((line) => {
    try {
      return (JSON.parse(line) as { level?: number }).level! >= 50;
    } catch {
      return false;
    }
  });
}

let keys = 0;
export const uniqueKey = (prefix = 'sec') => `${prefix}-${Date.now().toString(36)}-${++keys}`;

export interface Owner {
  id: string;
  email: string;
  fullName: string;
  token: string;
  walletId: string;
  cardId: string;
  /** One of the owner's transaction rows (the deposit). */
  transactionId: string;
  transactionReference: string;
}

/**
 * A user with an NGN wallet funded with `amount` through the deposit path, and a sandbox card
 * made over HTTP with `cardAmount` loaded from it.
 */
export async function owner(server: TestServer, prefix: string, amount: bigint, cardAmount: bigint): Promise<Owner> {
  const [u] = await seedUsers(server.app, 1, prefix);
  const walletId = await createWallet(server.app, u.id);
  await fund(server.app, walletId, amount);
  const res = await server.gql(
    CreateCardDocument,
    { input: { walletId, label: `${prefix} card`, initialAmount: String(cardAmount), idempotencyKey: uniqueKey('card') } },
    { token: u.token },
  );
  if (res.errors) throw new Error(`createCard for ${prefix}: ${JSON.stringify(res.errors)}`);
  const [tx] = await sql<{ id: string; reference: string }>(
    server.app,
    `select id, reference from transactions where user_id = ? and type = 'DEPOSIT' order by seq limit 1`,
    [u.id],
  );
  const [{ full_name }] = await sql<{ full_name: string }>(server.app, 'select full_name from users where id = ?', [u.id]);
  return { ...u, fullName: full_name, walletId, cardId: res.data!.createCard.card.id, transactionId: tx.id, transactionReference: tx.reference };
}

/**
 * Everything of a user's that a foreign request could change or add to: their ledger accounts
 * (counters, versions), cards, transaction rows, payments, idempotency keys, card reveal
 * tokens and authorizations, sessions. Rows as JSON, ordered, so two snapshots compare with toEqual.
 */
export async function snapshotOf(server: TestServer, userId: string): Promise<Record<string, unknown[]>> {
  const rows = (query: string) => sql(server.app, query, [userId]).then((r) => r.map((x) => x.j));
  const [accounts, cards, transactions, payments, idempotency, reveals, authorizations, user, sessions] = await Promise.all([
    rows(`select to_jsonb(a) as j from ledger_accounts a where user_id = ? order by id`),
    rows(`select to_jsonb(c) as j from cards c where user_id = ? order by id`),
    rows(`select to_jsonb(t) as j from transactions t where user_id = ? order by seq`),
    rows(`select to_jsonb(p) as j from payments p where user_id = ? order by id`),
    rows(`select jsonb_build_object('key', key, 'operation', operation) as j from idempotency_keys where user_id = ? order by key`),
    rows(`select to_jsonb(r) - 'token_hash' as j from card_reveal_tokens r join cards c on c.id = r.card_id where c.user_id = ? order by r.expires_at`),
    rows(`select to_jsonb(x) as j from card_authorizations x join cards c on c.id = x.card_id where c.user_id = ? order by x.id`),
    rows(`select jsonb_build_object('email', email, 'role', role, 'full_name', full_name, 'password_hash', password_hash) as j from users where id = ?`),
    rows(`select jsonb_build_object('id', id, 'revoked_at', revoked_at) as j from auth_sessions where user_id = ? order by id`),
  ]);
  return { accounts, cards, transactions, payments, idempotency, reveals, authorizations, user, sessions };
}
