import 'reflect-metadata';
import net, { type AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import type { RawEnv } from '../../src/config/config.js';
import { SignUpDocument } from '../generated/graphql.js';
import { workerDatabaseUrl } from '../support/db.js';
import { startTestServer, useTestServer } from '../support/server.js';

/** /healthz, /readyz and /metrics, with everything up, with PostgreSQL away and with Redis away. */

const READY = '{"status":"ok","checks":{"postgres":"up","redis":"up","redisEviction":"noeviction"}}';

async function getJson(url: string) {
  const res = await fetch(url);
  return { status: res.status, headers: res.headers, text: await res.text() };
}

/** The server without waiting for migrations, which never finish with PostgreSQL unreachable. */
const startWithoutWaiting = (env: RawEnv) => startTestServer(env, { waitForMigrations: false });

describe('with PostgreSQL and Redis up', () => {
  const server = useTestServer();

  it('/healthz answers 200', async () => {
    const res = await getJson(`${server.url}/healthz`);
    expect(res.status).toBe(200);
    expect(JSON.parse(res.text)).toEqual({ status: 'ok' });
  });

  it('/readyz answers 200 with exactly the documented shape', async () => {
    const res = await getJson(`${server.url}/readyz`);
    expect(res.status).toBe(200);
    expect(res.text).toBe(READY);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(res.headers.get('cache-control')).toBe('no-store');
  });

  it('/metrics is Prometheus text with request counts and latency by operation, and process metrics', async () => {
    const op = 'HealthProbeCurrencies';
    for (let i = 0; i < 3; i++) {
      const ok = await server.raw(`query ${op} { currencies { code } }`);
      expect(ok.errors).toBeUndefined();
    }
    // A field error at execution (no token) counts as an error of that operation.
    const failed = await server.raw('query HealthProbeFailing { userByEmail(email: "a@example.com") { id } }');
    expect(failed.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
    const longName = `Q${'x'.repeat(70)}`;
    await server.raw(`query ${longName} { __typename }`);

    expect((await fetch(`${server.url}/no-such-page-4711`)).status).toBe(404);
    const res = await fetch(`${server.url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    const sample = (name: string, labels: Record<string, string>): number | undefined => {
      const line = text
        .split('\n')
        .find(
          (l) =>
            l.startsWith(`${name}{`) && Object.entries(labels).every(([k, v]) => l.includes(`${k}="${v}"`)),
        );
      return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
    };

    expect(text).toMatch(/^# HELP graphql_requests_total /m);
    expect(text).toMatch(/^# TYPE graphql_requests_total counter$/m);
    expect(sample('graphql_requests_total', { operation: op, type: 'query', outcome: 'ok' })).toBe(3);
    expect(sample('graphql_requests_total', { operation: 'HealthProbeFailing', outcome: 'error' })).toBe(1);
    expect(sample('graphql_request_duration_seconds_count', { operation: op, type: 'query' })).toBe(3);
    expect(sample('graphql_request_duration_seconds_bucket', { operation: op, le: '+Inf' })).toBe(3);
    // Whole HTTP requests (authentication included), by route pattern, method and status.
    expect(sample('http_request_duration_seconds_count', { route: '/graphql', method: 'POST', status: '200' })).toBeGreaterThanOrEqual(4);
    // Any other path is the web app's (its page or a 404), under its one route pattern.
    expect(sample('http_request_duration_seconds_count', { route: '/*', status: '404' })).toBe(1);
    // Label values are bounded: an over-long operation name is not a label of its own, nor a raw URL.
    expect(text).not.toContain(longName);
    expect(text).not.toContain('no-such-page-4711');
    expect(sample('graphql_requests_total', { operation: 'other' })).toBeGreaterThanOrEqual(1);

    expect(text).toMatch(/^process_cpu_user_seconds_total \d/m);
    expect(text).toMatch(/^process_resident_memory_bytes \d/m);
    expect(text).toMatch(/^nodejs_eventloop_lag_seconds \d/m);
  });
});

describe('with a wrong DATABASE_URL', () => {
  it('still starts: /healthz 200, /readyz 503 down, and it says why in the log', async () => {
    const server = await startWithoutWaiting({ DATABASE_URL: 'postgres://postgres:s3cret-pw@127.0.0.1:1/nope' });
    try {
      const health = await getJson(`${server.url}/healthz`);
      expect(health.status).toBe(200);

      const ready = await getJson(`${server.url}/readyz`);
      expect(ready.status).toBe(503);
      expect(ready.text).toBe('{"status":"down","checks":{"postgres":"down","redis":"up","redisEviction":"noeviction"}}');
      expect(server.app.readiness.migrated).toBe(false);

      // It says why (the first migration attempt fails at once), without the password.
      await expect.poll(() => server.logs.some((l) => l.includes('migrations could not run'))).toBe(true);
      expect(server.logs.join('\n')).not.toContain('s3cret-pw');

      // GraphQL that needs no database still answers.
      const res = await fetch(`${server.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ __typename }' }),
      });
      expect(await res.json()).toEqual({ data: { __typename: 'Query' } });
    } finally {
      await server.close();
    }
  });
});

describe('when PostgreSQL comes back', () => {
  it('migrates and turns ready by itself', async () => {
    // A port with nothing behind it yet; later a TCP relay to the real PostgreSQL opens there.
    const port = await new Promise<number>((resolve) => {
      const probe = net.createServer().listen(0, '127.0.0.1', () => {
        const { port: free } = probe.address() as AddressInfo;
        probe.close(() => resolve(free));
      });
    });
    const target = new URL(await workerDatabaseUrl());
    const relayed = new URL(target);
    relayed.hostname = '127.0.0.1';
    relayed.port = String(port);
    const server = await startWithoutWaiting({ DATABASE_URL: relayed.toString() });
    const sockets = new Set<net.Socket>();
    let relay: net.Server | undefined;
    try {
      expect((await getJson(`${server.url}/readyz`)).status).toBe(503);

      relay = net.createServer((client) => {
        const upstream = net.connect(Number(target.port || 5432), target.hostname);
        for (const s of [client, upstream]) {
          sockets.add(s);
          s.on('error', () => undefined);
          s.on('close', () => sockets.delete(s));
        }
        client.pipe(upstream).pipe(client);
      });
      await new Promise<void>((resolve) => relay!.listen(port, '127.0.0.1', resolve));

      await expect
        .poll(async () => (await getJson(`${server.url}/readyz`)).text, { timeout: 15_000, interval: 250 })
        .toBe(READY);
      await server.app.migrated;
    } finally {
      await server.close();
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => (relay ? relay.close(resolve) : resolve(undefined)));
    }
  });
});

describe('with Redis unreachable', () => {
  const server = useTestServer({ REDIS_URL: 'redis://127.0.0.1:1', REDIS_COMMAND_TIMEOUT_MS: '200' });

  it('/readyz answers 200 degraded', async () => {
    const res = await getJson(`${server.url}/readyz`);
    expect(res.status).toBe(200);
    expect(res.text).toBe('{"status":"degraded","checks":{"postgres":"up","redis":"down","redisEviction":"unknown"}}');
  });

  it('signUp and me still work', async () => {
    const res = await server.gql(SignUpDocument, {
      input: { email: 'no-redis@example.com', password: 'correct horse', fullName: 'No Redis' },
    });
    expect(res.errors).toBeUndefined();
    const me = await server.raw('{ me { email } }', undefined, { token: res.data!.signUp.accessToken });
    expect(me.errors).toBeUndefined();
    expect(me.data).toEqual({ me: { email: 'no-redis@example.com' } });
  });
});
