/**
 * `npm run bench [-- --quick]`: starts what it needs (a fresh database, the built server,
 * a bare graphql-js server), seeds, warms up, measures side by side in one run and prints
 * one table of ratios; writes bench/results.json (a quick or BENCH_ONLY run: bench/results-partial.json). Load comes from autocannon in a child
 * process (bench/load.ts); pgbench is the PostgreSQL baseline. Each group of rows lives in
 * its own module and receives a BenchContext; BENCH_ONLY=B1,B6 runs only some of them.
 */
import { GENEROUS_LIMITS } from '../test/support/limits.js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  CONNECTIONS,
  DURATION,
  ONLY,
  PG,
  QUICK,
  REDIS,
  ROOT,
  SWC,
  WARMUP,
  clean,
  fmt,
  freePort,
  freshDatabase,
  log,
  measure,
  row,
  runNode,
  skipped,
  startProcess,
  stopAll,
  waitFor,
  wanted,
  type BenchContext,
  type LoadResult,
  type Row,
  type Seed,
} from './lib.js';
import { subscriptionRows } from './subscriptions.js';
import { cacheRow, cachedWalletRun } from './caches.js';
import { transferLoadRows } from './transfers.js';
import { replayRows } from './replay.js';
import { historyRows } from './history.js';
import { moneyFlowRows } from './money-flows.js';

const DB = 'wallet_bench';

/**
 * B3, B4, B5: the read path. { __typename } on bare graphql-js and on ours, then the wallet
 * query on ours with caches on (B4's numerator, B3's too), then with caches off (caches.ts).
 * Ours' { __typename } is also B14's denominator (its server CPU per request, in ctx.figures).
 */
async function readRows(ctx: BenchContext): Promise<Row[]> {
  const rows: Row[] = [];
  const auth = { authorization: `Bearer ${ctx.seed.reader.token}` };
  const typename = JSON.stringify({ query: '{ __typename }' });
  let bareRes: LoadResult | undefined;
  if (wanted('B5')) {
    const barePort = await freePort();
    startProcess([...SWC, 'bench/bare-server.ts'], { ...process.env, PORT: String(barePort) });
    const bare = `http://127.0.0.1:${barePort}/graphql`;
    await waitFor(bare, { method: 'POST', body: typename });
    bareRes = await measure('B5 bare graphql-js', { url: bare, body: typename });
  }
  const oursTypename = wanted('B4', 'B5', 'B14')
    ? await measure('B5/B4/B14 ours { __typename }', { url: ctx.ours, body: typename, headers: auth }, ctx.serverPid)
    : undefined;
  if (oursTypename) {
    ctx.figures.typenameServerCpuMs = oursTypename.cpu.server;
    ctx.figures.typenamePerSecond = oursTypename.rps;
    ctx.figures.typenameErrors = oursTypename.graphqlErrors + oursTypename.errors + oursTypename.non2xx;
  }
  const on = wanted('B3', 'B4') ? await cachedWalletRun(ctx) : undefined;
  if (on && oursTypename && wanted('B4')) {
    const b4 = on.r.rps / oursTypename.rps;
    rows.push(
      row(
        'B4',
        'wallet(id) { balance { amount } } ÷ { __typename }, same server',
        b4,
        '≥ 0.8',
        b4 >= 0.8 && clean(on.r) && clean(oursTypename),
        `${fmt(on.r)} ÷ ${fmt(oursTypename)}`,
      ),
    );
  }
  if (bareRes && oursTypename) {
    const b5 = oursTypename.rps / bareRes.rps;
    rows.push(
      row(
        'B5',
        '{ __typename } ours (auth, limits, metrics) ÷ bare graphql-js on node:http',
        b5,
        '≥ 0.3',
        b5 >= 0.3 && clean(oursTypename) && clean(bareRes),
        `${fmt(oursTypename)} ÷ ${fmt(bareRes)}`,
      ),
    );
  }
  if (on && wanted('B3')) rows.push(await cacheRow(ctx, on));
  return rows;
}

/** B7 is counted while seeding (bench/seed.ts). */
async function statementRows(ctx: BenchContext): Promise<Row[]> {
  if (!wanted('B7')) return [];
  const b7 = ctx.seed.b7.fifty / ctx.seed.b7.one;
  // seed.ts also says what the pages held (a card purchase and a transfer need different loaders).
  const { detail } = ctx.seed.b7 as { detail?: string };
  return [
    row(
      'B7',
      'SQL statements, page of 50 (wallet, card, counterparty) ÷ page of 1',
      b7,
      '= 1',
      b7 === 1,
      `${ctx.seed.b7.fifty} ÷ ${ctx.seed.b7.one} statements${detail ? ` (${detail})` : ''}`,
    ),
  ];
}

/** Row groups in the order they run. */
const GROUPS: ((ctx: BenchContext) => Promise<Row[]>)[] = [
  readRows,
  transferLoadRows,
  // Right after the transfer rows: B14 divides their figures, and the seeded sessions are fresh.
  moneyFlowRows,
  replayRows,
  statementRows,
  historyRows,
  subscriptionRows,
];

/** Every row of the issue, in table order; a row no group measured prints as not measured. */
const ALL: [string, string, string][] = [
  ['B1', 'transfers/s over HTTP ÷ pgbench -M prepared tpcb-like tps', '≥ 0.5'],
  ['B2', "transfers/s ÷ pgbench running one transfer's exact SQL", '≥ 0.7'],
  ['B3', 'wallet { balance } caches on ÷ off', '≥ 1.3'],
  ['B4', 'wallet(id) { balance { amount } } ÷ { __typename }, same server', '≥ 0.8'],
  ['B5', '{ __typename } ours (auth, limits, metrics) ÷ bare graphql-js on node:http', '≥ 0.3'],
  ['B6', 'history page p50 at 1,000,000 ÷ 10,000 transactions', '≤ 1.5'],
  ['B7', 'SQL statements, page of 50 (wallet, card, counterparty) ÷ page of 1', '= 1'],
  ['B8', 'subscription events delivered ÷ expected (2,000 subscribers, 200 events/s), p99', '= 1'],
  ['B9', 'transfer p99 ÷ p50 at half the maximum throughput', '≤ 3'],
  ['B10', 'resident KiB per idle subscriber', '≤ 20'],
  ['B11', 'hot wallet transfers/s (90 % on one wallet) ÷ uniform', '≥ 0.3'],
  ['B12', 'deposits/s (mutation + sandbox checkout, credited) ÷ transfers/s, 50 clients', '≥ 0.5'],
  ['B13', 'withdrawals settled/s ÷ transfers/s, 50 clients', '≥ 0.5'],
  ['B14', 'server CPU per transfer ÷ per authenticated { __typename }', '≤ 2'],
];

async function main(): Promise<void> {
  const started = Date.now();
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'wallet-bench-'));
  const prefix = `bench:${process.pid}:${Date.now().toString(36)}:`;

  log(`fresh database ${DB}`);
  freshDatabase(DB);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: 'development',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'info',
    DATA_DIR: dataDir,
    DATABASE_URL: `${PG}/${DB}`,
    REDIS_URL: REDIS,
    REDIS_KEY_PREFIX: prefix,
    RATE_LIMIT_LOGIN_PER_EMAIL: '1000000',
    RATE_LIMIT_LOGIN_PER_IP: '1000000',
    RATE_LIMIT_SIGNUP_PER_IP: '1000000',
    RATE_LIMIT_SIGNUP_PER_EMAIL: '1000000',
    ...GENEROUS_LIMITS,
    MONITORING_BURST_COUNT: '1000000000',
    MONITORING_DAILY_OUTFLOW: 'NGN=900000000000000',
    // The seed deposits each user's whole balance at once.
    LIMIT_DEPOSIT_MAX: 'NGN=900000000000000',
    LIMIT_BALANCE_MAX: 'NGN=900000000000000',
    // B13: the sandbox bank settles a payout at once instead of after 1 s. That delay stands for
    // the bank's time, not our work; B13 measures what our payments job takes to settle them.
    SANDBOX_PAYOUT_DELAY_MS: '0',
  };
  // NODE_ENV stays development: production refuses the sandbox payment provider and card
  // issuer. The JWT pair is generated into DATA_DIR by the seeding process and shared.

  log('seeding through the services (in-process) and counting B7 statements');
  const seed = await runNode<Seed>([...SWC, 'bench/seed.ts'], { ...env, PORT: String(await freePort()), LOG_LEVEL: 'warn' }, 'SEED');
  const seeded = seed.senders.length + seed.recipientEmails.length + seed.depositors.length + seed.withdrawers.length;
  log(`seeded ${seeded} users and wallets in ${seed.seedMs} ms`);

  const ourPort = await freePort();
  // e.g. BENCH_SERVER_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" to profile our server.
  const serverArgs = (process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const server = startProcess([...serverArgs, 'dist/src/main.js'], { ...env, PORT: String(ourPort) });
  await waitFor(`http://127.0.0.1:${ourPort}/readyz`);
  const ctx: BenchContext = { env, ours: `http://127.0.0.1:${ourPort}/graphql`, serverPid: server.pid!, seed, figures: {} };

  const measured: Row[] = [];
  for (const group of GROUPS) measured.push(...(await group(ctx)));
  const rows = ALL.map(([id, what, goal]) => measured.find((r) => r.id === id) ?? skipped(id, what, goal, 'not measured in this run'));

  const lines = [
    '| id | ratio | goal | pass | raw |',
    '|---|---|---|---|---|',
    ...rows.map(
      (r) =>
        `| ${r.id} | ${r.ratio === null ? '—' : r.ratio.toFixed(2)} | ${r.goal} | ${r.pass === null ? 'not measured' : r.pass ? 'pass' : 'FAIL'} | ${r.raw} |`,
    ),
  ];
  process.stdout.write(
    `\nnpm run bench${QUICK ? ' -- --quick' : ''}: ${CONNECTIONS} connections, ${DURATION}s per measurement after ${WARMUP}s warm-up, ${os.cpus().length} CPUs\n\n${lines.join('\n')}\n\n`,
  );
  // A full run of every row is the one the technical report quotes (bench/results.json,
  // committed); a quick or partial run must not take its place, so it goes beside it (ignored).
  const resultsFile = QUICK || ONLY.length > 0 ? 'bench/results-partial.json' : 'bench/results.json';
  writeFileSync(
    path.join(ROOT, resultsFile),
    JSON.stringify(
      {
        at: new Date().toISOString(),
        quick: QUICK,
        connections: CONNECTIONS,
        duration: DURATION,
        warmup: WARMUP,
        rows,
        transferSql: seed.transferSql,
        tookMs: Date.now() - started,
      },
      null,
      2,
    ),
  );
  log(`took ${((Date.now() - started) / 1000).toFixed(0)} s; wrote ${resultsFile}`);
  rmSync(dataDir, { recursive: true, force: true });
  await dropRedisKeys(prefix);
}

/** Removes this run's Redis keys (sessions, caches, rate-limit counters). */
async function dropRedisKeys(prefix: string): Promise<void> {
  const { Redis } = await import('ioredis');
  const redis = new Redis(REDIS, { lazyConnect: true });
  await redis.connect();
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    if (keys.length) await redis.del(...keys);
    cursor = next;
  } while (cursor !== '0');
  await redis.quit();
}

main().then(
  () => {
    stopAll();
    process.exit(0);
  },
  (err: Error) => {
    console.error(err);
    stopAll();
    process.exit(1);
  },
);
