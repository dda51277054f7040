import { print } from 'graphql';
import { createClient, type Client } from 'graphql-ws';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { credentialsOf } from '../../src/http/ws-credentials.js';
import { BalanceUpdatedDocument, LogOutDocument } from '../generated/graphql.js';
import { createWallet, fund, seedUsers } from '../support/money.js';
import { startTestServer, useTestServer, type TestServer } from '../support/server.js';
import { listen, ready, settle } from './replica-support.js';

/**
 * Issue 16: live updates from Apollo Sandbox and every common client. Sandbox opens a
 * graphql-ws connection whose `connection_init` carries no params, then a second one with the
 * headers of its connection settings, `Authorization` with a capital A; other clients nest it
 * in `headers`. A connection without credentials is acknowledged and serves public operations;
 * what needs a viewer fails with UNAUTHENTICATED on that operation; present but bad
 * credentials still close with 4401.
 */

const server = useTestServer({}, { reset: false });
const clients: Client[] = [];
const sockets: WebSocket[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.dispose()));
  for (const s of sockets.splice(0)) s.terminate();
});

type Message = { type: string; id?: string; payload?: unknown };

/**
 * A socket speaking graphql-transport-ws by hand, as Sandbox's client does on the wire:
 * `init` is the whole `connection_init` message (Sandbox's first has no `payload` at all).
 */
class RawConnection {
  readonly messages: Message[] = [];
  closed?: { code: number; reason: string };
  private waiters = new Set<() => void>();

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data: Buffer) => {
      this.messages.push(JSON.parse(data.toString()) as Message);
      this.notify();
    });
    socket.on('close', (code, reason) => {
      this.closed = { code, reason: reason.toString() };
      this.notify();
    });
    socket.on('error', () => undefined);
  }

  static async open(url: string, init: Message): Promise<RawConnection> {
    const socket = new WebSocket(url.replace(/^http/, 'ws'), 'graphql-transport-ws');
    sockets.push(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    const connection = new RawConnection(socket);
    socket.send(JSON.stringify(init));
    return connection;
  }

  private notify() {
    for (const w of [...this.waiters]) w();
  }

  /** Resolves with the first message `match` accepts, or rejects once the socket closed or time ran out. */
  next(match: (m: Message) => boolean, timeoutMs = 5_000): Promise<Message> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const found = this.messages.find(match);
        if (found) return done(() => resolve(found));
        if (this.closed) done(() => reject(new Error(`closed ${this.closed!.code} ${this.closed!.reason}`)));
      };
      const timer = setTimeout(() => done(() => reject(new Error(`timed out; got ${JSON.stringify(this.messages)}`))), timeoutMs);
      const done = (then: () => void) => {
        clearTimeout(timer);
        this.waiters.delete(check);
        then();
      };
      this.waiters.add(check);
      check();
    });
  }

  /** How the socket closed (bounded). */
  async whenClosed(timeoutMs = 5_000): Promise<{ code: number; reason: string }> {
    const started = Date.now();
    while (!this.closed && Date.now() - started < timeoutMs) await settle(20);
    if (!this.closed) throw new Error('still open');
    return this.closed;
  }

  subscribe(id: string, query: string, variables: Record<string, unknown> = {}): void {
    this.socket.send(JSON.stringify({ id, type: 'subscribe', payload: { query, variables } }));
  }

  /** Runs a query or mutation and resolves with its `next` payload, or its `error` payload. */
  async run(id: string, query: string): Promise<Message> {
    this.subscribe(id, query);
    return this.next((m) => m.id === id && (m.type === 'next' || m.type === 'error'));
  }
}

const CURRENCIES = '{ currencies { code } }';
const BALANCE = print(BalanceUpdatedDocument);
const codeOf = (m: Message) => (m.payload as { extensions?: { code?: string } }[])[0]?.extensions?.code;

/** A wallet of the user's, and a deposit into it once `listening` says the subscription runs. */
async function depositArrives(user: { id: string }, connection: RawConnection, id: string): Promise<Message> {
  const wallet = await createWallet(server.app, user.id);
  connection.subscribe(id, BALANCE);
  // The subscription is registered a moment after `subscribe` is sent: deposit until one arrives.
  for (let attempt = 0; attempt < 20; attempt += 1) {
    await fund(server.app, wallet, 1_000n);
    const event = await connection.next((m) => m.id === id && m.type === 'next', 500).catch(() => undefined);
    if (event) return event;
  }
  throw new Error(`no balanceUpdated event; got ${JSON.stringify(connection.messages)}`);
}

describe('credentials in connection_init', () => {
  it('are read from authorization in any letter case, at the top level or in headers', () => {
    const token = { kind: 'token', authorization: 'Bearer t' };
    expect(credentialsOf({ authorization: 'Bearer t' })).toEqual(token);
    expect(credentialsOf({ Authorization: 'Bearer t' })).toEqual(token);
    expect(credentialsOf({ AUTHORIZATION: '  Bearer t ' })).toEqual(token);
    expect(credentialsOf({ headers: { Authorization: 'Bearer t' } })).toEqual(token);
    expect(credentialsOf({ Headers: { authorization: 'Bearer t' }, other: 1 })).toEqual(token);
    // The same value twice is one credential.
    expect(credentialsOf({ Authorization: 'Bearer t', headers: { authorization: 'Bearer t' } })).toEqual(token);
  });

  it('are none when absent, empty or null, and invalid when not a string or contradictory', () => {
    for (const params of [undefined, null, {}, [], 'Bearer t', { authorization: '' }, { Authorization: '  ' }, { authorization: null }, { headers: 'Bearer t' }, { headers: {} }, { token: 'Bearer t' }]) {
      expect(credentialsOf(params), JSON.stringify(params)).toEqual({ kind: 'none' });
    }
    for (const params of [{ authorization: 42 }, { Authorization: { token: 't' } }, { headers: { Authorization: ['Bearer t'] } }]) {
      expect(credentialsOf(params), JSON.stringify(params)).toMatchObject({ kind: 'invalid', reason: expect.stringMatching(/string/) });
    }
    expect(credentialsOf({ authorization: 'Bearer a', headers: { Authorization: 'Bearer b' } })).toMatchObject({ kind: 'invalid', reason: expect.stringMatching(/two different/) });
  });
});

describe('Apollo Sandbox over graphql-ws', () => {
  it('a bare connection_init is acknowledged: public queries run, a subscription fails with UNAUTHENTICATED, the connection stays open', async () => {
    const bare = await RawConnection.open(server.graphqlUrl, { type: 'connection_init' });
    await bare.next((m) => m.type === 'connection_ack');
    const currencies = await bare.run('1', CURRENCIES);
    expect(currencies.type).toBe('next');
    expect((currencies.payload as { data: { currencies: { code: string }[] } }).data.currencies.map((c) => c.code)).toContain('NGN');
    const refused = await bare.run('2', BALANCE);
    expect(refused.type).toBe('error');
    expect(codeOf(refused)).toBe('UNAUTHENTICATED');
    // So does a query that needs a viewer, as over HTTP (errors in its result).
    const wallets = await bare.run('3', '{ transactions(first: 1) { edges { node { id } } } }');
    expect((wallets.payload as { errors: { extensions: { code: string } }[] }).errors[0].extensions.code).toBe('UNAUTHENTICATED');
    // Still open: another public operation runs.
    expect((await bare.run('4', CURRENCIES)).type).toBe('next');
    expect(bare.closed).toBeUndefined();
  });

  it('what Sandbox does: a bare connection, then one with { Authorization } that receives the balance of a deposit', async () => {
    const [u] = await seedUsers(server.app, 1, 'sandbox-ws');
    const bare = await RawConnection.open(server.graphqlUrl, { type: 'connection_init' });
    await bare.next((m) => m.type === 'connection_ack');
    const signedIn = await RawConnection.open(server.graphqlUrl, { type: 'connection_init', payload: { Authorization: `Bearer ${u.token}` } });
    await signedIn.next((m) => m.type === 'connection_ack');
    const event = await depositArrives(u, signedIn, 'balance');
    expect(event.payload).toMatchObject({ data: { balanceUpdated: { balance: { amount: expect.any(String) } } } });
    expect(bare.closed).toBeUndefined();
  });

  it('the same with the header nested as headers: { Authorization }, through graphql-ws createClient', async () => {
    const [u] = await seedUsers(server.app, 1, 'nested-ws');
    const wallet = await createWallet(server.app, u.id);
    const client = createClient({
      url: server.graphqlUrl.replace(/^http/, 'ws'),
      webSocketImpl: WebSocket,
      connectionParams: { headers: { Authorization: `Bearer ${u.token}` } },
      retryAttempts: 0,
      lazy: true,
    });
    clients.push(client);
    const sub = listen(client, BALANCE);
    await ready(client);
    await fund(server.app, wallet, 2_500n);
    const [event] = await sub.waitFor(1);
    expect(event).toMatchObject({ balanceUpdated: { id: wallet, balance: { amount: '2500' } } });
  });

  it('present but bad credentials still close with 4401, in any letter case and nesting', async () => {
    const [u] = await seedUsers(server.app, 1, 'bad-ws');
    const [header, payload, signature] = u.token.split('.');
    const tampered = `${header}.${payload}.${signature.slice(0, -4)}${signature.slice(-4) === 'AAAA' ? 'BBBB' : 'AAAA'}`;
    const cases: [unknown, RegExp][] = [
      [{ Authorization: `Bearer ${tampered}` }, /valid access token/],
      [{ headers: { Authorization: 'Bearer garbage' } }, /valid access token/],
      [{ AUTHORIZATION: u.token }, /Bearer <token>/],
      [{ Authorization: 42 }, /must be a string/],
      [{ Authorization: `Bearer ${u.token}`, headers: { authorization: 'Bearer other' } }, /two different/],
    ];
    for (const [params, reason] of cases) {
      const c = await RawConnection.open(server.graphqlUrl, { type: 'connection_init', payload: params });
      const closed = await c.whenClosed();
      expect(closed, JSON.stringify(params)).toMatchObject({ code: 4401, reason: expect.stringMatching(reason) });
      expect(c.messages).toEqual([]);
    }
  });

  it('logout closes a live subscription opened with headers: { Authorization }, and its token is refused after', async () => {
    const [u] = await seedUsers(server.app, 1, 'logout-ws');
    const c = await RawConnection.open(server.graphqlUrl, { type: 'connection_init', payload: { headers: { Authorization: `Bearer ${u.token}` } } });
    await c.next((m) => m.type === 'connection_ack');
    await depositArrives(u, c, 'live');
    const out = await server.gql(LogOutDocument, {}, { token: u.token });
    expect(out.errors).toBeUndefined();
    expect(await c.whenClosed()).toEqual({ code: 4401, reason: 'Unauthorized: session ended' });
    const again = await RawConnection.open(server.graphqlUrl, { type: 'connection_init', payload: { Authorization: `Bearer ${u.token}` } });
    expect(await again.whenClosed()).toEqual({ code: 4401, reason: 'Unauthorized: session ended' });
  });
});

describe('connections without credentials cost little', () => {
  let capped: TestServer;
  afterAll(() => capped?.close());

  it('a few per address (4429 beyond), each closed when idle; one at work stays open', async () => {
    capped = await startTestServer({ WS_MAX_ANONYMOUS_CONNECTIONS_PER_IP: '2', WS_ANONYMOUS_IDLE_MS: '600' });
    const [u] = await seedUsers(capped.app, 1, 'capped-ws');
    const first = await RawConnection.open(capped.graphqlUrl, { type: 'connection_init', payload: {} });
    const busy = await RawConnection.open(capped.graphqlUrl, { type: 'connection_init' });
    await Promise.all([first.next((m) => m.type === 'connection_ack'), busy.next((m) => m.type === 'connection_ack')]);
    const third = await RawConnection.open(capped.graphqlUrl, { type: 'connection_init' });
    expect(await third.whenClosed()).toMatchObject({ code: 4429, reason: expect.stringMatching(/WS_MAX_ANONYMOUS_CONNECTIONS_PER_IP=2/) });
    // Signed-in connections are not counted against it.
    const signedIn = await RawConnection.open(capped.graphqlUrl, { type: 'connection_init', payload: { Authorization: `Bearer ${u.token}` } });
    await signedIn.next((m) => m.type === 'connection_ack');

    // `busy` runs a query every 200 ms; `first` does nothing and is closed after 600 ms.
    const started = Date.now();
    let n = 0;
    while (!first.closed && Date.now() - started < 5_000) {
      expect((await busy.run(`q${++n}`, CURRENCIES)).type).toBe('next');
      await settle(200);
    }
    expect(first.closed).toMatchObject({ code: 1000, reason: expect.stringMatching(/Idle connection without credentials.*WS_ANONYMOUS_IDLE_MS=600/) });
    expect(Date.now() - started).toBeGreaterThanOrEqual(400);
    expect(busy.closed).toBeUndefined();
    // The address may open another now; the signed-in connection is never closed for idling.
    const replacement = await RawConnection.open(capped.graphqlUrl, { type: 'connection_init' });
    await replacement.next((m) => m.type === 'connection_ack');
    expect(await busy.whenClosed(3_000)).toMatchObject({ code: 1000 });
    expect(signedIn.closed).toBeUndefined();
  });
});
