import type { EntityManager } from '@mikro-orm/postgresql';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { InsufficientFundsError, shardOf, type TransferInput } from '../../src/domain/ledger/ledger.service.js';
import { createWallet, fund, seedUsers } from '../support/money.js';
import { useTestServer } from '../support/server.js';
import { sql, waitFor } from '../support/helpers.js';

const server = useTestServer();

const ledger = () => server.app.services.ledger;
const inTx = <T>(work: (tx: EntityManager) => Promise<T>) => server.app.orm.em.fork().transactional(work);

interface Counters {
  debits_posted: string;
  credits_posted: string;
  debits_pending: string;
  credits_pending: string;
  version: number;
}
async function counters(id: string): Promise<[string, string, string, string, number]> {
  const [r] = await sql<Counters>(
    server.app,
    'select debits_posted, credits_posted, debits_pending, credits_pending, version from ledger_accounts where id = ?',
    [id],
  );
  return [r.debits_posted, r.credits_posted, r.debits_pending, r.credits_pending, r.version];
}

/** A funded wallet of a new user, and the sandbox settlement account (the wallet's shard) of its currency. */
async function walletAndSettlement(amount: bigint, currency = 'NGN'): Promise<{ wallet: string; settlement: string; userId: string }> {
  const [u] = await seedUsers(server.app, 1, 'ledger');
  const wallet = await createWallet(server.app, u.id, currency);
  if (amount > 0n) await fund(server.app, wallet, amount);
  const settlement = await inTx((tx) => ledger().systemAccount(tx, 'SETTLEMENT', 'sandbox', currency, wallet));
  return { wallet, settlement, userId: u.id };
}

const move = (over: Partial<TransferInput> & Pick<TransferInput, 'debitAccountId' | 'creditAccountId'>): TransferInput => ({
  amount: 100n,
  currency: 'NGN',
  code: 'WITHDRAWAL',
  reference: 'ref',
  ...over,
});

describe('ledger transfers', () => {
  it('a refused debit leaves the credit side untouched, even when the credit side is updated first', async () => {
    const [u] = await seedUsers(server.app, 1);
    // Ids chosen so the credit account sorts (and is updated) before the debit account.
    const credit = '00000000-0000-4000-8000-000000000001';
    const debit = 'ffffffff-ffff-4fff-8fff-ffffffffffff';
    await sql(server.app, `insert into ledger_accounts (id, kind, provider, currency) values (?, 'CARD_ISSUING', 'test', 'NGN')`, [credit]);
    await sql(server.app, `insert into ledger_accounts (id, kind, user_id, currency) values (?, 'CARD', ?, 'NGN')`, [debit, u.id]);
    const { ledger } = server.app.services;
    await server.app.orm.em.fork().transactional(async (tx) => {
      // The caller carries on after the refusal, as a declined authorization does.
      await expect(
        ledger.transfer(tx, { debitAccountId: debit, creditAccountId: credit, amount: 50n, currency: 'NGN', code: 'CARD_PURCHASE', reference: 't', pending: true }),
      ).rejects.toBeInstanceOf(InsufficientFundsError);
    });
    const rows = await sql<{ id: string; credits_pending: string; version: number }>(
      server.app,
      'select id, credits_pending, version from ledger_accounts where id in (?, ?) order by id',
      [credit, debit],
    );
    expect(rows.map((r) => [r.credits_pending, r.version])).toEqual([
      ['0', 0],
      ['0', 0],
    ]);
    expect((await ledger.report(server.app.orm.em.fork())).balanced).toBe(true);
  });
});

describe('LedgerService.transfer', () => {
  it('refuses an amount that is not positive and a transfer from an account to itself, writing nothing', async () => {
    const { wallet, settlement } = await walletAndSettlement(1_000n);
    const before = await sql(server.app, 'select count(*)::int as n from ledger_transfers');
    for (const [input, message] of [
      [move({ debitAccountId: wallet, creditAccountId: settlement, amount: 0n }), 'transfer amount must be positive'],
      [move({ debitAccountId: wallet, creditAccountId: settlement, amount: -5n }), 'transfer amount must be positive'],
      [move({ debitAccountId: wallet, creditAccountId: wallet, amount: 5n }), 'a transfer needs two accounts'],
    ] as const) {
      await expect(inTx((tx) => ledger().transfer(tx, input))).rejects.toThrow(message);
    }
    expect(await sql(server.app, 'select count(*)::int as n from ledger_transfers')).toEqual(before);
    expect(await counters(wallet)).toEqual(['0', '1000', '0', '0', 1]);
  });

  it('posts: moves the posted counters, steps each version once, writes a POSTED transfer, and answers both accounts as they now stand', async () => {
    const { wallet, settlement } = await walletAndSettlement(1_000n);
    const { transferId, accounts } = await inTx((tx) =>
      ledger().transfer(tx, move({ debitAccountId: wallet, creditAccountId: settlement, amount: 300n, reference: 'wd_1' })),
    );
    expect(await counters(wallet)).toEqual(['300', '1000', '0', '0', 2]);
    expect(accounts.get(wallet)).toMatchObject({ debitsPosted: 300n, creditsPosted: 1_000n, debitsPending: 0n, version: 2, kind: 'WALLET' });
    expect(accounts.get(settlement)).toMatchObject({ creditsPosted: 300n, debitsPosted: 1_000n, kind: 'SETTLEMENT' });
    const [row] = await sql<Record<string, unknown>>(server.app, 'select * from ledger_transfers where id = ?', [transferId]);
    expect(row).toMatchObject({
      debit_account_id: wallet,
      credit_account_id: settlement,
      amount: '300',
      currency: 'NGN',
      status: 'POSTED',
      code: 'WITHDRAWAL',
      reference: 'wd_1',
    });
    expect(Date.now() - new Date(row.resolved_at as string).getTime()).toBeLessThan(60_000);
  });

  it('holds: moves the pending counters only, and writes a PENDING transfer not yet resolved', async () => {
    const { wallet, settlement } = await walletAndSettlement(1_000n);
    const { transferId } = await inTx((tx) => ledger().transfer(tx, move({ debitAccountId: wallet, creditAccountId: settlement, amount: 400n, pending: true })));
    expect(await counters(wallet)).toEqual(['0', '1000', '400', '0', 2]);
    expect((await counters(settlement)).slice(0, 4)).toEqual(['1000', '0', '0', '400']);
    const [row] = await sql<{ status: string; resolved_at: Date | null }>(server.app, 'select status, resolved_at from ledger_transfers where id = ?', [transferId]);
    expect(row).toEqual({ status: 'PENDING', resolved_at: null });
  });

  it("refuses a user's account going below zero, counting holds, but lets a system account go negative", async () => {
    const { wallet, settlement } = await walletAndSettlement(1_000n);
    await inTx((tx) => ledger().transfer(tx, move({ debitAccountId: wallet, creditAccountId: settlement, amount: 600n, pending: true })));
    // 400 left to spend: 401 is refused, 400 is not.
    const refused = await inTx((tx) => ledger().transfer(tx, move({ debitAccountId: wallet, creditAccountId: settlement, amount: 401n }))).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(InsufficientFundsError);
    expect(refused).toMatchObject({ accountId: wallet, message: 'insufficient funds' });
    await inTx((tx) => ledger().transfer(tx, move({ debitAccountId: wallet, creditAccountId: settlement, amount: 400n })));
    expect(await counters(wallet)).toEqual(['400', '1000', '600', '0', 3]);
    // The settlement account pays out deposits: it runs negative by design.
    await inTx((tx) => ledger().transfer(tx, move({ debitAccountId: settlement, creditAccountId: wallet, amount: 5_000n, code: 'DEPOSIT' })));
    expect((await ledger().report(server.app.orm.em.fork())).balanced).toBe(true);
  });

  it('tells a missing account, or one in another currency, from a lack of money', async () => {
    const { wallet, settlement } = await walletAndSettlement(1_000n);
    const usd = await inTx((tx) => ledger().systemAccount(tx, 'SETTLEMENT', 'sandbox', 'USD'));
    const missing = '00000000-0000-4000-8000-00000000dead';
    for (const input of [
      move({ debitAccountId: wallet, creditAccountId: usd }),
      move({ debitAccountId: usd, creditAccountId: wallet }),
      move({ debitAccountId: missing, creditAccountId: settlement }),
      move({ debitAccountId: wallet, creditAccountId: missing }),
    ]) {
      const err = await inTx((tx) => ledger().transfer(tx, input)).catch((e: unknown) => e);
      expect(err).not.toBeInstanceOf(InsufficientFundsError);
      expect((err as Error).message).toMatch(/^ledger account [0-9a-f-]{36} does not exist in NGN$/);
    }
    expect(await counters(wallet)).toEqual(['0', '1000', '0', '0', 1]);
  });

  it("undoes a refused transfer's credit side exactly, keeping what the same transaction moved before", async () => {
    const [u] = await seedUsers(server.app, 1);
    const credit = '00000000-0000-4000-8000-000000000001';
    const debit = 'ffffffff-ffff-4fff-8fff-ffffffffffff';
    const source = '77777777-7777-4777-8777-777777777777';
    await sql(server.app, `insert into ledger_accounts (id, kind, provider, currency) values (?, 'CARD_ISSUING', 'test', 'NGN')`, [credit]);
    await sql(server.app, `insert into ledger_accounts (id, kind, provider, currency) values (?, 'SETTLEMENT', 'test', 'NGN')`, [source]);
    await sql(server.app, `insert into ledger_accounts (id, kind, user_id, currency) values (?, 'CARD', ?, 'NGN')`, [debit, u.id]);
    await inTx(async (tx) => {
      // The credit account moves first in this transaction (version steps to 1)...
      await ledger().transfer(tx, move({ debitAccountId: source, creditAccountId: credit, amount: 70n, pending: true }));
      // ...then a refused transfer credits it again and must put back only its own part.
      await expect(
        ledger().transfer(tx, move({ debitAccountId: debit, creditAccountId: credit, amount: 50n, pending: true })),
      ).rejects.toBeInstanceOf(InsufficientFundsError);
    });
    expect(await counters(credit)).toEqual(['0', '0', '0', '70', 1]);
    expect(await counters(debit)).toEqual(['0', '0', '0', '0', 0]);
    // A later transaction steps the version again: the undo left version_xid consistent.
    await inTx((tx) => ledger().transfer(tx, move({ debitAccountId: source, creditAccountId: credit, amount: 1n, pending: true })));
    expect(await counters(credit)).toEqual(['0', '0', '0', '71', 2]);
  });
});

describe('LedgerService.resolvePending', () => {
  it('posts a hold once: pending counters become posted, the transfer is POSTED, and a second try changes nothing', async () => {
    const { wallet, settlement } = await walletAndSettlement(1_000n);
    const { transferId } = await inTx((tx) => ledger().transfer(tx, move({ debitAccountId: wallet, creditAccountId: settlement, amount: 250n, pending: true })));
    const first = await inTx((tx) => ledger().resolvePending(tx, transferId, 'POST'));
    expect(first.resolved).toBe(true);
    expect(first.accounts.get(wallet)).toMatchObject({ debitsPosted: 250n, debitsPending: 0n, version: 3 });
    expect(await counters(wallet)).toEqual(['250', '1000', '0', '0', 3]);
    expect((await counters(settlement)).slice(0, 4)).toEqual(['1000', '250', '0', '0']);
    const [row] = await sql<{ status: string; resolved_at: Date | null }>(server.app, 'select status, resolved_at from ledger_transfers where id = ?', [transferId]);
    expect(row.status).toBe('POSTED');
    expect(Date.now() - new Date(row.resolved_at!).getTime()).toBeLessThan(60_000);

    for (const outcome of ['POST', 'VOID'] as const) {
      const again = await inTx((tx) => ledger().resolvePending(tx, transferId, outcome));
      expect(again).toEqual({ resolved: false, accounts: new Map() });
    }
    expect(await counters(wallet)).toEqual(['250', '1000', '0', '0', 3]);
  });

  it('voids a hold: the pending counters go back, nothing is posted, the transfer is VOIDED', async () => {
    const { wallet, settlement } = await walletAndSettlement(1_000n);
    const { transferId } = await inTx((tx) => ledger().transfer(tx, move({ debitAccountId: wallet, creditAccountId: settlement, amount: 250n, pending: true })));
    const voided = await inTx((tx) => ledger().resolvePending(tx, transferId, 'VOID'));
    expect(voided.resolved).toBe(true);
    expect([...voided.accounts.keys()].sort()).toEqual([wallet, settlement].sort());
    expect(await counters(wallet)).toEqual(['0', '1000', '0', '0', 3]);
    expect((await counters(settlement)).slice(0, 4)).toEqual(['1000', '0', '0', '0']);
    const [row] = await sql<{ status: string }>(server.app, 'select status from ledger_transfers where id = ?', [transferId]);
    expect(row.status).toBe('VOIDED');
    expect((await ledger().report(server.app.orm.em.fork())).balanced).toBe(true);
  });
});

describe('LedgerService reads', () => {
  it('finds accounts by id (none for no ids), and makes each system account once', async () => {
    const { wallet, settlement } = await walletAndSettlement(0n);
    expect(await ledger().findAccounts(server.app.orm.em.fork(), [])).toEqual([]);
    const found = await ledger().findAccounts(server.app.orm.em.fork(), [wallet, settlement, '00000000-0000-4000-8000-00000000dead']);
    expect(found.map((a) => a.id).sort()).toEqual([wallet, settlement].sort());
    expect(await inTx((tx) => ledger().systemAccount(tx, 'SETTLEMENT', 'sandbox', 'NGN', wallet))).toBe(settlement);
    const fees = await inTx((tx) => ledger().systemAccount(tx, 'FEES', 'sandbox', 'NGN'));
    expect(fees).not.toBe(settlement);
    expect(await inTx((tx) => ledger().systemAccount(tx, 'SETTLEMENT', 'paystack', 'NGN'))).not.toBe(settlement);
  });

  it('reports the ledger balanced, with its counts, and names every account whose counters disagree with its transfers', async () => {
    const { wallet, settlement } = await walletAndSettlement(1_000n);
    await inTx((tx) => ledger().transfer(tx, move({ debitAccountId: wallet, creditAccountId: settlement, amount: 10n, pending: true })));
    const em = () => server.app.orm.em.fork();
    const accounts = (await sql<{ n: number }>(server.app, 'select count(*)::int as n from ledger_accounts'))[0].n;
    expect(await ledger().report(em())).toMatchObject({ balanced: true, accountCount: accounts, transferCount: 2, mismatchedAccountIds: [] });
    for (const column of ['debits_posted', 'credits_posted', 'debits_pending', 'credits_pending']) {
      await sql(server.app, `update ledger_accounts set ${column} = ${column} + 1 where id = ?`, [wallet]);
      const report = await ledger().report(em());
      expect(report, column).toMatchObject({ balanced: false, mismatchedAccountIds: [wallet] });
      await sql(server.app, `update ledger_accounts set ${column} = ${column} - 1 where id = ?`, [wallet]);
    }
    // Two counters off in step: each currency still balances, yet both accounts disagree with their transfers.
    await sql(server.app, 'update ledger_accounts set debits_posted = debits_posted + 7 where id = ?', [wallet]);
    await sql(server.app, 'update ledger_accounts set credits_posted = credits_posted + 7 where id = ?', [settlement]);
    expect(await ledger().report(em())).toMatchObject({ balanced: false, mismatchedAccountIds: [wallet, settlement].sort() });
  });

  it("reports a currency whose debits and credits differ as unbalanced, although every account matches its transfers", async () => {
    const { wallet } = await walletAndSettlement(0n);
    const usd = await inTx((tx) => ledger().systemAccount(tx, 'SETTLEMENT', 'sandbox', 'USD'));
    // A transfer between currencies cannot be made through the service; written by hand, both
    // accounts agree with it, yet NGN gained what USD lost.
    await sql(server.app, `insert into ledger_transfers (id, debit_account_id, credit_account_id, amount, currency, status, code, reference, resolved_at)
      values (gen_random_uuid(), ?, ?, 5, 'USD', 'POSTED', 'DEPOSIT', 'x', now())`, [usd, wallet]);
    await sql(server.app, 'update ledger_accounts set debits_posted = 5 where id = ?', [usd]);
    await sql(server.app, 'update ledger_accounts set credits_posted = 5 where id = ?', [wallet]);
    expect(await ledger().report(server.app.orm.em.fork())).toMatchObject({ balanced: false, mismatchedAccountIds: [] });
  });
});

describe('system account shards', () => {
  const SHARDS = 16;
  /** The first of `prefix0`, `prefix1`, ... whose shard is (or, with `other`, is not) `shard`. */
  const keyIn = (shard: number, prefix: string, other = false): string => {
    for (let i = 0; ; i++) if ((shardOf(`${prefix}${i}`, SHARDS) === shard) !== other) return `${prefix}${i}`;
  };

  it('picks the same shard for the same key, always within range, and spreads keys over every shard', () => {
    expect(shardOf('anything', 1)).toBe(0);
    expect(shardOf('', SHARDS)).toBe(0);
    const counts = new Array<number>(SHARDS).fill(0);
    for (let i = 0; i < 1600; i++) {
      const key = crypto.randomUUID();
      const shard = shardOf(key, SHARDS);
      expect(shardOf(key, SHARDS)).toBe(shard);
      expect(Number.isInteger(shard) && shard >= 0 && shard < SHARDS, key).toBe(true);
      counts[shard]++;
    }
    // 100 expected per shard; far from both ends means the spread is even, not just in range.
    expect(Math.min(...counts)).toBeGreaterThan(50);
    expect(Math.max(...counts)).toBeLessThan(160);
    // Known values, so a change of the hash (which would move where existing users' money meets) is seen.
    expect([shardOf('a', SHARDS), shardOf('ab', SHARDS), shardOf('wallet', 7), shardOf('wallet', 2 ** 32)]).toEqual([1, 1, 5, 3_499_774_969]);
  });

  it('keeps one row per kind, provider, currency and shard: the key picks it, no key means shard 0', async () => {
    const provider = `shards-${crypto.randomUUID().slice(0, 8)}`;
    const account = (spread?: string) => inTx((tx) => ledger().systemAccount(tx, 'SETTLEMENT', provider, 'NGN', spread));
    const a = keyIn(3, 'a');
    const b = keyIn(3, 'b', true);
    const idA = await account(a);
    expect(await account(a)).toBe(idA);
    const idB = await account(b);
    expect(idB).not.toBe(idA);
    const plain = await account();
    expect(await account(keyIn(0, 'z'))).toBe(plain);
    const rows = await sql<{ id: string; shard: number }>(server.app, 'select id, shard from ledger_accounts where provider = ? order by shard', [provider]);
    expect(rows).toEqual(
      [
        { id: plain, shard: 0 },
        { id: idA, shard: 3 },
        { id: idB, shard: shardOf(b, SHARDS) },
      ].sort((x, y) => x.shard - y.shard),
    );
    // Several transactions making the same new shard at once end with one row, the same id for all.
    const c = keyIn(5, 'c');
    const ids = await Promise.all(Array.from({ length: 8 }, () => account(c)));
    expect(new Set(ids).size).toBe(1);
    expect(await sql(server.app, 'select id from ledger_accounts where provider = ? and shard = 5', [provider])).toEqual([{ id: ids[0] }]);
  });

  it("lets a movement on one shard commit while another shard's movement holds its lock, and makes the same shard wait", async () => {
    const users = await seedUsers(server.app, 3, 'shards');
    const wallets = await Promise.all(users.map((u) => createWallet(server.app, u.id, 'NGN')));
    const holder = keyIn(6, 'h');
    const deposit = (tx: EntityManager, wallet: string, spread: string) =>
      ledger()
        .systemAccount(tx, 'SETTLEMENT', 'sandbox', 'NGN', spread)
        .then((settlement) => ledger().transfer(tx, move({ debitAccountId: settlement, creditAccountId: wallet, code: 'DEPOSIT' })));
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let locked!: () => void;
    const lockTaken = new Promise<void>((r) => (locked = r));
    const holding = inTx(async (tx) => {
      await deposit(tx, wallets[0], holder);
      locked();
      await held;
    });
    await lockTaken;
    const beside = (wallet: string, spread: string) =>
      inTx(async (tx) => {
        await tx.execute(`set local lock_timeout = '1s'`);
        await deposit(tx, wallet, spread);
      }).then(
        () => 'committed',
        (e: { code?: string }) => e.code ?? String(e),
      );
    expect(await beside(wallets[1], keyIn(6, 'o', true))).toBe('committed');
    // 55P03: lock_not_available, the same shard is still held.
    expect(await beside(wallets[2], keyIn(6, 's'))).toBe('55P03');
    release();
    await holding;
    const report = await ledger().report(server.app.orm.em.fork());
    expect(report.balanced).toBe(true);
    const [sums] = await sql<{ shards: number; dp: string }>(
      server.app,
      `select count(*)::int as shards, sum(debits_posted)::text as dp from ledger_accounts where kind = 'SETTLEMENT' and provider = 'sandbox' and currency = 'NGN' and user_id is null`,
    );
    const total = report.systemAccounts.find((t) => t.kind === 'SETTLEMENT' && t.provider === 'sandbox' && t.currency === 'NGN');
    expect(total).toMatchObject({ shards: sums.shards, debitsPosted: BigInt(sums.dp) });
    expect(sums.shards).toBeGreaterThanOrEqual(2);
  });
});

describe('ledger locking', () => {
  /**
   * Every movement locks its accounts in id order, so two movements never wait for each other
   * in a circle. Here another transaction holds the lower account and then wants the higher
   * one, while a movement that debits the higher account waits. Locking in id order, the
   * movement holds nothing yet and both finish; locking debit first, it would hold the higher
   * account and PostgreSQL would end one of them as a deadlock.
   */
  async function crossWith(movement: () => Promise<unknown>, low: string, high: string): Promise<void> {
    const other = new pg.Client({ connectionString: server.databaseUrl });
    await other.connect();
    try {
      await other.query('begin');
      await other.query('update ledger_accounts set updated_at = now() where id = $1', [low]);
      const moving = movement().then(
        () => 'done',
        (e: unknown) => e,
      );
      const waiting = await waitFor(
        () => sql<{ n: number }>(server.app, `select count(*)::int as n from pg_stat_activity where wait_event_type = 'Lock' and datname = current_database()`),
        (r) => r[0].n > 0,
      );
      expect(waiting[0].n, 'the movement waits for the lower account').toBe(1);
      const second = await other.query('update ledger_accounts set updated_at = now() where id = $1', [high]).then(
        () => 'done',
        (e: unknown) => e,
      );
      await other.query(second === 'done' ? 'commit' : 'rollback');
      expect(second).toBe('done');
      expect(await moving).toBe('done');
    } finally {
      await other.end();
    }
  }

  async function lowAndHigh(): Promise<{ low: string; high: string }> {
    const low = '00000000-0000-4000-8000-0000000000a1';
    const high = 'ffffffff-ffff-4fff-8fff-0000000000a2';
    for (const id of [low, high]) {
      await sql(server.app, `insert into ledger_accounts (id, kind, provider, currency) values (?, 'SETTLEMENT', ?, 'NGN')`, [id, id]);
    }
    return { low, high };
  }

  it('a transfer debiting the higher account takes the lower one first', async () => {
    const { low, high } = await lowAndHigh();
    await crossWith(() => inTx((tx) => ledger().transfer(tx, move({ debitAccountId: high, creditAccountId: low }))), low, high);
    expect((await ledger().report(server.app.orm.em.fork())).balanced).toBe(true);
  });

  it('resolving a hold that debits the higher account takes the lower one first', async () => {
    const { low, high } = await lowAndHigh();
    const { transferId } = await inTx((tx) => ledger().transfer(tx, move({ debitAccountId: high, creditAccountId: low, pending: true })));
    await crossWith(() => inTx((tx) => ledger().resolvePending(tx, transferId, 'POST')), low, high);
    expect(await counters(high)).toEqual(['100', '0', '0', '0', 2]);
  });
});
