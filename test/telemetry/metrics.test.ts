import { print } from 'graphql';
import { createClient, type Client } from 'graphql-ws';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import {
  BalanceUpdatedDocument,
  CreateWalletDocument,
  DepositDocument,
  SignUpDocument,
  TransferDocument,
} from '../generated/graphql.js';
import { useTestServer } from '../support/server.js';

/**
 * The business metrics beside the process ones on GET /metrics (open outside production): each
 * appears, and moves when what it counts happens.
 */
const server = useTestServer();
const clients: Client[] = [];

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.dispose()));
});

type Labels = Record<string, string>;

async function scrape(): Promise<(name: string, labels?: Labels) => number | undefined> {
  const res = await fetch(`${server.url}/metrics`);
  expect(res.status).toBe(200);
  const lines = (await res.text()).split('\n');
  return (name, labels = {}) => {
    const line = lines.find((l) => {
      const [series] = l.split(' ');
      if (series !== name && !series.startsWith(`${name}{`)) return false;
      return Object.entries(labels).every(([k, v]) => series.includes(`${k}="${v}"`));
    });
    return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
  };
}

async function signUp(email: string) {
  const res = await server.gql(SignUpDocument, { input: { email, password: 'password-123456', fullName: 'Metric User' } });
  expect(res.errors).toBeUndefined();
  return res.data!.signUp;
}

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('business metrics on /metrics', () => {
  it('are all there before anything happened', async () => {
    const text = await (await fetch(`${server.url}/metrics`)).text();
    for (const name of [
      'graphql_mutations_total',
      'money_movements_total',
      'provider_calls_total',
      'provider_call_duration_seconds',
      'webhooks_total',
      'response_cache_lookups_total',
      'websocket_connections',
      'websocket_subscriptions',
      'db_pool_connections',
    ]) {
      expect(text, name).toContain(`# TYPE ${name} `);
    }
    // The process metrics are still there.
    expect(text).toContain('process_cpu_seconds_total');
  });

  it('count mutations and money movements by field and outcome, and provider calls with their latency', async () => {
    const ada = await signUp('ada@example.com');
    await signUp('bob@example.com');
    const wallet = await server.gql(CreateWalletDocument, { input: { currency: 'NGN' } }, { token: ada.accessToken });
    expect(wallet.errors).toBeUndefined();
    const walletId = wallet.data!.createWallet.wallet.id;

    const before = await scrape();
    const deposit = await server.gql(
      DepositDocument,
      { input: { walletId, amount: '5000', idempotencyKey: 'metrics-deposit-1' } },
      { token: ada.accessToken },
    );
    expect(deposit.errors).toBeUndefined();
    // The adapter behind the counting wrapper is still the sandbox (its checkout page is served) and pays.
    const checkoutUrl = deposit.data!.deposit.checkoutUrl;
    expect((await fetch(checkoutUrl)).status).toBe(200);
    const paid = await fetch(checkoutUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"outcome":"success"}' });
    expect(await paid.json()).toEqual({ outcome: 'DEPOSIT_CREDITED' });
    // More than the wallet holds: refused with a code.
    const transfer = await server.gql(
      TransferDocument,
      { input: { fromWalletId: walletId, amount: '999999', recipientEmail: 'bob@example.com', idempotencyKey: 'metrics-transfer-1' } },
      { token: ada.accessToken },
    );
    const code = String(transfer.errors?.[0]?.extensions?.code);
    expect(code).toMatch(/^[A-Z_]+$/);

    const after = await scrape();
    const moved = (name: string, labels: Labels) => (after(name, labels) ?? 0) - (before(name, labels) ?? 0);
    expect(moved('money_movements_total', { type: 'deposit', outcome: 'ok' })).toBe(1);
    expect(moved('money_movements_total', { type: 'transfer', outcome: code })).toBe(1);
    expect(moved('graphql_mutations_total', { mutation: 'deposit', outcome: 'ok' })).toBe(1);
    expect(moved('graphql_mutations_total', { mutation: 'transfer', outcome: code })).toBe(1);
    // Signing up and creating a wallet move no money: counted as mutations only.
    expect(after('graphql_mutations_total', { mutation: 'signUp', outcome: 'ok' })).toBeGreaterThanOrEqual(2);
    expect(after('money_movements_total', { type: 'signUp' })).toBeUndefined();
    expect(after('money_movements_total', { type: 'createWallet' })).toBeUndefined();

    const call = { provider: 'sandbox', operation: 'initializeDeposit', outcome: 'ok' };
    expect(moved('provider_calls_total', call)).toBe(1);
    expect(moved('provider_calls_total', { provider: 'sandbox', operation: 'verifyDeposit', outcome: 'ok' })).toBe(1);
    expect(moved('provider_call_duration_seconds_count', call)).toBe(1);
    expect(after('provider_call_duration_seconds_bucket', { ...call, le: '+Inf' })).toBeGreaterThanOrEqual(1);
  });

  it('count webhooks by provider and the status answered', async () => {
    const before = await scrape();
    const res = await fetch(`${server.url}/webhooks/sandbox`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(res.status).toBe(401);
    const after = await scrape();
    const labels = { provider: 'sandbox', status: '401' };
    expect((after('webhooks_total', labels) ?? 0) - (before('webhooks_total', labels) ?? 0)).toBe(1);
  });

  it('count response-cache misses and hits', async () => {
    const before = await scrape();
    const query = 'query MetricsCurrencies { currencies { code } }';
    expect((await server.raw(query)).errors).toBeUndefined();
    expect((await server.raw(query)).errors).toBeUndefined();
    const after = await scrape();
    const moved = (result: string) =>
      (after('response_cache_lookups_total', { result }) ?? 0) - (before('response_cache_lookups_total', { result }) ?? 0);
    expect(moved('miss')).toBe(1);
    expect(moved('hit')).toBe(1);
  });

  it('show open WebSocket connections and subscriptions, and the database pool', async () => {
    const { accessToken } = await signUp('socket@example.com');
    const client = createClient({
      url: server.graphqlUrl.replace(/^http/, 'ws'),
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${accessToken}` },
      retryAttempts: 0,
    });
    clients.push(client);
    const stop = client.subscribe({ query: print(BalanceUpdatedDocument) }, { next: () => undefined, error: () => undefined, complete: () => undefined });
    await until('one connection and one subscription', async () => {
      const m = await scrape();
      return m('websocket_connections') === 1 && m('websocket_subscriptions') === 1;
    });
    stop();
    await until('the subscription to end', async () => (await scrape())('websocket_subscriptions') === 0);
    await clients.splice(0)[0].dispose();
    await until('the connection to close', async () => (await scrape())('websocket_connections') === 0);

    const m = await scrape();
    const used = m('db_pool_connections', { state: 'used' });
    const free = m('db_pool_connections', { state: 'free' });
    expect(used).toBeGreaterThanOrEqual(0);
    expect(m('db_pool_connections', { state: 'pending' })).toBe(0);
    // The pool has opened connections by now (DATABASE_POOL_MAX=4 in tests).
    expect(used! + free!).toBeGreaterThanOrEqual(1);
    expect(used! + free!).toBeLessThanOrEqual(4);
  });
});
