/**
 * B1, B9, B11: transfers under load. One uniform measurement (B1's) is also B9's maximum
 * throughput and B11's baseline, so the three share it; its server CPU per transfer is B14's
 * numerator (in ctx.figures, for bench/money-flows.ts). Order: uniform, hot (B11), paced
 * (B9), pgbench (B1), then the deadlock count.
 *
 * - B1: uniform transfers/s ÷ pgbench's tpcb-like tps on a separate database.
 * - B9: transfers started evenly at half the uniform rate (open loop, bench/load.ts
 *   `pacedRate`), p99 ÷ p50 of latency counted from when each request was due. For
 *   comparison the raw column also shows autocannon's own `overallRate` at the same rate,
 *   which sends each second's requests in a burst at the start of the second.
 * - B11: 90 % of transfers touch one hot wallet (bench/load.ts `transfer.hot`: the other
 *   senders send to it; on its own turns it sends to one of them), 10 % uniform; its
 *   transfers/s ÷ the uniform ones. pg_stat_database.deadlocks is read before the uniform run
 *   and again once the counters have settled (pgbench runs in between); any deadlock in the
 *   transfer runs, or any error answer in the hot run, fails the row.
 */
import { execFileSync } from 'node:child_process';
import {
  CONNECTIONS,
  DURATION,
  PG,
  QUICK,
  WARMUP,
  clean,
  fmt,
  fmtCpu,
  fmtRunQueue,
  freshDatabase,
  load,
  log,
  measure,
  pgbench,
  psql,
  row,
  runQueueSnapshot,
  wanted,
  type BenchContext,
  type LoadResult,
  type Row,
} from './lib.js';

const PGBENCH_DB = 'wallet_pgbench';
const HOT_SHARE = 0.9;
/** PostgreSQL flushes a busy backend's counters (deadlocks among them) at most once a second... */
const STATS_SETTLE_MS = 2_000;
/** ...and when a flush finds the shared entry locked, tries again 10 s later. */
const STATS_LATE_MS = 11_000;

/** What bench/load.ts returns beyond lib's LoadResult. */
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function errorSummary(r: LoadResult): string {
  const codes = Object.entries(r.errorCodes ?? {}).map(([c, n]) => `${c} ×${n}`);
  const socket = r.errors ? [`socket errors ×${r.errors}`] : [];
  const all = [...codes, ...socket];
  return all.length ? all.join(', ') : 'no error answers';
}

export async function transferLoadRows(ctx: BenchContext): Promise<Row[]> {
  if (!wanted('B1', 'B9', 'B11', 'B14')) return [];
  const db = new URL(ctx.env.DATABASE_URL!).pathname.slice(1);
  const deadlocks = async (settleMs = STATS_SETTLE_MS): Promise<number> => {
    await sleep(settleMs);
    return Number(psql(db, 'select deadlocks from pg_stat_database where datname = current_database()'));
  };
  const transfer = { senders: ctx.seed.senders, recipientEmails: ctx.seed.recipientEmails };
  const rows: Row[] = [];

  const d0 = await deadlocks(0);
  const uniform = await measure('B1/B9/B11/B14 transfers, uniform', { url: ctx.ours, transfer }, ctx.serverPid);
  ctx.figures.transfersPerSecond = uniform.rps;
  ctx.figures.transferErrors = uniform.graphqlErrors + uniform.errors + uniform.non2xx;
  ctx.figures.transferServerCpuMs = uniform.cpu.server;
  ctx.figures.transferPostgresCpuMs = uniform.cpu.postgres;
  const d1 = await deadlocks();

  let hotRun: LoadResult | undefined;
  let hotShare = '';
  if (wanted('B11')) {
    // The hot wallet is the last sender's (the first is B4's reader), so it has a session and
    // money and can send back; the senders' emails come from the API itself.
    const emails = await Promise.all(ctx.seed.senders.map((s) => me(ctx.ours, s.token)));
    const index = ctx.seed.senders.length - 1;
    const hot = { share: HOT_SHARE, index, email: emails[index], otherEmails: emails.filter((_, i) => i !== index) };
    log(`B11 transfers, ${HOT_SHARE * 100} % touching one wallet: measuring ${DURATION}s (warm from the uniform run)`);
    hotRun = await load({ url: ctx.ours, transfer: { ...transfer, hot } });
    log(`B11 hot: ${hotRun.rps.toFixed(0)} req/s, p50 ${hotRun.p50} ms, p99 ${hotRun.p99} ms; ${errorSummary(hotRun)}`);
    if (hotRun.hotRequests !== undefined)
      hotShare = ` (${((100 * hotRun.hotRequests) / hotRun.total).toFixed(0)} % of requests touched it)`;
  }

  if (wanted('B9')) {
    const rate = uniform.rps / 2;
    log(`B9 transfers paced evenly at ${rate.toFixed(0)}/s (half of ${uniform.rps.toFixed(0)}): measuring ${DURATION}s`);
    // prom-client resets its event-loop delay histogram at every scrape: this one starts the window.
    const before = await serverMetrics(ctx.ours);
    const queuedBefore = runQueueSnapshot(ctx.serverPid);
    const paced = await load({ url: ctx.ours, transfer, pacedRate: rate });
    const queued = fmtRunQueue(queuedBefore, runQueueSnapshot(ctx.serverPid), paced.total);
    const after = await serverMetrics(ctx.ours);
    // Where the slow answers were slow: inside the server (its own duration histogram) or outside it.
    const inside = (le: string) => after.transfersOver(le) - before.transfersOver(le);
    const whole = (le: string) => after.httpOver(le) - before.httpOver(le);
    const loop =
      `${after.loop}; answers over 25 ms: ${paced.over25ms} seen by the client, ${whole('0.025')} timed by the server from first byte ` +
      `to response, ${inside('0.025')} inside the GraphQL operation; over 50 ms: ${paced.over50ms}, ${whole('0.05')}, ${inside('0.05')}; ` +
      `load generator's event-loop delay p99 ${paced.generatorLoopDelayP99} ms, max ${paced.generatorLoopDelayMax} ms; ` +
      `runnable but waiting for a CPU (schedstat run queue), per request: ${queued}`;
    log(`B9 paced: ${paced.rps.toFixed(0)} req/s, p50 ${paced.p50} ms, p99 ${paced.p99} ms; ${errorSummary(paced)}; ${loop}`);
    // For comparison only (the full run): autocannon's own pacing sends each second's requests in a burst.
    let bursty = '';
    if (!QUICK) {
      log(`B9 autocannon overallRate ${rate.toFixed(0)}: measuring ${DURATION}s`);
      const r = await load({ url: ctx.ours, transfer, overallRate: rate });
      log(`B9 autocannon overallRate: ${r.rps.toFixed(0)} req/s, p50 ${r.p50} ms, p99 ${r.p99} ms`);
      bursty = `; autocannon overallRate (bursts each second): p99 ${r.p99} ms ÷ p50 ${r.p50} ms = ${(r.p99 / r.p50).toFixed(2)}`;
    }
    const b9 = paced.p99 / paced.p50;
    // Half of a rate measured a moment ago is only half load if the machine is as busy as then.
    const behind =
      paced.p50 > uniform.p50 ? `; NB p50 above the uniform run's ${uniform.p50} ms: the server fell behind (busier machine?)` : '';
    rows.push(
      row(
        'B9',
        'transfer p99 ÷ p50 at half the maximum throughput',
        b9,
        '≤ 3',
        b9 <= 3 && clean(paced),
        `p99 ${paced.p99} ms ÷ p50 ${paced.p50} ms, evenly paced at ${rate.toFixed(0)}/s = half of ${uniform.rps.toFixed(0)} req/s ` +
          `(${paced.rps.toFixed(0)} req/s done, ${paced.total} req, ${errorSummary(paced)}; ${loop})` +
          bursty +
          behind,
      ),
    );
  }

  // pgbench runs on its own database; meanwhile the server's counters settle.
  const settleFrom = Date.now();
  if (wanted('B1')) {
    freshDatabase(PGBENCH_DB);
    execFileSync('pgbench', ['-i', '-s', '1', '-q', `${PG}/${PGBENCH_DB}`], { stdio: 'ignore' });
    log(`B1 pgbench: warm-up ${WARMUP}s, measuring ${DURATION}s`);
    pgbench(PGBENCH_DB, WARMUP);
    const pg = pgbench(PGBENCH_DB, DURATION);
    log(`B1 pgbench: ${pg.tps.toFixed(0)} tps`);
    const b1 = uniform.rps / pg.tps;
    rows.push(
      row(
        'B1',
        'transfers/s over HTTP ÷ pgbench -M prepared tpcb-like tps',
        b1,
        '≥ 0.5',
        b1 >= 0.5 && clean(uniform),
        `${fmt(uniform)} ÷ ${pg.tps.toFixed(0)} tps (pgbench -c ${CONNECTIONS}, scale 1); one transfer sends ${ctx.seed.transferSql.length} SQL statement(s). ` +
          `Transfer ${fmtCpu(uniform.cpu)}; pgbench transaction: whole machine ${pg.cpu.machine.toFixed(2)} ms, PostgreSQL ${pg.cpu.postgres.toFixed(2)} ms`,
      ),
    );
  }

  if (hotRun) {
    // Busy backends' counters can reach pg_stat_database up to ~10 s late.
    const d2 = await deadlocks(Math.max(0, STATS_LATE_MS - (Date.now() - settleFrom)));
    const b11 = hotRun.rps / uniform.rps;
    const dl = d2 - d0;
    log(`deadlocks (pg_stat_database): ${d1 - d0} by the end of the uniform run, ${dl} in all once settled`);
    rows.push(
      row(
        'B11',
        'hot wallet transfers/s (90 % on one wallet) ÷ uniform',
        b11,
        '≥ 0.3, no deadlock',
        b11 >= 0.3 && dl === 0 && clean(hotRun) && clean(uniform),
        `${fmt(hotRun)} with ${HOT_SHARE * 100} % touching one wallet${hotShare} ÷ ${fmt(uniform)} uniform; ` +
          `deadlocks (pg_stat_database.deadlocks): ${dl} over the uniform, hot${wanted('B9') ? ' and B9' : ''} runs; hot run: ${errorSummary(hotRun)}` +
          (hotRun.firstError ? `; first: ${hotRun.firstError.slice(0, 160)}` : ''),
      ),
    );
  }

  return rows;
}

/** The signed-in user's email, through the API. */
async function me(url: string, token: string): Promise<string> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query: '{ me { email } }' }),
  });
  const body = (await res.json()) as { data?: { me?: { email: string } | null }; errors?: unknown[] };
  if (!body.data?.me) throw new Error(`me: ${JSON.stringify(body)}`);
  return body.data.me.email;
}

/**
 * From the server's /metrics: its event-loop delay since the previous scrape (prom-client,
 * Node's monitorEventLoopDelay, reset at every scrape) and how many transfer mutations (the
 * load's operation `T`) took longer than a histogram bound.
 */
async function serverMetrics(
  graphqlUrl: string,
): Promise<{ loop: string; transfersOver(le: string): number; httpOver(le: string): number }> {
  const text = await (await fetch(new URL('/metrics', graphqlUrl))).text();
  const value = (pattern: string) => {
    const m = new RegExp(`^${pattern} ([\\d.e+-]+)$`, 'm').exec(text);
    return m ? Number(m[1]) : NaN;
  };
  const ms = (name: string) => `${(value(name) * 1000).toFixed(1)} ms`;
  // prom-client writes labels in its own order (le first): match each one wherever it is.
  const bucket = (le: string) => value(`graphql_request_duration_seconds_bucket\\{(?=[^}]*operation="T")(?=[^}]*le="${le}")[^}]*\\}`);
  const count = value(`graphql_request_duration_seconds_count\\{(?=[^}]*operation="T")[^}]*\\}`);
  const http = (le: string) =>
    value(`http_request_duration_seconds_count\\{(?=[^}]*route="/graphql")(?=[^}]*method="POST")[^}]*\\}`) -
    value(`http_request_duration_seconds_bucket\\{(?=[^}]*route="/graphql")(?=[^}]*method="POST")(?=[^}]*le="${le}")[^}]*\\}`);
  return {
    httpOver: (le) => (Number.isNaN(http(le)) ? 0 : http(le)),
    loop:
      `server event-loop delay p50 ${ms('nodejs_eventloop_lag_p50_seconds')}, p99 ${ms('nodejs_eventloop_lag_p99_seconds')}, ` +
      `max ${ms('nodejs_eventloop_lag_max_seconds')} (10 ms sampling)`,
    transfersOver: (le) => (Number.isNaN(count) ? 0 : count - bucket(le)),
  };
}
