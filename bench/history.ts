/**
 * B6: latency (p50) of a user's first history page with 1,000,000 rows in `transactions`
 * ÷ the same with 10,000.
 *
 * A server of our own (the built dist/src/main.js, CACHE_ENABLED=false so the response cache
 * cannot answer: every request runs the page query) migrates wallet_bench_history_small; one
 * viewer signs up through it over HTTP and opens an NGN wallet; 999 other users with wallets
 * are inserted with SQL. The ledger is then grown with bulk SQL (`generate_series`): one
 * completed sandbox deposit per wallet, then transfers between random pairs of users, each a
 * POSTED `ledger_transfers` row and two `transactions` rows (sender DEBIT, recipient CREDIT)
 * as TransferService writes them; every 25th transfer involves the viewer, so the viewer holds
 * 2 % of the rows at both sizes. Account counters move by the sums, so the ledger report stays
 * balanced (checked after seeding). At 10,000 rows the database is copied
 * (wallet_bench_history_large, CREATE DATABASE … TEMPLATE) and the copy's table is grown to
 * 1,000,000 rows; both get VACUUM ANALYZE, then a CHECKPOINT. Both are kept afterwards and a
 * later run reuses them when the seeding code and the migrations are unchanged (fingerprint(); about
 * 35 s saved). One server per database, each signing the viewer in, and
 * the same page query is measured with autocannon on both, alternately (warm-up of each, then
 * ROUNDS rounds small/large splitting DURATION), so that drift on a shared machine falls on
 * both sides alike; the ratio is that of the mean p50s.
 */
import type { ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import {
  DURATION, PG, QUICK, ROOT, WARMUP, freePort, freshDatabase, load, log, psql, row, skipped, startProcess, stopped, waitFor, wanted,
  type BenchContext, type LoadResult, type Row,
} from './lib.js';

const SMALL_DB = 'wallet_bench_history_small';
const LARGE_DB = 'wallet_bench_history_large';
/** Alternating measurements per side, DURATION split between them. */
const ROUNDS = QUICK ? 2 : 3;
const SMALL = Number(process.env.BENCH_HISTORY_SMALL ?? 10_000);
const LARGE = Number(process.env.BENCH_HISTORY_LARGE ?? 1_000_000);
/** Wallets (users), the viewer's included. */
const WALLETS = 1000;
/** Every VIEWER_EVERY-th transfer has the viewer on one side: 1 row in 2 × VIEWER_EVERY. */
const VIEWER_EVERY = 25;
const PAGE = 50;
const WHAT = 'history page p50 at 1,000,000 ÷ 10,000 transactions';
const GOAL = '≤ 1.5';

/** What a client asks for its first history screen. */
const HISTORY = `query History($first: Int) { transactions(first: $first) {
  edges { cursor node { id type status direction reference description createdAt
    amount { amount formatted currency }
    wallet { id balance { amount } } card { id last4 } counterparty { id fullName } } }
  pageInfo { hasNextPage endCursor } } }`;

interface Side {
  db: string;
  url: string;
  token: string;
  rows: number;
  viewerRows: number;
  rounds: LoadResult[];
  plan: string;
  planMs: number;
}

export async function historyRows(ctx: BenchContext): Promise<Row[]> {
  if (!wanted('B6')) return [];
  const env = (db: string, port: number): NodeJS.ProcessEnv => ({
    ...ctx.env,
    PORT: String(port),
    DATABASE_URL: `${PG}/${db}`,
    // Both servers share one prefix: the viewer's session is the same row in both databases.
    REDIS_KEY_PREFIX: `${ctx.env.REDIS_KEY_PREFIX ?? 'bench:'}history:`,
    CACHE_ENABLED: 'false',
  });
  const servers: ChildProcess[] = [];
  const serve = async (db: string): Promise<string> => {
    const port = await freePort();
    servers.push(startProcess(['dist/src/main.js'], env(db, port)));
    await waitFor(`http://127.0.0.1:${port}/readyz`);
    return `http://127.0.0.1:${port}/graphql`;
  };
  try {
    const built = buildOrReuse(serve, servers);
    const { viewer, seedMs, reused } = await built;
    const sides: Side[] = [];
    for (const db of [SMALL_DB, LARGE_DB]) {
      const [rows, viewerRows] = psql(db, `select count(*), count(*) filter (where user_id = '${viewer.userId}') from transactions`).split('|').map(Number);
      checkLedger(db);
      const url = await serve(db);
      // Each side signs the viewer in against its own database (its own session row).
      const token = await logIn(url, viewer.email);
      await checkUncached(url, token);
      sides.push({ db, url, token, rows, viewerRows, rounds: [], plan: '', planMs: 0 });
    }
    const origin = reused ? `reused from an earlier run (built in ${(seedMs / 1000).toFixed(1)} s)` : `grown to ${LARGE} in ${(seedMs / 1000).toFixed(1)} s`;
    log(`B6 ${sides[0].rows} and ${sides[1].rows} transactions (viewer ${sides[0].viewerRows} and ${sides[1].viewerRows}); ${origin}`);

    // Warm-up of both, then ROUNDS alternating measurements: drift on a shared machine hits both sides alike.
    const job = (s: Side) => ({
      url: s.url,
      body: JSON.stringify({ query: HISTORY, variables: { first: PAGE } }),
      headers: { authorization: `Bearer ${s.token}` },
    });
    const seconds = Math.max(2, Math.floor(DURATION / ROUNDS));
    for (const s of sides) {
      log(`B6 first page at ${s.rows} transactions: warm-up ${WARMUP}s`);
      await load(job(s), WARMUP);
    }
    for (let round = 0; round < ROUNDS; round++) {
      for (const s of sides) {
        const r = await load(job(s), seconds);
        log(`B6 first page at ${s.rows} transactions, round ${round + 1}/${ROUNDS} (${seconds}s): ${r.rps.toFixed(0)} req/s, p50 ${r.p50} ms, p99 ${r.p99} ms`);
        s.rounds.push(r);
      }
    }
    // The page's SQL as PostgreSQL runs it after the load (warm), for the row's raw text.
    for (const s of sides) {
      Object.assign(s, explain(s.db, viewer.userId));
      log(`B6 plan at ${s.rows}: ${s.plan}, ${s.planMs} ms`);
    }

    const errors = sides.flatMap((s) => s.rounds).reduce((n, r) => n + r.graphqlErrors + r.errors + r.non2xx, 0);
    const p50 = (s: Side) => s.rounds.reduce((n, r) => n + r.p50, 0) / s.rounds.length;
    const [lo, hi] = sides;
    if (errors || !p50(lo)) {
      const first = sides.flatMap((s) => s.rounds).find((r) => r.firstError)?.firstError;
      return [skipped('B6', WHAT, GOAL, `no usable measurement: ${errors} failed requests, first: ${first}`)];
    }
    const ratio = p50(hi) / p50(lo);
    const side = (s: Side) =>
      `p50 ${p50(s).toFixed(0)} ms (rounds ${s.rounds.map((r) => r.p50).join('/')} ms, p99 ${Math.max(...s.rounds.map((r) => r.p99))} ms, ` +
      `${s.rounds.reduce((n, r) => n + r.total, 0)} req) at ${s.rows.toLocaleString('en')} rows (viewer ${s.viewerRows.toLocaleString('en')}; ` +
      `SQL ${s.planMs} ms: ${s.plan})`;
    return [
      row('B6', WHAT, ratio, GOAL, ratio <= 1.5,
        `${side(hi)} ÷ ${side(lo)}; first: ${PAGE} with wallet, card, counterparty; response cache off (CACHE_ENABLED=false); ` +
          `${ROUNDS} alternating rounds of ${seconds}s; ` +
          (reused ? `databases reused from an earlier run with the same schema and seeding (built in ${(seedMs / 1000).toFixed(0)} s)` : `grown from ${lo.rows.toLocaleString('en')} to ${hi.rows.toLocaleString('en')} rows in ${(seedMs / 1000).toFixed(0)} s`)),
    ];
  } finally {
    for (const server of servers) await stopped(server);
  }
}

/** Events (one deposit per wallet, then transfers of two rows each) that make `rows` rows. */
const eventsFor = (rows: number): number => Math.ceil((rows + WALLETS) / 2);

interface Built {
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
async function buildOrReuse(serve: (db: string) => Promise<string>, servers: ChildProcess[]): Promise<Built> {
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
    psql(db, `create table bench_history_meta (fingerprint text not null, viewer_user_id uuid not null, viewer_email text not null, seed_ms int not null);
      insert into bench_history_meta values ('${print}', '${viewer.userId}', '${viewer.email}', ${seedMs})`);
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

async function logIn(url: string, email: string): Promise<string> {
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
  psql(db, `
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
      on conflict (kind, provider, currency) where user_id is null do nothing;`);
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
  psql(db, `
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
    where a.id = s.account_id;`);
}

/** The ledger report's invariants, and no dangling reference (the seeding skipped FK triggers). */
function checkLedger(db: string): void {
  const out = psql(db, `
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
               or (t.counterparty_user_id is not null and not exists (select 1 from users u where u.id = t.counterparty_user_id))) as dangling`);
  if (out !== '0|0') throw new Error(`B6 seeding left the ledger inconsistent (mismatched accounts | dangling rows): ${out}`);
}

/** Two identical requests in a row: the second must not come from the response cache (Apollo sets `age` then). */
async function checkUncached(url: string, token: string): Promise<void> {
  for (let i = 0; i < 2; i++) {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: HISTORY, variables: { first: PAGE } }),
    });
    const body = (await res.json()) as { data?: { transactions: { edges: unknown[] } }; errors?: unknown[] };
    if (body.errors || body.data?.transactions.edges.length !== PAGE) throw new Error(`B6: unexpected page ${JSON.stringify(body).slice(0, 500)}`);
    if (res.headers.get('age') !== null) throw new Error('B6: the response cache answered although CACHE_ENABLED=false: the row would measure Redis');
  }
}

/** The plan PostgreSQL picks for the page query TransactionRepository.page sends (first page, no filter). */
function explain(db: string, userId: string): { plan: string; planMs: number } {
  const out = psql(db, `explain (analyze, buffers, format json)
    select id, seq, user_id, account_id, transfer_id, type, status, direction, amount, currency, description, reference,
           counterparty_user_id, merchant, failure_reason, created_at, updated_at
    from transactions where user_id = '${userId}' order by seq desc limit ${PAGE + 1}`);
  const [top] = JSON.parse(out) as { Plan: PlanNode; 'Execution Time': number }[];
  return { plan: describe(top.Plan), planMs: Number(top['Execution Time'].toFixed(2)) };
}

interface PlanNode {
  'Node Type': string;
  'Index Name'?: string;
  'Scan Direction'?: string;
  'Actual Rows': number;
  'Rows Removed by Filter'?: number;
  'Rows Removed by Index Recheck'?: number;
  Plans?: PlanNode[];
}

/** e.g. "Limit > Index Scan on transactions_user_page (51 rows read)": the plan's nodes, outermost first. */
function describe(node: PlanNode): string {
  const read = node['Actual Rows'] + (node['Rows Removed by Filter'] ?? 0) + (node['Rows Removed by Index Recheck'] ?? 0);
  const self = /Scan/.test(node['Node Type'])
    ? `${node['Node Type']}${node['Scan Direction'] === 'Backward' ? ' Backward' : ''}${node['Index Name'] ? ` on ${node['Index Name']}` : ''} (${read} rows read)`
    : node['Node Type'];
  return [self, ...(node.Plans ?? []).map(describe)].join(' > ');
}
