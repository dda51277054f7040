/**
 * `npm run bench [-- --quick]`: starts what it needs (a fresh database, the built server,
 * a bare graphql-js server), seeds, warms up, measures side by side in one run and prints
 * one table of ratios; writes bench/results.json. Load comes from autocannon in a child
 * process (bench/load.ts); pgbench is the PostgreSQL baseline.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const QUICK = process.argv.includes('--quick');
const PG = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432';
const REDIS = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const DB = 'wallet_bench';
const PGBENCH_DB = 'wallet_pgbench';
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);
const DURATION = QUICK ? 8 : 30;
const WARMUP = QUICK ? 3 : 10;
const SWC = ['--import', '@swc-node/register/esm-register'];

const children: ChildProcess[] = [];
const log = (msg: string) => process.stderr.write(`[bench] ${msg}\n`);

function psql(db: string, sql: string): string {
  return execFileSync('psql', [`${PG}/${db}`, '-v', 'ON_ERROR_STOP=1', '-tAc', sql], { encoding: 'utf8' }).trim();
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

/** Runs a node child to completion, returning the JSON after `marker` on its stdout. */
function runNode<T>(args: string[], env: NodeJS.ProcessEnv, marker: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('exit', (code) => {
      const line = out.split('\n').find((l) => l.startsWith(`${marker} `));
      if (code !== 0 || !line) reject(new Error(`${args.join(' ')} exited ${code}\n${out.slice(-2000)}`));
      else resolve(JSON.parse(line.slice(marker.length + 1)) as T);
    });
  });
}

async function waitFor(url: string, init?: RequestInit, timeoutMs = 60_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      const res = await fetch(url, init);
      if (res.ok) return;
    } catch {
      /* not up yet */
    }
    if (Date.now() > until) throw new Error(`${url} not ready after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

function startServer(args: string[], env: NodeJS.ProcessEnv): ChildProcess {
  const child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ['ignore', 'ignore', 'inherit'] });
  children.push(child);
  return child;
}

interface LoadResult {
  rps: number;
  total: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  graphqlErrors: number;
  firstError?: string;
}

async function load(job: Record<string, unknown>, duration = DURATION): Promise<LoadResult> {
  const r = await runNode<LoadResult>([...SWC, 'bench/load.ts', JSON.stringify({ connections: CONNECTIONS, duration, ...job })], process.env, 'RESULT');
  if (r.graphqlErrors || r.errors || r.non2xx) log(`warning: ${r.graphqlErrors} error answers, ${r.errors} socket errors, first: ${r.firstError}`);
  return r;
}

/** Warm-up run (discarded), then the measured one. */
async function measure(label: string, job: Record<string, unknown>): Promise<LoadResult> {
  log(`${label}: warm-up ${WARMUP}s`);
  await load(job, WARMUP);
  log(`${label}: measuring ${DURATION}s`);
  const r = await load(job);
  log(`${label}: ${r.rps.toFixed(0)} req/s, p50 ${r.p50} ms, p99 ${r.p99} ms`);
  return r;
}

function pgbench(seconds: number): { tps: number; raw: string } {
  const raw = execFileSync(
    'pgbench',
    ['-M', 'prepared', '-c', String(CONNECTIONS), '-j', String(Math.min(CONNECTIONS, os.cpus().length)), '-T', String(seconds), '-n', `${PG}/${PGBENCH_DB}`],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const m = /tps = ([\d.]+)/.exec(raw);
  if (!m) throw new Error(`pgbench: no tps in\n${raw}`);
  return { tps: Number(m[1]), raw };
}

interface Row {
  id: string;
  what: string;
  ratio: number | null;
  goal: string;
  pass: boolean | null;
  raw: string;
}

async function main(): Promise<void> {
  const started = Date.now();
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'wallet-bench-'));
  const prefix = `bench:${process.pid}:${Date.now().toString(36)}:`;

  log(`fresh databases ${DB} and ${PGBENCH_DB}`);
  for (const db of [DB, PGBENCH_DB]) {
    psql('postgres', `DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
    psql('postgres', `CREATE DATABASE ${db}`);
  }
  execFileSync('pgbench', ['-i', '-s', '1', '-q', `${PG}/${PGBENCH_DB}`], { stdio: 'ignore' });

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
    MONITORING_BURST_COUNT: '1000000000',
    MONITORING_DAILY_OUTFLOW: 'NGN=900000000000000',
  };
  // NODE_ENV stays development: production refuses the sandbox payment provider and card
  // issuer. The JWT pair is generated into DATA_DIR by the seeding process and shared.

  log('seeding through the services (in-process) and counting B7 statements');
  const seed = await runNode<{
    seedMs: number;
    senders: { token: string; walletId: string }[];
    recipientEmails: string[];
    reader: { token: string; walletId: string };
    b7: { one: number; fifty: number };
    transferSql: string[];
  }>([...SWC, 'bench/seed.ts'], { ...env, PORT: String(await freePort()), LOG_LEVEL: 'warn' }, 'SEED');
  log(`seeded ${seed.senders.length + seed.recipientEmails.length} users and wallets in ${seed.seedMs} ms`);

  const ourPort = await freePort();
  const barePort = await freePort();
  // e.g. BENCH_SERVER_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" to profile our server.
  const serverArgs = (process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean);
  startServer([...serverArgs, 'dist/src/main.js'], { ...env, PORT: String(ourPort) });
  startServer([...SWC, 'bench/bare-server.ts'], { ...process.env, PORT: String(barePort) });
  const ours = `http://127.0.0.1:${ourPort}/graphql`;
  const bare = `http://127.0.0.1:${barePort}/graphql`;
  await waitFor(`http://127.0.0.1:${ourPort}/readyz`);
  await waitFor(bare, { method: 'POST', body: JSON.stringify({ query: '{ __typename }' }) });

  const auth = { authorization: `Bearer ${seed.reader.token}` };
  const typename = JSON.stringify({ query: '{ __typename }' });
  const walletQuery = JSON.stringify({
    query: 'query W($id: ID!) { wallet(id: $id) { balance { amount } } }',
    variables: { id: seed.reader.walletId },
  });

  const bareRes = await measure('B5 bare graphql-js', { url: bare, body: typename });
  const oursTypename = await measure('B5/B4 ours { __typename }', { url: ours, body: typename, headers: auth });
  const oursWallet = await measure('B4 ours wallet(id) { balance }', { url: ours, body: walletQuery, headers: auth });
  const transfers = await measure('B1 transfers', {
    url: ours,
    transfer: { senders: seed.senders, recipientEmails: seed.recipientEmails },
  });
  log(`B1 pgbench: warm-up ${WARMUP}s, measuring ${DURATION}s`);
  pgbench(WARMUP);
  const pg = pgbench(DURATION);
  log(`B1 pgbench: ${pg.tps.toFixed(0)} tps`);

  const fmt = (r: LoadResult) => `${r.rps.toFixed(0)} req/s (p50 ${r.p50} ms, p99 ${r.p99} ms, ${r.total} req, ${r.graphqlErrors} errors)`;
  const row = (id: string, what: string, ratio: number, goal: string, pass: boolean, raw: string): Row => ({ id, what, ratio, goal, pass, raw });
  const skipped = (id: string, what: string, goal: string, raw: string): Row => ({ id, what, ratio: null, goal, pass: null, raw });
  const b1 = transfers.rps / pg.tps;
  const b4 = oursWallet.rps / oursTypename.rps;
  const b5 = oursTypename.rps / bareRes.rps;
  const b7 = seed.b7.fifty / seed.b7.one;
  const rows: Row[] = [
    row('B1', 'transfers/s over HTTP ÷ pgbench -M prepared tpcb-like tps', b1, '≥ 0.5', b1 >= 0.5,
      `${fmt(transfers)} ÷ ${pg.tps.toFixed(0)} tps (pgbench -c ${CONNECTIONS}, scale 1); one transfer sends ${seed.transferSql.length} SQL statements through knex`),
    skipped('B2', 'transfers/s ÷ pgbench running one transfer\'s exact SQL', '≥ 0.7', 'not measured yet'),
    skipped('B3', 'wallet { balance } caches on ÷ off', '≥ 1.3', 'not measured: no switch to turn caches off without changing src/'),
    row('B4', 'wallet(id) { balance { amount } } ÷ { __typename }, same server', b4, '≥ 0.8', b4 >= 0.8, `${fmt(oursWallet)} ÷ ${fmt(oursTypename)}`),
    row('B5', '{ __typename } ours (auth, limits, metrics) ÷ bare graphql-js on node:http', b5, '≥ 0.3', b5 >= 0.3, `${fmt(oursTypename)} ÷ ${fmt(bareRes)}`),
    skipped('B6', 'history page p50 at 1,000,000 ÷ 10,000 transactions', '≤ 1.5', 'not measured yet'),
    row('B7', 'SQL statements, page of 50 (wallet, counterparty) ÷ page of 1', b7, '= 1', b7 === 1,
      `${seed.b7.fifty} ÷ ${seed.b7.one} statements (no card field in the page yet)`),
    skipped('B8', 'subscription events delivered ÷ expected, p99', '= 1', 'not measured yet'),
    skipped('B9', 'transfer p99 ÷ p50 at half max throughput', '≤ 3', 'not measured yet'),
    skipped('B10', 'resident KiB per idle subscriber', '≤ 20', 'not measured yet'),
    skipped('B11', 'hot wallet transfers/s ÷ uniform', '≥ 0.3', 'not measured yet'),
  ];

  const lines = [
    '| id | ratio | goal | pass | raw |',
    '|---|---|---|---|---|',
    ...rows.map((r) => `| ${r.id} | ${r.ratio === null ? '—' : r.ratio.toFixed(2)} | ${r.goal} | ${r.pass === null ? 'not measured' : r.pass ? 'pass' : 'FAIL'} | ${r.raw} |`),
  ];
  process.stdout.write(`\nnpm run bench${QUICK ? ' -- --quick' : ''}: ${CONNECTIONS} connections, ${DURATION}s per measurement after ${WARMUP}s warm-up, ${os.cpus().length} CPUs\n\n${lines.join('\n')}\n\n`);
  writeFileSync(
    path.join(ROOT, 'bench/results.json'),
    JSON.stringify(
      { at: new Date().toISOString(), quick: QUICK, connections: CONNECTIONS, duration: DURATION, warmup: WARMUP, rows, transferSql: seed.transferSql, tookMs: Date.now() - started },
      null,
      2,
    ),
  );
  log(`took ${((Date.now() - started) / 1000).toFixed(0)} s; wrote bench/results.json`);
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

function stopAll(): void {
  for (const c of children) if (c.exitCode === null) c.kill('SIGTERM');
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
