/**
 * B3: B4's `wallet(id) { balance { amount } }` on our server with its caches on (the wallet
 * read cache and the response cache, both in Redis) ÷ the same query on a second server
 * process started with CACHE_ENABLED=false, which reads PostgreSQL for every request. Both
 * share the database, Redis and keys; each is measured after its own warm-up. How often
 * ledger_accounts was scanned during each (pg_stat_user_tables) shows which one went to
 * PostgreSQL.
 */
import {
  DURATION, WARMUP, fmt, freePort, load, log, psql, row, startProcess, stopped, waitFor, wanted, type BenchContext, type LoadResult, type Row,
} from './lib.js';

/** PostgreSQL flushes backends' counters at most once a second (exiting ones at once). */
const STATS_SETTLE_MS = 1_500;

export async function cacheRows(ctx: BenchContext): Promise<Row[]> {
  if (!wanted('B3')) return [];
  const db = new URL(ctx.env.DATABASE_URL!).pathname.slice(1);
  const scans = async (): Promise<number> => {
    await new Promise((r) => setTimeout(r, STATS_SETTLE_MS));
    return Number(
      psql(db, `select coalesce(seq_scan, 0) + coalesce(idx_scan, 0) from pg_stat_user_tables where relname = 'ledger_accounts'`),
    );
  };
  const port = await freePort();
  const serverArgs = (process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const uncached = startProcess([...serverArgs, 'dist/src/main.js'], { ...ctx.env, PORT: String(port), CACHE_ENABLED: 'false' });
  // lib's stopped() waits for an 'exit' that has already happened when called twice on a
  // child killed by a signal (exitCode stays null): stop it once.
  let running = true;
  try {
    await waitFor(`http://127.0.0.1:${port}/readyz`);
    const job = {
      body: JSON.stringify({
        query: 'query W($id: ID!) { wallet(id: $id) { balance { amount } } }',
        variables: { id: ctx.seed.reader.walletId },
      }),
      headers: { authorization: `Bearer ${ctx.seed.reader.token}` },
    };
    const measured = async (label: string, url: string): Promise<{ r: LoadResult; requests: number }> => {
      log(`${label}: warm-up ${WARMUP}s`);
      const warm = await load({ ...job, url }, WARMUP);
      log(`${label}: measuring ${DURATION}s`);
      const r = await load({ ...job, url });
      log(`${label}: ${r.rps.toFixed(0)} req/s, p50 ${r.p50} ms, p99 ${r.p99} ms`);
      return { r, requests: warm.total + r.total };
    };
    // Reads of ledger_accounts over warm-up and measurement together. A busy backend's counters
    // reach pg_stat_user_tables up to ~10 s late, but a backend that exits flushes them: the
    // uncached server is stopped before its count is read, so that one is exact; the cached
    // server's may come out a little low.
    const s0 = await scans();
    const on = await measured('B3 wallet(id) { balance }, caches on', ctx.ours);
    const s1 = await scans();
    const off = await measured('B3 wallet(id) { balance }, CACHE_ENABLED=false', `http://127.0.0.1:${port}/graphql`);
    await stopped(uncached);
    running = false;
    const s2 = await scans();
    const perRequest = (n: number, requests: number) => `${n} in ${requests} requests`;
    const onScans = perRequest(s1 - s0, on.requests);
    const offScans = perRequest(s2 - s1, off.requests);
    log(`B3 ledger_accounts scans: caches on ${onScans}; off ${offScans}`);
    const b3 = on.r.rps / off.r.rps;
    const errors = on.r.graphqlErrors + on.r.errors + off.r.graphqlErrors + off.r.errors;
    return [
      row('B3', 'wallet { balance } caches on ÷ off', b3, '≥ 1.3', b3 >= 1.3 && errors === 0,
        `${fmt(on.r)} ÷ ${fmt(off.r)} (second server, CACHE_ENABLED=false); ledger_accounts scans (warm-up and measurement): ${onScans} on, ${offScans} off`),
    ];
  } finally {
    if (running) await stopped(uncached);
  }
}
