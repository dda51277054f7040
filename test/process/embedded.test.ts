import { existsSync } from 'node:fs';
import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LogInDocument, MeDocument, SignUpDocument } from '../generated/graphql.js';
import { cleanEnv, ensureBuilt, freePort, gql, MAIN, spawnNode, tryConnect, waitForHttp, type Child } from './child.js';
import { isAlive } from '../../scripts/pid.js';

/**
 * `npm start` with no DATABASE_URL and no REDIS_URL: the built server starts its own
 * PostgreSQL and an in-process Redis stand-in, keeps data and JWT keys between runs, and
 * stops PostgreSQL again when it stops.
 */

const STAND_IN_WARNING = /REDIS_URL is not set: using an in-process stand-in for Redis/;
const START_TIMEOUT_MS = 60_000;

let pgParent: string;
let pgDir: string;
let dataDir: string;
let pgPort: number;
let httpPort: number;
const children: Child[] = [];

beforeAll(async () => {
  ensureBuilt();
  // As root the embedded PostgreSQL runs as `postgres`, which must be able to walk down to
  // its data folder (STACK.md, trap 10): mkdtemp makes 0700 folders.
  pgParent = await mkdtemp(path.join(os.tmpdir(), 'wallet-embedded-pg-'));
  await chmod(pgParent, 0o755);
  pgDir = path.join(pgParent, 'pg');
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'wallet-embedded-data-'));
  pgPort = await freePort();
  httpPort = await freePort();
});

afterAll(async () => {
  for (const child of children) await child.kill();
  // If a run failed half-way, PostgreSQL may outlive its parent: stop it by the pid it wrote.
  await stopStrayPostgres();
  await rm(pgParent, { recursive: true, force: true });
  await rm(dataDir, { recursive: true, force: true });
});

function start(): Child {
  const child = spawnNode(
    MAIN,
    [],
    cleanEnv({
      HOST: '127.0.0.1',
      PORT: String(httpPort),
      LOG_LEVEL: 'info',
      DATA_DIR: dataDir,
      EMBEDDED_PG_DIR: pgDir,
      EMBEDDED_PG_PORT: String(pgPort),
    }),
  );
  children.push(child);
  return child;
}

async function postmasterPid(): Promise<number | undefined> {
  const text = await readFile(path.join(pgDir, 'postmaster.pid'), 'utf8').catch(() => undefined);
  return text ? Number(text.split('\n')[0]) : undefined;
}

async function stopStrayPostgres(): Promise<void> {
  const pid = await postmasterPid();
  if (pid && isAlive(pid)) {
    process.kill(pid, 'SIGINT');
    for (let i = 0; i < 50 && isAlive(pid); i++) await new Promise((r) => setTimeout(r, 100));
  }
}

async function stop(child: Child): Promise<void> {
  child.process.kill('SIGTERM');
  const exit = await child.waitForExit(20_000);
  expect(exit, `stdout:\n${child.stdout()}\nstderr:\n${child.stderr()}`).toEqual({ code: 0, signal: null });
  expect(child.logs.some((l) => l.msg === 'stopped')).toBe(true);
}

const url = (p: string) => `http://127.0.0.1:${httpPort}${p}`;
const email = 'grace@example.com';
const password = 'correct horse battery';

describe('the built server with no DATABASE_URL and no REDIS_URL', () => {
  let accessToken: string;
  let userId: string;
  let firstPostgresPid: number | undefined;

  it('starts an embedded PostgreSQL and the Redis stand-in, and reports ready', async () => {
    const child = start();
    const ready = await waitForHttp(url('/readyz'), child, { timeoutMs: START_TIMEOUT_MS });
    expect(ready).toEqual({ status: 'ok', checks: { postgres: 'up', redis: 'up', redisEviction: 'noeviction' } });

    // Warned once, clearly, at warn level.
    const warnings = child.logs.filter((l) => STAND_IN_WARNING.test(String(l.msg)));
    expect(warnings).toHaveLength(1);
    expect(warnings[0].level).toBe(40);
    expect(warnings[0].msg).toMatch(/one process/);

    expect(child.logs.some((l) => /Initialising the embedded PostgreSQL/.test(String(l.msg)))).toBe(true);
    expect(child.logs.some((l) => String(l.msg).includes(`Embedded PostgreSQL listening on 127.0.0.1:${pgPort}`))).toBe(true);
    expect(child.logs.some((l) => /Generated a JWT signing key pair/.test(String(l.msg)))).toBe(true);
    expect(existsSync(path.join(dataDir, 'jwt', 'private.pem'))).toBe(true);
    firstPostgresPid = await postmasterPid();
    expect(firstPostgresPid).toBeGreaterThan(0);
    expect(isAlive(firstPostgresPid!)).toBe(true);
  }, START_TIMEOUT_MS + 30_000);

  it('signs up, then answers me with the new access token', async () => {
    const signUp = await gql(url('/graphql'), SignUpDocument, {
      input: { email, password, fullName: 'Grace Hopper' },
    });
    expect(signUp.status).toBe(200);
    expect(signUp.errors).toBeUndefined();
    accessToken = signUp.data!.signUp.accessToken;
    userId = signUp.data!.signUp.user.id;
    expect(signUp.data!.signUp.user).toMatchObject({ email, role: 'USER' });

    const me = await gql(url('/graphql'), MeDocument, {}, accessToken);
    expect(me.errors).toBeUndefined();
    expect(me.data!.me).toMatchObject({ id: userId, email });

    const anonymous = await gql(url('/graphql'), MeDocument, {});
    expect(anonymous.data!.me).toBeNull();
  });

  it('stops on SIGTERM with exit code 0, taking its PostgreSQL down with it', async () => {
    const child = children.at(-1)!;
    await stop(child);
    expect(child.logs.filter((l) => STAND_IN_WARNING.test(String(l.msg)))).toHaveLength(1);
    expect(isAlive(firstPostgresPid!)).toBe(false);
    expect(await postmasterPid()).toBeUndefined(); // a clean PostgreSQL shutdown removes it
    expect(await tryConnect(pgPort)).toBe('ECONNREFUSED');
    expect(await tryConnect(httpPort)).toBe('ECONNREFUSED');
  });

  it('starts again on the same folders: same keys, same users, no new initialisation', async () => {
    const keyBefore = await readFile(path.join(dataDir, 'jwt', 'private.pem'), 'utf8');
    const child = start();
    const ready = await waitForHttp(url('/readyz'), child, { timeoutMs: START_TIMEOUT_MS });
    expect(ready).toEqual({ status: 'ok', checks: { postgres: 'up', redis: 'up', redisEviction: 'noeviction' } });
    expect(child.logs.filter((l) => STAND_IN_WARNING.test(String(l.msg)))).toHaveLength(1);
    expect(child.logs.some((l) => /Initialising the embedded PostgreSQL/.test(String(l.msg)))).toBe(false);
    expect(child.logs.some((l) => /Generated a JWT signing key pair/.test(String(l.msg)))).toBe(false);
    expect(child.logs.some((l) => l.msg === 'migrations applied')).toBe(false);
    expect(await readFile(path.join(dataDir, 'jwt', 'private.pem'), 'utf8')).toBe(keyBefore);

    // The access token from the first run still signs this user in.
    const me = await gql(url('/graphql'), MeDocument, {}, accessToken);
    expect(me.errors).toBeUndefined();
    expect(me.data!.me).toMatchObject({ id: userId, email });

    // The user is still in the database.
    const logIn = await gql(url('/graphql'), LogInDocument, { input: { email, password } });
    expect(logIn.errors).toBeUndefined();
    expect(logIn.data!.logIn.user).toMatchObject({ id: userId, email });
    const taken = await gql(url('/graphql'), SignUpDocument, { input: { email, password, fullName: 'Someone Else' } });
    expect(taken.errors?.[0]?.extensions?.code).toBe('EMAIL_TAKEN');
  }, START_TIMEOUT_MS + 30_000);

  it('stops again and leaves no PostgreSQL listening on EMBEDDED_PG_PORT', async () => {
    const pid = await postmasterPid();
    expect(pid).toBeGreaterThan(0);
    const child = children.at(-1)!;
    await stop(child);
    expect(isAlive(pid!)).toBe(false);
    expect(await postmasterPid()).toBeUndefined();
    expect(await tryConnect(pgPort)).toBe('ECONNREFUSED');
  });
});
