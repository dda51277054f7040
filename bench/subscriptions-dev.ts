/**
 * Runs only B8 and B10 on a database of their own (wallet_bench_subs), for working on them
 * while someone else runs `npm run bench` (which owns wallet_bench):
 *   npm run -s build && node --import @swc-node/register/esm-register bench/subscriptions-dev.ts [--quick]
 * `npm run bench` runs the same rows through bench/run.ts.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PG, REDIS, freePort, freshDatabase, log, startProcess, stopAll, waitFor, type BenchContext, type Seed } from './lib.js';
import { subscriptionRows } from './subscriptions.js';

const DB = 'wallet_bench_subs';

async function main(): Promise<void> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'wallet-bench-subs-dev-'));
  const prefix = `bench-subs:${process.pid}:${Date.now().toString(36)}:`;
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
    MONITORING_BURST_COUNT: '1000000000',
    MONITORING_DAILY_OUTFLOW: 'NGN=900000000000000',
  };
  // The server migrates the fresh database and writes the JWT pair the seeding then reads.
  const port = await freePort();
  startProcess(['dist/src/main.js'], { ...env, PORT: String(port) });
  await waitFor(`http://127.0.0.1:${port}/readyz`);
  const ctx: BenchContext = { env, ours: `http://127.0.0.1:${port}/graphql`, seed: {} as Seed, figures: {} };
  const rows = await subscriptionRows(ctx);
  for (const r of rows) process.stdout.write(`| ${r.id} | ${r.ratio?.toFixed(2)} | ${r.goal} | ${r.pass ? 'pass' : 'FAIL'} | ${r.raw} |\n`);
  rmSync(dataDir, { recursive: true, force: true });
  // This run's Redis keys (sessions, caches, counters).
  const { Redis } = await import('ioredis');
  const redis = new Redis(REDIS);
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    if (keys.length) await redis.del(...keys);
    cursor = next;
  } while (cursor !== '0');
  await redis.quit();
  log('done');
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
