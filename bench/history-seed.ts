/**
 * B6's two databases (see history.ts): wallet_bench_history_small migrated by our server,
 * the viewer signed up through it, 999 more users and 10,000 rows written with bulk SQL;
 * wallet_bench_history_large a copy grown to 1,000,000. Kept between runs while the
 * fingerprint of this seeding and the migrations matches.
 */
import type { ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT, freshDatabase, log, psql, stopped } from './lib.js';

export const SMALL_DB = 'wallet_bench_history_small';
export const LARGE_DB = 'wallet_bench_history_large';
const SMALL = Number(process.env.BENCH_HISTORY_SMALL ?? 10_000);
export const LARGE = Number(process.env.BENCH_HISTORY_LARGE ?? 1_000_000);
/** Wallets (users), the viewer's included. */
const WALLETS = 1000;
/** Every VIEWER_EVERY-th transfer has the viewer on one side: 1 row in 2 × VIEWER_EVERY. */
const VIEWER_EVERY = 25;

/** Events (one deposit per wallet, then transfers of two rows each) that make `rows` rows. */
const eventsFor = (rows: number): number => Math.ceil((rows + WALLETS) / 2);

export interface Built {
  viewer: { userId: string; email: string };
  seedMs: number;
  reused: boolean;
}

/**
 * What the two databases were built from: the seeding code below, every migration, the sizes.
 * Both databases carry it in bench_history_meta; a later run whose fingerprint matches uses
 * them as they are (BENCH_HISTORY_REBUILD=1 rebuilds anyway). The runs only read them, apart
 * from sign-ins adding session rows.
 */
function fingerprint(): string {
  const hash = createHash('sha256');
  for (const f of [signUpWithWallet, seedUsers, grow, eventsFor, buildOrReuse]) hash.update(f.toString());
  const dir = path.join(ROOT, 'src/migrations');
  for (const file of readdirSync(dir).sort()) hash.update(file).update(readFileSync(path.join(dir, file)));
  return hash.update(`${SMALL}:${LARGE}:${WALLETS}:${VIEWER_EVERY}`).digest('hex');
}

function storedBuild(db: string, print: string): Built | null {
  const exists = psql('postgres', `select count(*) from pg_database where datname = '${db}'`) === '1';
  if (!exists || psql(db, `select to_regclass('bench_history_meta') is not null`) !== 't') return null;
  const out = psql(db, `select viewer_user_id, viewer_email, seed_ms from bench_history_meta where fingerprint = '${print}'`);
  if (!out) return null;
  const [userId, email, seedMs] = out.split('|');
  return { viewer: { userId, email }, seedMs: Number(seedMs), reused: true };
}

/** The small and large databases, from an earlier run when they were built the same way. */
export async function buildOrReuse(serve: (db: string) => Promise<string>, servers: ChildProcess[]): Promise<Built> {
  const print = fingerprint();
  if (process.env.BENCH_HISTORY_REBUILD !== '1') {
    const [small, large] = [storedBuild(SMALL_DB, print), storedBuild(LARGE_DB, print)];
    if (small && large && small.viewer.userId === large.viewer.userId) {
      log(`B6 reusing ${SMALL_DB} and ${LARGE_DB} (same seeding and migrations; BENCH_HISTORY_REBUILD=1 rebuilds)`);
      return small;
    }
  }
  // The small database: migrated by a server, the viewer signed up through it, 10,000 rows.
  log(`B6 fresh databases ${SMALL_DB} and ${LARGE_DB}`);
  freshDatabase(SMALL_DB);
  const viewer = await signUpWithWallet(await serve(SMALL_DB));
  await stopped(servers.pop()!);
  seedUsers(SMALL_DB, viewer);
  const small = eventsFor(SMALL);
  grow(SMALL_DB, 0, small);
  // The large one: a copy of the small one, the same table grown to 1,000,000 rows.
  psql('postgres', `DROP DATABASE IF EXISTS ${LARGE_DB} WITH (FORCE)`);
  psql('postgres', `CREATE DATABASE ${LARGE_DB} TEMPLATE ${SMALL_DB}`);
  const t0 = Date.now();
  grow(LARGE_DB, small, eventsFor(LARGE));
  for (const db of [SMALL_DB, LARGE_DB]) psql(db, 'vacuum (analyze) transactions, ledger_transfers, ledger_accounts');
  psql('postgres', 'checkpoint');
  const seedMs = Date.now() - t0;
  // Written last: a run stopped half-way leaves databases that the next run rebuilds.
  for (const db of [SMALL_DB, LARGE_DB]) {
    psql(
      db,
      `create table bench_history_meta (fingerprint text not null, viewer_user_id uuid not null, viewer_email text not null, seed_ms int not null);
      insert into bench_history_meta values ('${print}', '${viewer.userId}', '${viewer.email}', ${seedMs})`,
    );
  }
  return { viewer, seedMs, reused: false };
}

const VIEWER_PASSWORD = 'history-viewer-password';

async function gql<T>(url: string, query: string, variables: Record<string, unknown>, token?: string): Promise<T> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as { data?: T; errors?: unknown[] };
  if (body.errors || !body.data) throw new Error(`B6 set-up: ${JSON.stringify(body.errors)}`);
  return body.data;
}

/** The viewer signs up over HTTP like anyone (one argon2 hash) and opens an NGN wallet. */
async function signUpWithWallet(url: string): Promise<{ userId: string; email: string; walletId: string }> {
  const email = `history-viewer-${Date.now().toString(36)}@example.com`;
  const { signUp } = await gql<{ signUp: { accessToken: string; user: { id: string } } }>(
    url,
    'mutation S($input: SignUpInput!) { signUp(input: $input) { accessToken user { id } } }',
    { input: { email, password: VIEWER_PASSWORD, fullName: 'History Viewer' } },
  );
  const { createWallet } = await gql<{ createWallet: { wallet: { id: string } } }>(
    url,
    'mutation W($input: CreateWalletInput!) { createWallet(input: $input) { wallet { id } } }',
    { input: { currency: 'NGN' } },
    signUp.accessToken,
  );
  return { userId: signUp.user.id, email, walletId: createWallet.wallet.id };
}

export async function logIn(url: string, email: string): Promise<string> {
  const { logIn: auth } = await gql<{ logIn: { accessToken: string } }>(
    url,
    'mutation L($input: LogInInput!) { logIn(input: $input) { accessToken } }',
    { input: { email, password: VIEWER_PASSWORD } },
  );
  return auth.accessToken;
}

/**
 * The other users (sharing the viewer's password hash) and their NGN wallets, numbered
 * 1..WALLETS-1 in bench_history_wallets (the viewer is 0); the sandbox settlement account.
 */
function seedUsers(db: string, viewer: { userId: string; walletId: string }): void {
  psql(
    db,
    `
    create table bench_history_wallets (n int primary key, user_id uuid not null, account_id uuid not null);
    insert into bench_history_wallets values (0, '${viewer.userId}', '${viewer.walletId}');
    with u as (
      insert into users (id, email, password_hash, full_name)
      select gen_random_uuid(), 'history-' || n || '@example.com', (select password_hash from users where id = '${viewer.userId}'), 'History user ' || n
      from generate_series(1, ${WALLETS - 1}) n
      returning id, email
    ), w as (
      insert into ledger_accounts (id, kind, user_id, currency) select gen_random_uuid(), 'WALLET', id, 'NGN' from u returning id, user_id
    )
    insert into bench_history_wallets
      select split_part(split_part(u.email, '@', 1), '-', 2)::int, w.user_id, w.id from w join u on u.id = w.user_id;
    insert into ledger_accounts (id, kind, provider, currency) values (gen_random_uuid(), 'SETTLEMENT', 'sandbox', 'NGN')
      on conflict (kind, provider, currency, shard) where user_id is null do nothing;`,
  );
}

/**
 * Events [from, until): event k < WALLETS deposits 10^12 into wallet k (one row); every later
 * event is a transfer between two different wallets (two rows), the viewer (wallet 0) sending
 * on every 2 × VIEWER_EVERY-th and receiving on the other VIEWER_EVERY-th. Five seconds of
 * created_at per event. Ids are time-ordered (UUIDv7 layout) so the inserts append to the
 * primary-key, transfer and reference indexes (random ids double the seeding time); the
 * history query reads none of those indexes. Foreign-key triggers are skipped for the
 * session (session_replication_role = replica): every reference is generated from existing
 * rows, and checkLedger() verifies the result.
 */
function grow(db: string, from: number, until: number): void {
  if (until <= from) return;
  const others = WALLETS - 1;
  psql(
    db,
    `
    set session_replication_role = replica;
    create temp table ev on commit drop as
    select k,
           (lpad(to_hex(1767225600000 + k * 5000), 12, '0') || '7' || substr(md5(k::text), 1, 3) || '8'
             || substr(md5(k::text), 4, 15))::uuid as tid,
           timestamptz '2026-01-01 00:00:00+00' + k * interval '5 seconds' as ts,
           (case when k < ${WALLETS} then 1000000000000 else 100 + k % 9901 end)::bigint as amount,
           case when k < ${WALLETS} then null
                when k % ${2 * VIEWER_EVERY} = 0 then 0
                else 1 + (k * 7919) % ${others} end as s_n,
           case when k < ${WALLETS} then k
                when k % ${2 * VIEWER_EVERY} = 0 then 1 + (k * 104729) % ${others}
                when k % ${VIEWER_EVERY} = 0 then 0
                else 1 + ((k * 7919) % ${others} + 1 + (k * 104729) % ${others - 1}) % ${others} end as r_n
    from generate_series(${from}::bigint, ${until - 1}) k;
    create temp table ev2 on commit drop as
    select ev.*, case when s_n is null then 'dep_' else 'trf_' end || tid as ref,
           coalesce(sw.account_id, (select id from ledger_accounts where kind = 'SETTLEMENT' and provider = 'sandbox'
                                    and currency = 'NGN' and user_id is null)) as debit_account,
           sw.user_id as s_user, rw.account_id as credit_account, rw.user_id as r_user
    from ev left join bench_history_wallets sw on sw.n = ev.s_n join bench_history_wallets rw on rw.n = ev.r_n;
    insert into ledger_transfers (id, debit_account_id, credit_account_id, amount, currency, status, code, reference, created_at, resolved_at)
    select tid, debit_account, credit_account, amount, 'NGN', 'POSTED', case when s_user is null then 'DEPOSIT' else 'TRANSFER' end, ref, ts, ts
    from ev2 order by k;
    insert into transactions (id, user_id, account_id, transfer_id, type, status, direction, amount, currency, description, reference,
                              counterparty_user_id, created_at, updated_at)
    select (substr(tid::text, 1, 24) || substr(md5(tid::text || x.ord), 1, 12))::uuid, x.user_id, x.account_id, tid, x.type, 'COMPLETED',
           x.direction, amount, 'NGN', x.description, ref, x.counterparty, ts, ts
    from ev2 cross join lateral (values
      (0, s_user, debit_account, 'TRANSFER', 'DEBIT', 'rent share', r_user),
      (1, r_user, credit_account, case when s_user is null then 'DEPOSIT' else 'TRANSFER' end, 'CREDIT',
          case when s_user is null then null else 'rent share' end, s_user)
    ) x(ord, user_id, account_id, type, direction, description, counterparty)
    where x.user_id is not null
    order by k, x.ord;
    update ledger_accounts a
    set debits_posted = a.debits_posted + s.d, credits_posted = a.credits_posted + s.c, version = a.version + s.n, updated_at = now()
    from (select account_id, sum(d)::bigint as d, sum(c)::bigint as c, count(*)::int as n
          from (select debit_account as account_id, amount as d, 0 as c from ev2
                union all select credit_account, 0, amount from ev2) m
          group by account_id) s
    where a.id = s.account_id;`,
  );
}

/** The ledger report's invariants, and no dangling reference (the seeding skipped FK triggers). */
export function checkLedger(db: string): void {
  const out = psql(
    db,
    `
    with sums as (
      select account_id, sum(case when side = 'D' then amount else 0 end) as d, sum(case when side = 'C' then amount else 0 end) as c
      from (select debit_account_id as account_id, 'D' as side, amount from ledger_transfers
            union all select credit_account_id, 'C', amount from ledger_transfers) t
      group by account_id)
    select (select count(*) from ledger_accounts a left join sums s on s.account_id = a.id
            where a.debits_posted <> coalesce(s.d, 0) or a.credits_posted <> coalesce(s.c, 0)) as mismatched,
           (select count(*) from transactions t
            where not exists (select 1 from ledger_accounts a where a.id = t.account_id and a.user_id = t.user_id)
               or not exists (select 1 from ledger_transfers l where l.id = t.transfer_id)
               or (t.counterparty_user_id is not null and not exists (select 1 from users u where u.id = t.counterparty_user_id))) as dangling`,
  );
  if (out !== '0|0') throw new Error(`B6 seeding left the ledger inconsistent (mismatched accounts | dangling rows): ${out}`);
}
