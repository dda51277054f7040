/**
 * examples/web-app, the client layer docs/frontend.md describes, run against the real server:
 * its generated types are current, and its token refresh, idempotency keys, error mapping and
 * version merging do what the guide says.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { generate } from '@graphql-codegen/cli';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { applyVersioned, createApi, formErrors, newIdempotencyKey, type Api, type Session, type SessionStore } from '../../examples/web-app/src/api.js';
import { BalanceUpdated, CreateWallet, Home, SignUp, Transfer, WalletFields } from '../../examples/web-app/src/operations.js';
import config from '../../examples/web-app/codegen.js';
import { fund, seedUsers } from '../support/money.js';
import { useTestServer } from '../support/server.js';

// One server for the suite; the tests keep to users of their own, so nothing is reset between them.
const server = useTestServer({}, { reset: false });
const apis: Api[] = [];
afterEach(async () => {
  await Promise.all(apis.splice(0).map((a) => a.dispose()));
});

function memoryStore(): SessionStore & { session: Session | null } {
  return {
    session: null,
    load() {
      return this.session;
    },
    save(session) {
      this.session = session;
    },
  };
}

function api(store = memoryStore()) {
  const made = createApi({ httpUrl: server.graphqlUrl, wsUrl: server.graphqlUrl.replace(/^http/, 'ws'), store, webSocketImpl: WebSocket });
  apis.push(made);
  return { api: made, store };
}

async function signUp(a: Api, name: string) {
  const email = `${name}-${newIdempotencyKey().slice(0, 8)}@example.com`;
  const { data } = await a.apollo.mutate({ mutation: SignUp, variables: { input: { email, password: 'correct horse', fullName: name } } });
  const { accessToken, refreshToken, expiresAt, user } = data!.signUp;
  a.signedIn({ accessToken, refreshToken, expiresAt });
  return user;
}

describe('the example app', () => {
  it("keeps its generated types in step with schema.graphql (run its codegen when this fails)", async () => {
    const outputs = (await generate({ ...config, cwd: process.cwd() }, false)) as { filename: string; content: string }[];
    expect(outputs.length).toBeGreaterThan(0);
    for (const out of outputs) {
      expect(await readFile(path.resolve(out.filename), 'utf8'), `${out.filename} is stale`).toBe(out.content);
    }
  });

  it('refreshes an expiring token once, however many requests ask at the same moment', async () => {
    const { api: a, store } = api();
    const user = await signUp(a, 'Refresher');
    const before = store.session!;
    // The token is about to expire: the next requests refresh it first.
    store.session = { ...before, expiresAt: new Date(Date.now() + 1_000).toISOString() };
    const tokens = await Promise.all([a.freshToken(), a.freshToken(), a.freshToken()]);
    expect(new Set(tokens).size).toBe(1);
    expect(tokens[0]).not.toBe(before.accessToken);
    expect(store.session!.refreshToken).not.toBe(before.refreshToken);
    // A double refresh would have presented a used refresh token and ended the session.
    const home = await a.apollo.query({ query: Home, fetchPolicy: 'network-only' });
    expect(home.data!.me!.id).toBe(user.id);
  });

  it('signs out when the refresh token is no longer valid', async () => {
    const { api: a, store } = api();
    await signUp(a, 'Stale');
    store.session = { ...store.session!, refreshToken: 'not-a-real-token', expiresAt: new Date(0).toISOString() };
    expect(await a.freshToken()).toBeNull();
    expect(store.session).toBeNull();
  });

  it('retries a transfer with the same idempotency key and moves the money once', async () => {
    const [bob] = await seedUsers(server.app, 1);
    const { api: a } = api();
    await signUp(a, 'Payer');
    const created = await a.apollo.mutate({ mutation: CreateWallet, variables: { currency: 'NGN' } });
    const walletId = created.data!.createWallet.wallet.id;
    await fund(server.app, walletId, 10_000n);
    const key = newIdempotencyKey();
    const input = { fromWalletId: walletId, recipientEmail: bob.email, amount: '2500', idempotencyKey: key };
    const first = await a.apollo.mutate({ mutation: Transfer, variables: { input } });
    const again = await a.apollo.mutate({ mutation: Transfer, variables: { input } });
    expect(again.data!.transfer.transaction.id).toBe(first.data!.transfer.transaction.id);
    expect(again.data!.transfer.wallet.balance.amount).toBe('7500');
  });

  it('turns refusals into words beside the right input', async () => {
    const [bob] = await seedUsers(server.app, 1);
    const { api: a } = api();
    await signUp(a, 'Former');
    const created = await a.apollo.mutate({ mutation: CreateWallet, variables: { currency: 'NGN' } });
    const fromWalletId = created.data!.createWallet.wallet.id;
    const send = (amount: string) =>
      a.apollo
        .mutate({ mutation: Transfer, variables: { input: { fromWalletId, recipientEmail: bob.email, amount, idempotencyKey: newIdempotencyKey() } } })
        .then(() => [], formErrors);
    expect(await send('12.50')).toEqual([{ field: 'amount', message: 'Check this value.' }]);
    expect(await send('999')).toEqual([{ field: 'amount', message: 'Not enough money available for this.' }]);
  });

  it('drops live events older than the cache holds, reports gaps, and hears live balances', async () => {
    const { api: a } = api();
    await signUp(a, 'Listener');
    const created = await a.apollo.mutate({ mutation: CreateWallet, variables: { currency: 'NGN' } });
    const wallet = created.data!.createWallet.viewer!.wallets[0];
    const cache = a.apollo.cache;
    const at = (version: number, amount: string) => ({
      ...wallet,
      version,
      balance: { ...wallet.balance, amount },
      availableBalance: { ...wallet.availableBalance, amount },
    });
    const read = () => cache.readFragment({ id: cache.identify(wallet), fragment: WalletFields, fragmentName: 'WalletFields' });
    expect(applyVersioned(cache, WalletFields, 'WalletFields', at(1, '100'))).toBe('applied');
    expect(applyVersioned(cache, WalletFields, 'WalletFields', at(1, '100'))).toBe('stale');
    expect(applyVersioned(cache, WalletFields, 'WalletFields', at(3, '300'))).toBe('gap');
    expect(applyVersioned(cache, WalletFields, 'WalletFields', at(2, '200'))).toBe('stale');
    expect(read()).toMatchObject({ version: 3, balance: { amount: '300' } });

    // The real thing: an event from the server, applied the same way.
    const home = await a.apollo.query({ query: Home, fetchPolicy: 'network-only' });
    const current = home.data!.me!.wallets[0].version;
    const outcomes: string[] = [];
    const live = a.apollo
      .subscribe({ query: BalanceUpdated, variables: { walletId: wallet.id }, fetchPolicy: 'no-cache' })
      .subscribe((r) => {
        if (r.data) outcomes.push(applyVersioned(cache, WalletFields, 'WalletFields', r.data.balanceUpdated));
      });
    try {
      await new Promise<void>((resolve) => a.ws.on('connected', () => resolve()));
      await new Promise((r) => setTimeout(r, 300));
      await fund(server.app, wallet.id, 500n);
      for (const end = Date.now() + 8_000; outcomes.length === 0 && Date.now() < end; ) await new Promise((r) => setTimeout(r, 25));
      expect(outcomes).toEqual(['applied']);
      expect(read()).toMatchObject({ version: current + 1, balance: { amount: '500' } });
    } finally {
      live.unsubscribe();
    }
  });
});
