import 'reflect-metadata';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { MeDocument, SignUpDocument, UserByEmailDocument } from '../generated/graphql.js';
import { useTestServer } from '../support/server.js';
import { cleanEnv, ensureBuilt, ROOT, spawnNode } from './child.js';

/** `npm run user:role -- <email> <USER|ADMIN>`, run as the built CLI against the test database. */

const CLI = path.join(ROOT, 'dist/src/cli/user-role.js');

beforeAll(() => ensureBuilt());
const server = useTestServer();

async function userRole(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  // Only DATABASE_URL: the CLI must never fall back to an embedded PostgreSQL here.
  const child = spawnNode(CLI, args, cleanEnv({ DATABASE_URL: server.databaseUrl }));
  try {
    const exit = await child.waitForExit(20_000);
    return { code: exit.code, stdout: child.stdout(), stderr: child.stderr() };
  } finally {
    await child.kill();
  }
}

async function signUp(email: string) {
  const res = await server.gql(SignUpDocument, { input: { email, password: 'correct horse battery', fullName: 'Role Test' } });
  expect(res.errors).toBeUndefined();
  return res.data!.signUp;
}

describe('user:role', () => {
  it('makes a user ADMIN, which opens ADMIN-only fields to them, and back to USER', async () => {
    const admin = await signUp('ada@example.com');
    const other = await signUp('bob@example.com');
    expect(admin.user.role).toBe('USER');

    // Before: a USER is refused, an anonymous caller is asked to sign in.
    const refused = await server.gql(UserByEmailDocument, { email: 'bob@example.com' }, { token: admin.accessToken });
    expect(refused.data?.userByEmail ?? null).toBeNull();
    expect(refused.errors?.map((e) => e.extensions?.code)).toEqual(['FORBIDDEN']);
    const anonymous = await server.gql(UserByEmailDocument, { email: 'bob@example.com' });
    expect(anonymous.data?.userByEmail ?? null).toBeNull();
    expect(anonymous.errors?.map((e) => e.extensions?.code)).toEqual(['UNAUTHENTICATED']);

    // The email is normalized as everywhere else, and the role is case-insensitive.
    const promoted = await userRole('  Ada@Example.COM ', 'admin');
    expect(promoted, promoted.stderr).toMatchObject({ code: 0 });
    expect(promoted.stdout).toMatch(/ada@example\.com is now ADMIN/);

    // Effective on the next request, with the token they already hold.
    const me = await server.gql(MeDocument, {}, { token: admin.accessToken });
    expect(me.data!.me).toMatchObject({ email: 'ada@example.com', role: 'ADMIN' });
    const found = await server.gql(UserByEmailDocument, { email: 'bob@example.com' }, { token: admin.accessToken });
    expect(found.errors).toBeUndefined();
    expect(found.data!.userByEmail).toMatchObject({ id: other.user.id, email: 'bob@example.com', role: 'USER' });
    const missing = await server.gql(UserByEmailDocument, { email: 'nobody@example.com' }, { token: admin.accessToken });
    expect(missing.errors).toBeUndefined();
    expect(missing.data!.userByEmail).toBeNull();

    // Others are still USERs and still refused.
    const stillRefused = await server.gql(UserByEmailDocument, { email: 'ada@example.com' }, { token: other.accessToken });
    expect(stillRefused.errors?.map((e) => e.extensions?.code)).toEqual(['FORBIDDEN']);

    // Back to USER.
    const demoted = await userRole('ada@example.com', 'USER');
    expect(demoted, demoted.stderr).toMatchObject({ code: 0 });
    expect(demoted.stdout).toMatch(/ada@example\.com is now USER/);
    const meAgain = await server.gql(MeDocument, {}, { token: admin.accessToken });
    expect(meAgain.data!.me).toMatchObject({ role: 'USER' });
    const refusedAgain = await server.gql(UserByEmailDocument, { email: 'bob@example.com' }, { token: admin.accessToken });
    expect(refusedAgain.data?.userByEmail ?? null).toBeNull();
    expect(refusedAgain.errors?.map((e) => e.extensions?.code)).toEqual(['FORBIDDEN']);
  });

  it('exits 1 with a clear message for an unknown email, changing nothing', async () => {
    const someone = await signUp('carol@example.com');
    const result = await userRole('nobody@example.com', 'ADMIN');
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/No user with the email nobody@example\.com/);
    expect(result.stderr).not.toMatch(/\n\s+at /); // no stack trace
    const me = await server.gql(MeDocument, {}, { token: someone.accessToken });
    expect(me.data!.me).toMatchObject({ role: 'USER' });
  });

  it.each([
    ['no arguments', []],
    ['no role', ['ada@example.com']],
    ['an unknown role', ['ada@example.com', 'ROOT']],
    ['too many arguments', ['ada@example.com', 'ADMIN', 'extra']],
  ])('exits 2 with the usage for %s', async (_name, args) => {
    const result = await userRole(...args);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/Usage: .*user:role.*<email> <USER\|ADMIN>/);
    expect(result.stdout).toBe('');
  });
});
