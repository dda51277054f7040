/**
 * B3: B4's `wallet(id) { balance { amount } }` on our server with its caches on (the wallet
 * read cache and the response cache, both in Redis; the very run B4 uses) ÷ the same query
 * on a second server process started with CACHE_ENABLED=false, which reads PostgreSQL for
 * every request. Both share the database, Redis and keys; each is measured after its own warm-up. How often
 * ledger_accounts was scanned during each (pg_stat_user_tables) shows which one went to
 * PostgreSQL.
 */
import {
  DURATION,
  WARMUP,
  clean,
  fmt,
  freePort,
  load,
  log,
  measure,
  psql,
  row,
  startProcess,
  stopped,
  waitFor,
  type BenchContext,
  type CpuSnapshot,
  type LoadResult,
  type Row,
} from './lib.js';

/** PostgreSQL flushes backends' counters at most once a second (exiting ones at once). */
const STATS_SETTLE_MS = 1_500;

/** B4's query: one wallet's balance, as the seeded reader. */
export const walletJob = (ctx: BenchContext, url: string) => ({
  url,
  body: JSON.stringify({
    query: 'query W($id: ID!) { wallet(id: $id) { balance { amount } } }',
    variables: { id: ctx.seed.reader.walletId },
  }),
  headers: { authorization: `Bearer ${ctx.seed.reader.token}` },
});

const dbOf = (ctx: BenchContext): string => new URL(ctx.env.DATABASE_URL!).pathname.slice(1);

/** Reads of ledger_accounts so far, once the counters have settled. */
async function scans(db: string): Promise<number> {
  await new Promise((r) => setTimeout(r, STATS_SETTLE_MS));
  return Number(
    psql(db, `select coalesce(seq_scan, 0) + coalesce(idx_scan, 0) from pg_stat_user_tables where relname = 'ledger_accounts'`),
  );
}

/** The wallet query on our server with its caches on: B4's numerator and B3's. */
export interface CachedRun {
  r: LoadResult & { cpu: CpuSnapshot };
  /** Requests over warm-up and measurement, and the ledger_accounts reads they caused. */
  requests: number;
  scans: number;
}

export async function cachedWalletRun(ctx: BenchContext): Promise<CachedRun> {
  const s0 = await scans(dbOf(ctx));
  const r = await measure('B4/B3 ours wallet(id) { balance }, caches on', walletJob(ctx, ctx.ours), ctx.serverPid);
  return { r, requests: (r.warmup?.total ?? 0) + r.total, scans: (await scans(dbOf(ctx))) - s0 };
}

/** B3: `on` ÷ the same load on a second server with CACHE_ENABLED=false. */
export async function cacheRow(ctx: BenchContext, on: CachedRun): Promise<Row> {
  const port = await freePort();
  const serverArgs = (process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const uncached = startProcess([...serverArgs, 'dist/src/main.js'], { ...ctx.env, PORT: String(port), CACHE_ENABLED: 'false' });
  // lib's stopped() waits for an 'exit' that has already happened when called twice on a
  // child killed by a signal (exitCode stays null): stop it once.
  let running = true;
  try {
    await waitFor(`http://127.0.0.1:${port}/readyz`);
    // Reads of ledger_accounts over warm-up and measurement together. A busy backend's counters
    // reach pg_stat_user_tables up to ~10 s late, but a backend that exits flushes them: the
    // uncached server is stopped before its count is read, so that one is exact; the cached
    // server's may come out a little low.
    const s1 = await scans(dbOf(ctx));
    const label = 'B3 wallet(id) { balance }, CACHE_ENABLED=false';
    log(`${label}: warm-up ${WARMUP}s, measuring ${DURATION}s`);
    const off = await load({ ...walletJob(ctx, `http://127.0.0.1:${port}/graphql`), warmup: WARMUP });
    log(`${label}: ${off.rps.toFixed(0)} req/s, p50 ${off.p50} ms, p99 ${off.p99} ms`);
    await stopped(uncached);
    running = false;
    const offScans = `${(await scans(dbOf(ctx))) - s1} in ${(off.warmup?.total ?? 0) + off.total} requests`;
    const onScans = `${on.scans} in ${on.requests} requests`;
    log(`B3 ledger_accounts scans: caches on ${onScans}; off ${offScans}`);
    const b3 = on.r.rps / off.rps;
    return row(
      'B3',
      'wallet { balance } caches on ÷ off',
      b3,
      '≥ 1.3',
      b3 >= 1.3 && clean(on.r) && clean(off),
      `${fmt(on.r)} ÷ ${fmt(off)} (second server, CACHE_ENABLED=false); ledger_accounts scans (warm-up and measurement): ${onScans} on, ${offScans} off`,
    );
  } finally {
    if (running) await stopped(uncached);
  }
}
