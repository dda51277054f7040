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
 * later run reuses them when the seeding code and the migrations are unchanged (history-seed.ts;
 * about 35 s saved). One server per database, each signing the viewer in, and
 * the same page query is measured with autocannon on both, alternately (warm-up of each, then
 * ROUNDS rounds small/large splitting DURATION), so that drift on a shared machine falls on
 * both sides alike; the ratio is that of the mean p50s.
 */
import type { ChildProcess } from 'node:child_process';
import { LARGE, SMALL_DB, LARGE_DB, buildOrReuse, checkLedger, logIn } from './history-seed.js';
import {
  DURATION,
  PG,
  QUICK,
  WARMUP,
  freePort,
  load,
  log,
  psql,
  row,
  skipped,
  startProcess,
  stopped,
  waitFor,
  wanted,
  type BenchContext,
  type LoadResult,
  type Row,
} from './lib.js';

/** Alternating measurements per side, DURATION split between them. */
const ROUNDS = QUICK ? 2 : 3;
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
    // Apart from the main server's keys; each side signs the viewer in on its own database.
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
      const [rows, viewerRows] = psql(db, `select count(*), count(*) filter (where user_id = '${viewer.userId}') from transactions`)
        .split('|')
        .map(Number);
      checkLedger(db);
      const url = await serve(db);
      // Each side signs the viewer in against its own database (its own session row).
      const token = await logIn(url, viewer.email);
      await checkUncached(url, token);
      sides.push({ db, url, token, rows, viewerRows, rounds: [], plan: '', planMs: 0 });
    }
    const origin = reused
      ? `reused from an earlier run (built in ${(seedMs / 1000).toFixed(1)} s)`
      : `grown to ${LARGE} in ${(seedMs / 1000).toFixed(1)} s`;
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
        log(
          `B6 first page at ${s.rows} transactions, round ${round + 1}/${ROUNDS} (${seconds}s): ${r.rps.toFixed(0)} req/s, p50 ${r.p50} ms, p99 ${r.p99} ms`,
        );
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
      row(
        'B6',
        WHAT,
        ratio,
        GOAL,
        ratio <= 1.5,
        `${side(hi)} ÷ ${side(lo)}; first: ${PAGE} with wallet, card, counterparty; response cache off (CACHE_ENABLED=false); ` +
          `${ROUNDS} alternating rounds of ${seconds}s; ` +
          (reused
            ? `databases reused from an earlier run with the same schema and seeding (built in ${(seedMs / 1000).toFixed(0)} s)`
            : `grown from ${lo.rows.toLocaleString('en')} to ${hi.rows.toLocaleString('en')} rows in ${(seedMs / 1000).toFixed(0)} s`),
      ),
    ];
  } finally {
    for (const server of servers) await stopped(server);
  }
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
    if (body.errors || body.data?.transactions.edges.length !== PAGE)
      throw new Error(`B6: unexpected page ${JSON.stringify(body).slice(0, 500)}`);
    if (res.headers.get('age') !== null)
      throw new Error('B6: the response cache answered although CACHE_ENABLED=false: the row would measure Redis');
  }
}

/** The plan PostgreSQL picks for the page query TransactionRepository.page sends (first page, no filter). */
function explain(db: string, userId: string): { plan: string; planMs: number } {
  const out = psql(
    db,
    `explain (analyze, buffers, format json)
    select id, seq, user_id, account_id, transfer_id, type, status, direction, amount, currency, description, reference,
           counterparty_user_id, merchant, failure_reason, created_at, updated_at
    from transactions where user_id = '${userId}' order by seq desc limit ${PAGE + 1}`,
  );
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
