import { expect } from 'vitest';
import {
  LogInDocument,
  MeDocument,
  RefreshTokenDocument,
  SignUpDocument,
  type AuthFieldsFragment,
} from '../generated/graphql.js';
import type { GraphQLResponse, TestServer } from '../support/server.js';
import { sql } from '../support/helpers.js';

/** Shared by the auth suites: small steps every scenario repeats. */

export const PASSWORD = 'correct horse battery';

let counter = 0;
/** An email no other test in this file uses. */
export function uniqueEmail(prefix = 'user'): string {
  counter += 1;
  return `${prefix}${counter}@example.com`;
}

/** Headers that make the server (with TRUST_PROXY=true) see the request as coming from `ip`. */
export function fromIp(ip: string): Record<string, string> {
  return { 'x-forwarded-for': ip };
}

export async function signUp(
  server: TestServer,
  input: { email?: string; password?: string; fullName?: string } = {},
  headers?: Record<string, string>,
): Promise<AuthFieldsFragment> {
  const res = await server.gql(
    SignUpDocument,
    { input: { email: input.email ?? uniqueEmail(), password: input.password ?? PASSWORD, fullName: input.fullName ?? 'Test User' } },
    { headers },
  );
  expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
  return res.data!.signUp;
}

export async function logIn(
  server: TestServer,
  email: string,
  password = PASSWORD,
  headers?: Record<string, string>,
): Promise<AuthFieldsFragment> {
  const res = await server.gql(LogInDocument, { input: { email, password } }, { headers });
  expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
  return res.data!.logIn;
}

/** The one error of a failed operation: its code, message and extensions. */
export function onlyError(res: GraphQLResponse<unknown>): { code: unknown; message: string; extensions: Record<string, unknown> } {
  expect(res.errors, `expected an error, got ${JSON.stringify(res.data)}`).toBeDefined();
  expect(res.errors).toHaveLength(1);
  const [error] = res.errors!;
  return { code: error.extensions?.code, message: error.message, extensions: (error.extensions ?? {}) as Record<string, unknown> };
}

/** The user id `me` answers with this access token, or null. */
export async function whoAmI(server: TestServer, token: string): Promise<string | null> {
  const res = await server.gql(MeDocument, {}, { token });
  expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
  return res.data!.me?.id ?? null;
}

export function refresh(server: TestServer, refreshToken: string, headers?: Record<string, string>) {
  return server.gql(RefreshTokenDocument, { input: { refreshToken } }, { headers });
}

/** The claims of a JWT, read without checking it (the server does that). */
export function jwtClaims(token: string): Record<string, unknown> {
  const parts = token.split('.');
  expect(parts).toHaveLength(3);
  return JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8')) as Record<string, unknown>;
}

export async function count(server: TestServer, table: 'users' | 'auth_sessions' | 'refresh_tokens'): Promise<number> {
  const [row] = await sql<{ n: string | number }>(server, `select count(*)::int as n from "${table}"`);
  return Number(row.n);
}

/** `$argon2id$v=19$m=19456,t=2,p=1$salt$hash` into its parts. */
export function parseArgon2(hash: string): { type: string; m: number; t: number; p: number } {
  const match = /^\$(argon2(?:id|i|d))\$v=\d+\$m=(\d+),t=(\d+),p=(\d+)\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$/.exec(hash);
  expect(match, `not an argon2 PHC string: ${hash}`).not.toBeNull();
  return { type: match![1], m: Number(match![2]), t: Number(match![3]), p: Number(match![4]) };
}
