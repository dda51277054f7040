import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LogInDocument, MeDocument, SignUpDocument } from '../generated/graphql.js';
import { cleanEnv, ensureBuilt, freePort, gql, MAIN, spawnNode, tryConnect, waitForHttp, type Child, type HttpResult } from './child.js';
import { childServerEnv } from '../support/child-env.js';

/**
 * Graceful shutdown of the built server on real PostgreSQL and Redis: requests in flight
 * when SIGTERM arrives still get their answers, then the process exits 0.
 */

const IN_FLIGHT = 20;

let child: Child;
let dataDir: string;
let port: number;
const graphqlUrl = () => `http://127.0.0.1:${port}/graphql`;

beforeAll(async () => {
  ensureBuilt();
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'wallet-shutdown-'));
  port = await freePort();
  child = spawnNode(
    MAIN,
    [],
    cleanEnv({
      ...(await childServerEnv('shutdown', port, dataDir)),
      // Twenty sign-ins from one address for one email are this test's load, not an attack.
      RATE_LIMIT_LOGIN_PER_EMAIL: '1000',
      RATE_LIMIT_LOGIN_PER_IP: '1000',
    }),
  );
  await waitForHttp(`http://127.0.0.1:${port}/readyz`, child, { timeoutMs: 30_000 });
});

afterAll(async () => {
  await child?.kill();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('SIGTERM with requests in flight', () => {
  it('answers every request in flight, then exits 0 and refuses new connections', async () => {
    const email = 'ada@example.com';
    const password = 'correct horse battery';
    const signUp = await gql(graphqlUrl(), SignUpDocument, { input: { email, password, fullName: 'Ada Lovelace' } });
    expect(signUp.errors).toBeUndefined();
    const token = signUp.data!.signUp.accessToken;

    const isGraphqlRequest = (l: { msg?: string; req?: unknown }) =>
      l.msg === 'incoming request' && (l.req as { url?: string } | undefined)?.url === '/graphql';
    const before = child.logs.filter(isGraphqlRequest).length;

    // Each logIn costs an argon2 verify (tens of ms on the thread pool), so they queue up.
    const requests: Array<Promise<HttpResult<unknown>>> = [];
    for (let i = 0; i < IN_FLIGHT; i++) {
      requests.push(gql(graphqlUrl(), LogInDocument, { input: { email, password } }));
    }
    requests.push(gql(graphqlUrl(), MeDocument, {}, token));
    const settled = Promise.allSettled(requests);

    // Every one of them has reached the server...
    await child.waitForLogs(isGraphqlRequest, before + requests.length, 10_000);
    // ...and is still being worked on when the signal arrives.
    child.process.kill('SIGTERM');

    const results = await settled;
    const failures = results.filter((r) => r.status === 'rejected');
    expect(failures, `stderr:\n${child.stderr()}`).toEqual([]);
    for (const result of results) {
      const res = (result as PromiseFulfilledResult<HttpResult<Record<string, unknown>>>).value;
      expect(res.status).toBe(200);
      expect(res.errors).toBeUndefined();
    }
    const logIns = results.slice(0, IN_FLIGHT).map((r) => (r as PromiseFulfilledResult<HttpResult<{ logIn: { accessToken: string; user: { email: string } } }>>).value);
    for (const res of logIns) {
      expect(res.data!.logIn.accessToken).toEqual(expect.any(String));
      expect(res.data!.logIn.user.email).toBe(email);
    }
    const me = (results.at(-1) as PromiseFulfilledResult<HttpResult<{ me: { email: string } | null }>>).value;
    expect(me.data!.me).toMatchObject({ email });

    const exit = await child.waitForExit(15_000);
    expect(exit, `stdout:\n${child.stdout()}\nstderr:\n${child.stderr()}`).toEqual({ code: 0, signal: null });

    // The log tells the story in order: signal, requests finishing, stopped.
    const messages = child.logs.map((l) => l.msg);
    const signalAt = messages.findIndex((m) => /^SIGTERM received/.test(String(m)));
    const stoppedAt = messages.lastIndexOf('stopped');
    expect(signalAt).toBeGreaterThan(-1);
    expect(stoppedAt).toBeGreaterThan(signalAt);
    const completedAfterSignal = messages.slice(signalAt).filter((m) => m === 'request completed').length;
    // The test only means something if some requests were still running at SIGTERM.
    expect(completedAfterSignal).toBeGreaterThan(0);
    // Every request the server received was completed (none aborted, none refused).
    expect(messages.filter((m) => m === 'request completed').length).toBe(child.logs.filter(isGraphqlRequest).length);
    expect(child.logs.some((l) => (l.level ?? 0) >= 50)).toBe(false);

    // Nobody listens any more.
    expect(await tryConnect(port)).toBe('ECONNREFUSED');
    await expect(fetch(graphqlUrl(), { method: 'POST', signal: AbortSignal.timeout(2_000) })).rejects.toThrow();
  });
});
