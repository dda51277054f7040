import { createHash } from 'node:crypto';
import { createClient, type Client } from 'graphql-ws';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { SignUpDocument } from '../generated/graphql.js';
import { REDIS_URL } from '../support/env.js';
import { startTestServer, type TestServer } from '../support/server.js';

/**
 * Nobody fills our memory: documents are bounded in bytes before parsing, automatic persisted
 * queries live in a store with a byte budget, and WebSocket connections are bounded in time
 * (before `connection_init`), per address, per user, and in operations per user.
 */
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const MAX_DOCUMENT = 4096;
const APQ_BUDGET = 64 * 1024;

async function apq(server: TestServer, query: string, opts: { send?: boolean } = {}) {
  const res = await fetch(server.graphqlUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      ...(opts.send === false ? {} : { query }),
      extensions: { persistedQuery: { version: 1, sha256Hash: sha256(query) } },
    }),
  });
  return { status: res.status, body: (await res.json()) as { data?: unknown; errors?: { message: string; extensions?: Record<string, unknown> }[] } };
}

/** A valid document with `padding` bytes of comment, different for every `n`. */
const padded = (n: number, padding: number) => `# ${String(n).padEnd(padding, 'x')}\n{ currencies { code } }`;

describe('documents and persisted queries', () => {
  let server: TestServer;
  let redis: Redis;
  beforeAll(async () => {
    server = await startTestServer({ GRAPHQL_MAX_DOCUMENT_BYTES: String(MAX_DOCUMENT), APQ_STORE_MAX_BYTES: String(APQ_BUDGET) });
    redis = new Redis(REDIS_URL);
  });
  afterAll(async () => {
    await redis?.quit();
    await server?.close();
  });
  const stored = () => redis.hlen(`${server.redisPrefix}apq:docs`);

  it('refuses a document over the byte limit before parsing it, comments included, and keeps nothing', async () => {
    const before = await stored();
    const res = await apq(server, padded(1, MAX_DOCUMENT));
    expect(res.status).toBe(400);
    expect(res.body.errors![0].extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', limit: MAX_DOCUMENT });
    expect(await stored()).toBe(before);
    // GET requests carry the document in the URL: the same limit.
    const get = await fetch(`${server.graphqlUrl}?query=${encodeURIComponent(padded(2, MAX_DOCUMENT))}`, {
      headers: { 'apollo-require-preflight': 'true' },
    });
    expect(get.status).toBe(400);
    expect(((await get.json()) as { errors: { extensions: { code: string } }[] }).errors[0].extensions.code).toBe('QUERY_TOO_COMPLEX');
    // Just under the limit is served.
    const fits = await apq(server, padded(3, MAX_DOCUMENT - 100));
    expect(fits.body).toEqual({ data: { currencies: expect.any(Array) } });
  });

  it('registers a persisted query only when the document passes every limit', async () => {
    const deep = `{ me { wallets { transactions(first: 1) { edges { node { wallet { transactions(first: 1) { edges { node { wallet { id } } } } } } } } } } }`;
    const tooDeep = await apq(server, deep);
    expect(tooDeep.body.errors![0].extensions!.code).toBe('QUERY_TOO_COMPLEX');
    const aliases = `{ ${Array.from({ length: 40 }, (_, i) => `a${i}: __typename`).join(' ')} }`;
    expect((await apq(server, aliases)).body.errors![0].extensions!.code).toBe('QUERY_TOO_COMPLEX');
    for (const query of [deep, aliases]) {
      expect(await redis.hexists(`${server.redisPrefix}apq:docs`, `apq:${sha256(query)}`)).toBe(0);
      expect((await apq(server, query, { send: false })).body.errors![0].extensions!.code).toBe('PERSISTED_QUERY_NOT_FOUND');
    }
  });

  it('holds no more than its budget however many padded documents arrive, dropping the oldest first', async () => {
    const first = padded(1000, MAX_DOCUMENT - 200);
    expect((await apq(server, first)).body.data).toBeDefined();
    await new Promise((r) => setTimeout(r, 50));
    expect((await apq(server, first, { send: false })).body.data).toBeDefined();
    // 300 requests of almost 4 KB each: 1.2 MB offered to a 64 KB store.
    for (let i = 0; i < 300; i += 1) expect((await apq(server, padded(1001 + i, MAX_DOCUMENT - 200))).status).toBe(200);
    await new Promise((r) => setTimeout(r, 100));
    const docs = await redis.hvals(`${server.redisPrefix}apq:docs`);
    const bytes = docs.reduce((sum, d) => sum + Buffer.byteLength(d), 0);
    expect(bytes).toBeLessThanOrEqual(APQ_BUDGET);
    expect(docs.length).toBeGreaterThan(10);
    expect(Number(await redis.get(`${server.redisPrefix}apq:bytes`))).toBeLessThanOrEqual(APQ_BUDGET);
    // The oldest left; the newest is served by its hash alone.
    expect((await apq(server, first, { send: false })).body.errors![0].extensions!.code).toBe('PERSISTED_QUERY_NOT_FOUND');
    expect((await apq(server, padded(1300, MAX_DOCUMENT - 200), { send: false })).body.data).toBeDefined();
  });
});

describe('the same budget without Redis (in-process)', () => {
  it('drops the oldest document once the budget is spent', async () => {
    const server = await startTestServer({ REDIS_URL: '', APQ_STORE_MAX_BYTES: '10000' });
    try {
      const queries = Array.from({ length: 5 }, (_, i) => padded(i, 2900));
      for (const q of queries) expect((await apq(server, q)).status).toBe(200);
      await new Promise((r) => setTimeout(r, 50));
      const served = await Promise.all(queries.map(async (q) => (await apq(server, q, { send: false })).body.data !== undefined));
      expect(served).toEqual([false, false, true, true, true]);
    } finally {
      await server.close();
    }
  });
});

describe('WebSocket connections', () => {
  let server: TestServer;
  const clients: Client[] = [];
  const sockets: WebSocket[] = [];
  beforeAll(async () => {
    server = await startTestServer({
      GRAPHQL_MAX_DOCUMENT_BYTES: String(MAX_DOCUMENT),
      WS_INIT_TIMEOUT_MS: '300',
      WS_MAX_CONNECTIONS_PER_IP: '4',
      WS_MAX_CONNECTIONS_PER_USER: '2',
      WS_MAX_SUBSCRIPTIONS_PER_USER: '3',
    });
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.dispose()));
    for (const s of sockets.splice(0)) s.terminate();
    await new Promise((r) => setTimeout(r, 100));
  });
  afterAll(() => server?.close());
  const wsUrl = () => server.graphqlUrl.replace(/^http/, 'ws');

  let n = 0;
  async function token() {
    n += 1;
    const res = await server.gql(SignUpDocument, { input: { email: `ws-caps${n}@example.com`, password: 'password-1', fullName: 'Caps' } });
    return res.data!.signUp.accessToken;
  }

  /** A raw socket speaking graphql-transport-ws: resolves once open, or with the refusal's status. */
  function rawSocket(): Promise<{ socket: WebSocket } | { status: number }> {
    return new Promise((resolve) => {
      const socket = new WebSocket(wsUrl(), 'graphql-transport-ws');
      sockets.push(socket);
      socket.on('error', () => undefined);
      socket.once('open', () => resolve({ socket }));
      socket.once('unexpected-response', (_req, res) => resolve({ status: res.statusCode ?? 0 }));
    });
  }
  const closed = (socket: WebSocket) => new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)));

  function client(authorization: string): Client {
    const c = createClient({ url: wsUrl(), webSocketImpl: WebSocket, connectionParams: { authorization }, retryAttempts: 0, lazy: false });
    clients.push(c);
    return c;
  }

  it('closes a connection that does not send connection_init in time (4408)', async () => {
    const opened = await rawSocket();
    if (!('socket' in opened)) throw new Error(`refused with ${opened.status}`);
    const started = Date.now();
    expect(await closed(opened.socket)).toBe(4408);
    expect(Date.now() - started).toBeLessThan(3_000);
  });

  it('refuses more connections from one address than allowed (429), and takes one again once another closed', async () => {
    const opened = await Promise.all([rawSocket(), rawSocket(), rawSocket(), rawSocket()]);
    expect(opened.every((o) => 'socket' in o)).toBe(true);
    expect(await rawSocket()).toEqual({ status: 429 });
    const first = opened[0] as { socket: WebSocket };
    const gone = closed(first.socket);
    first.socket.close();
    await gone;
    await new Promise((r) => setTimeout(r, 50));
    expect('socket' in (await rawSocket())).toBe(true);
  });

  it("closes a user's connection beyond the per-user cap with 4429", async () => {
    const auth = `Bearer ${await token()}`;
    const codes: number[] = [];
    const connected: number[] = [];
    for (let i = 0; i < 3; i += 1) {
      const c = client(auth);
      c.on('connected', () => connected.push(i));
      c.on('closed', (e) => codes.push((e as { code: number }).code));
      await new Promise((r) => setTimeout(r, 150));
    }
    expect(connected).toEqual([0, 1]);
    expect(codes).toEqual([4429]);
  });

  it("refuses a user's operation beyond the cap with RATE_LIMITED, and takes one again once another completed", async () => {
    const c = client(`Bearer ${await token()}`);
    const subscribe = () => {
      const events: unknown[] = [];
      const stop = c.subscribe({ query: 'subscription { balanceUpdated { id } }' }, { next: (v) => events.push(v), error: (e) => events.push(e), complete: () => undefined });
      return { events, stop };
    };
    const subs = [subscribe(), subscribe(), subscribe()];
    await new Promise((r) => setTimeout(r, 300));
    expect(subs.map((s) => s.events)).toEqual([[], [], []]);
    const fourth = subscribe();
    await new Promise((r) => setTimeout(r, 300));
    expect(fourth.events).toEqual([[expect.objectContaining({ extensions: expect.objectContaining({ code: 'RATE_LIMITED', limit: 3 }) })]]);
    subs[0].stop();
    await new Promise((r) => setTimeout(r, 200));
    const fifth = subscribe();
    await new Promise((r) => setTimeout(r, 300));
    expect(fifth.events).toEqual([]);
  });

  it('refuses a document over the byte limit with QUERY_TOO_COMPLEX', async () => {
    const c = client(`Bearer ${await token()}`);
    const error = await new Promise((resolve) => {
      c.subscribe({ query: `# ${'x'.repeat(MAX_DOCUMENT)}\n{ __typename }` }, { next: () => undefined, error: resolve, complete: () => resolve('completed') });
    });
    expect(error).toEqual([expect.objectContaining({ extensions: expect.objectContaining({ code: 'QUERY_TOO_COMPLEX' }) })]);
  });
});
