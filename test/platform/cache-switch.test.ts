import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/config.js';
import { WalletDocument } from '../generated/graphql.js';
import { sql, statementsDuring } from '../support/helpers.js';
import { createWallet, fund, seedUsers } from '../support/money.js';
import { type TestServer, useTestServer } from '../support/server.js';

/**
 * CACHE_ENABLED=false turns off the wallet read cache and the response cache (benchmark B3
 * compares the two): a wallet read then goes to PostgreSQL every time.
 */

/** The statements against ledger_accounts the server sends while `fn` runs (MikroORM's knex). */
async function accountReads(server: TestServer, fn: () => Promise<unknown>): Promise<number> {
  const seen = await statementsDuring(server.app, fn);
  return seen.filter((s) => /\bledger_accounts\b/.test(s)).length;
}

/** The bench's B3/B4 query, as raw text. */
const BALANCE = 'query W($id: ID!) { wallet(id: $id) { balance { amount } } }';

/** A funded wallet and a way to read its balance over HTTP as its owner. */
async function fundedWallet(server: TestServer) {
  const [u] = await seedUsers(server.app, 1);
  const walletId = await createWallet(server.app, u.id);
  await fund(server.app, walletId, 700n);
  const balance = async (): Promise<string> => {
    const res = await server.raw(BALANCE, { id: walletId }, { token: u.token });
    expect(res.errors).toBeUndefined();
    return (res.data as { wallet: { balance: { amount: string } } }).wallet.balance.amount;
  };
  return { user: u, walletId, balance };
}

/** Moves the stored balance underneath the server, without telling any cache. */
async function creditBehindTheServersBack(server: TestServer, walletId: string, amount: number): Promise<void> {
  await sql(server.app, 'update ledger_accounts set credits_posted = credits_posted + ? where id = ?', [amount, walletId]);
}

describe('CACHE_ENABLED', () => {
  it('defaults to on; "false" and "0" turn it off; anything else is refused', () => {
    expect(loadConfig({}).cache.enabled).toBe(true);
    expect(loadConfig({ CACHE_ENABLED: 'true' }).cache.enabled).toBe(true);
    expect(loadConfig({ CACHE_ENABLED: '1' }).cache.enabled).toBe(true);
    expect(loadConfig({ CACHE_ENABLED: 'false' }).cache.enabled).toBe(false);
    expect(loadConfig({ CACHE_ENABLED: '0' }).cache.enabled).toBe(false);
    expect(() => loadConfig({ CACHE_ENABLED: 'off-ish' })).toThrow(ConfigError);
  });
});

describe('with CACHE_ENABLED=false', () => {
  const server = useTestServer({ CACHE_ENABLED: 'false' }, { reset: false });

  it('reads the wallet from PostgreSQL on every request', async () => {
    const { walletId, balance } = await fundedWallet(server);
    for (let i = 0; i < 3; i++) {
      let amount = '';
      const reads = await accountReads(server, async () => (amount = await balance()));
      expect(amount).toBe('700');
      expect(reads).toBeGreaterThanOrEqual(1);
    }
    // A change made straight in PostgreSQL shows on the very next read.
    await creditBehindTheServersBack(server, walletId, 5);
    expect(await balance()).toBe('705');
    const keys = await server.app.redis.client.keys(`${server.redisPrefix}acct:*`);
    expect(keys).toEqual([]);
  });

  it('executes every request: no response-cache Age header, no apollo: keys', async () => {
    const { user, walletId } = await fundedWallet(server);
    await server.gql(WalletDocument, { id: walletId }, { token: user.token });
    const again = await server.gql(WalletDocument, { id: walletId }, { token: user.token });
    expect(again.data!.wallet!.balance.amount).toBe('700');
    expect(again.headers.get('age')).toBeNull();
    expect(await server.app.redis.client.keys(`${server.redisPrefix}apollo:fqc:*`)).toEqual([]);
  });
});

describe('with caches on (the default)', () => {
  const server = useTestServer({}, { reset: false });

  it('answers repeated wallet reads without PostgreSQL, so a change made behind its back stays unseen', async () => {
    const { walletId, balance } = await fundedWallet(server);
    expect(await accountReads(server, balance)).toBeGreaterThanOrEqual(1);
    for (let i = 0; i < 2; i++) {
      let amount = '';
      const reads = await accountReads(server, async () => (amount = await balance()));
      expect(amount).toBe('700');
      expect(reads).toBe(0);
    }
    await creditBehindTheServersBack(server, walletId, 5);
    expect(await balance()).toBe('700');
  });
});
