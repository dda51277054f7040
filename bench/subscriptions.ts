/**
 * B8 (subscription events delivered ÷ expected, 2,000 subscribers, 200 events/s, p99) and
 * B10 (resident KiB per idle subscriber). Seeds 2,000 users with sessions, wallets and money
 * (bench/subscriptions-seed.ts, in-process through the services), then runs the subscriber
 * side in a child process of its own (bench/subscribers.ts): for B8 against our running
 * server, for B10 against a dedicated server started here with --expose-gc and a SIGUSR2
 * handler that collects garbage and reports process.memoryUsage().
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  DURATION,
  QUICK,
  SWC,
  WARMUP,
  freePort,
  log,
  row,
  runNode,
  startProcess,
  stopped,
  waitFor,
  wanted,
  type BenchContext,
  type Row,
} from './lib.js';
import type { SubscriberSeed } from './subscriptions-seed.js';
import type { SubscribersJob } from './subscribers.js';
import type { MemSample as Mem } from './subscribers-memory.js';

const SUBSCRIBERS = Number(process.env.BENCH_SUBSCRIBERS ?? 2000);
/** B8's 200 events/s are events delivered to subscribers; one transfer delivers two. */
const EVENTS_PER_SECOND = 200;
const EVENTS_PER_TRANSFER = 2;

/** Loaded into the B10 server with --import: SIGUSR2 → two full GCs, then memoryUsage() into BENCH_MEM_FILE. */
const GC_ON_SIGNAL =
  'data:text/javascript,' +
  encodeURIComponent(
    "import { writeFileSync } from 'node:fs';" +
      "process.on('SIGUSR2', () => { globalThis.gc(); globalThis.gc();" +
      ' writeFileSync(process.env.BENCH_MEM_FILE, JSON.stringify({ ...process.memoryUsage(), at: Date.now() })); });',
  );

interface B8Result {
  subscribers: number;
  subscriptionsReady: number;
  readyMs: number;
  subscriptionErrors: number;
  firstSubscriptionError?: string;
  closedByServer: number;
  firstClose?: string;
  rate: number;
  measuredTransfers: number;
  transfersOk: number;
  transfersFailed: number;
  firstTransferError?: string;
  windowOk: number;
  windowSeconds: number;
  achievedTransfersPerSecond: number;
  expectedWindow: number;
  deliveredWindow: number;
  expectedAll: number;
  deliveredAll: number;
  receivedTotal: number;
  unexpected: number;
  duplicates: number;
  laterState: number;
  firstUnexpected?: string;
  maxInflightAllowed: number;
  clientCpu: number;
  clientLoopDelayP99: number;
  drainMs: number;
  maxInflight: number;
  latency: { n: number; min: number; p50: number; p99: number; max: number; negative: number };
  sinceSent: { p50: number; p99: number };
  transferLatency: { p50: number; p99: number };
  scheduleLag: { p50: number; p99: number; max: number };
}

interface B10Result {
  subscribers: number;
  oneSubReady: number;
  twoSubsReady: number;
  closedByServer: number;
  firstClose?: string;
  channelsGoneAfterClose: number;
  samples: { base: Mem; idle: Mem; oneSub: Mem; twoSubs: Mem; after: Mem };
}

const ms = (n: number) => (Number.isFinite(n) ? n.toFixed(1) : '—');

export async function subscriptionRows(ctx: BenchContext): Promise<Row[]> {
  const b8 = wanted('B8');
  const b10 = wanted('B10');
  if (!b8 && !b10) return [];
  const dir = mkdtempSync(path.join(os.tmpdir(), 'wallet-bench-subs-'));
  try {
    log(`B8/B10: seeding ${SUBSCRIBERS} users with sessions, wallets and money (in-process)`);
    const usersFile = path.join(dir, 'users.json');
    const seed = await runNode<Omit<SubscriberSeed, 'users'> & { users: number }>(
      [...SWC, 'bench/subscriptions-seed.ts'],
      { ...ctx.env, BENCH_SUB_USERS: String(SUBSCRIBERS), BENCH_SUB_OUT: usersFile, LOG_LEVEL: 'warn' },
      'SUBSEED',
    );
    log(
      `B8/B10: seeded ${seed.users} users in ${seed.seedMs} ms (sessions ${seed.sessionsMs}, wallets ${seed.walletsMs}, deposits ${seed.fundMs})`,
    );
    const rows: Row[] = [];
    if (b8) rows.push(await b8Row(ctx, usersFile));
    if (b10) rows.push(await b10Row(ctx, usersFile, dir));
    return rows;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function b8Row(ctx: BenchContext, usersFile: string): Promise<Row> {
  const rate = EVENTS_PER_SECOND / EVENTS_PER_TRANSFER;
  const job: SubscribersJob = {
    mode: 'b8',
    url: ctx.ours,
    usersFile,
    transfersPerSecond: rate,
    warmupSeconds: WARMUP,
    seconds: DURATION,
    drainMs: QUICK ? 10_000 : 20_000,
  };
  log(`B8: ${SUBSCRIBERS} subscribers, ${rate} transfers/s (${EVENTS_PER_SECOND} events/s delivered), ${WARMUP}s warm-up + ${DURATION}s`);
  const r = await runNode<B8Result>([...SWC, 'bench/subscribers.ts', JSON.stringify(job)], ctx.env, 'SUBS');
  const ratio = r.expectedWindow === 0 ? 0 : r.deliveredWindow / r.expectedWindow;
  log(
    `B8: ${r.deliveredWindow} of ${r.expectedWindow} events, p50 ${ms(r.latency.p50)} ms, p99 ${ms(r.latency.p99)} ms after the response; ` +
      `${r.achievedTransfersPerSecond.toFixed(0)} transfers/s achieved, ${r.transfersFailed} failed, ${r.unexpected} unexpected, ${r.duplicates} duplicates`,
  );
  const problems = [
    r.subscriptionsReady < r.subscribers ? `only ${r.subscriptionsReady} subscriptions in place` : '',
    r.subscriptionErrors ? `${r.subscriptionErrors} subscription errors (${r.firstSubscriptionError})` : '',
    r.closedByServer ? `${r.closedByServer} connections closed by the server (${r.firstClose})` : '',
    r.transfersFailed ? `${r.transfersFailed} transfers failed (${r.firstTransferError})` : '',
    r.unexpected ? `${r.unexpected} events matching no transfer (${r.firstUnexpected})` : '',
    r.duplicates ? `${r.duplicates} extra balance events` : '',
    r.deliveredWindow / r.windowSeconds < 0.95 * EVENTS_PER_SECOND
      ? `the server produced ${(r.deliveredWindow / r.windowSeconds).toFixed(0)} events/s, not ${EVENTS_PER_SECOND}`
      : '',
    r.maxInflight >= r.maxInflightAllowed
      ? `${r.maxInflightAllowed} transfers in flight at once (the cap): the schedule slipped by up to ${ms(r.scheduleLag.max)} ms`
      : '',
  ].filter(Boolean);
  const raw =
    `${r.deliveredWindow} ÷ ${r.expectedWindow} events; ${r.subscribers} graphql-ws connections with one subscription each ` +
    `(half balanceUpdated, half transactionUpdated) in a child process that also sends the transfers ` +
    `(it used ${(r.clientCpu * 100).toFixed(0)} % of a CPU, event-loop delay p99 ${ms(r.clientLoopDelayP99)} ms); 200 events/s = events delivered to subscribers: ` +
    `${rate} transfers/s between subscribed users through the API, each owing one event to each side ` +
    `(${r.windowOk} transfers in ${DURATION}s after ${WARMUP}s warm-up, achieved ${r.achievedTransfersPerSecond.toFixed(0)}/s = ` +
    `${(r.deliveredWindow / r.windowSeconds).toFixed(0)} events/s delivered, ` +
    `transfer p50 ${ms(r.transferLatency.p50)} ms p99 ${ms(r.transferLatency.p99)} ms); ` +
    `delivery after the mutation's response p50 ${ms(r.latency.p50)} ms, **p99 ${ms(r.latency.p99)} ms** ` +
    `(max ${ms(r.latency.max)} ms, ${r.latency.negative} before the response; after the request was sent p99 ${ms(r.sinceSent.p99)} ms)` +
    (r.laterState
      ? `; ${r.laterState} balance events showed a later balance than their transfer left (overlapping transfers of one user; counted as delivered)`
      : '') +
    (problems.length ? `; ${problems.join('; ')}` : '');
  return row(
    'B8',
    'subscription events delivered ÷ expected (2,000 subscribers, 200 events/s), p99',
    ratio,
    '= 1',
    ratio === 1 && problems.length === 0,
    raw,
  );
}

const B10_READINGS = QUICK ? 3 : 5;

async function b10Row(ctx: BenchContext, usersFile: string, dir: string): Promise<Row> {
  const port = await freePort();
  const memFile = path.join(dir, 'mem.json');
  log('B10: dedicated server with --expose-gc');
  const server = startProcess(['--expose-gc', '--import', GC_ON_SIGNAL, 'dist/src/main.js'], {
    ...ctx.env,
    PORT: String(port),
    BENCH_MEM_FILE: memFile,
  });
  try {
    await waitFor(`http://127.0.0.1:${port}/readyz`);
    const job: SubscribersJob = {
      mode: 'b10',
      url: `http://127.0.0.1:${port}/graphql`,
      usersFile,
      serverPid: server.pid!,
      memFile,
      settleMs: QUICK ? 1_000 : 4_000,
      readings: B10_READINGS,
    };
    const r = await runNode<B10Result>([...SWC, 'bench/subscribers.ts', JSON.stringify(job)], ctx.env, 'SUBS');
    const s = r.samples;
    const n = r.subscribers;
    const per = (a: Mem, b: Mem) => (b.rssKiB - a.rssKiB) / n;
    const heapPer = (a: Mem, b: Mem) => (b.heapUsed - a.heapUsed) / 1024 / n;
    const extPer = (a: Mem, b: Mem) => (b.external - a.external) / 1024 / n;
    const kib = per(s.base, s.oneSub);
    log(
      `B10: ${kib.toFixed(1)} KiB per subscriber (connection ${per(s.base, s.idle).toFixed(1)}, subscription ${per(s.idle, s.oneSub).toFixed(1)}, second subscription ${per(s.oneSub, s.twoSubs).toFixed(1)})`,
    );
    const problems = [
      r.oneSubReady < n ? `only ${r.oneSubReady} subscriptions in place` : '',
      r.closedByServer ? `${r.closedByServer} connections closed by the server (${r.firstClose})` : '',
    ].filter(Boolean);
    const raw =
      `VmRSS ${s.oneSub.rssKiB} KiB with ${n} connections × 1 subscription − ${s.base.rssKiB} KiB before, ÷ ${n} ` +
      `(dedicated server, median of ${B10_READINGS} readings each after a forced GC). Per connection with no subscription ` +
      `${per(s.base, s.idle).toFixed(1)} KiB (JS heap ${heapPer(s.base, s.idle).toFixed(1)}), + first subscription ` +
      `${per(s.idle, s.oneSub).toFixed(1)} KiB (heap ${heapPer(s.idle, s.oneSub).toFixed(1)}), + second ` +
      `${per(s.oneSub, s.twoSubs).toFixed(1)} KiB (heap ${heapPer(s.oneSub, s.twoSubs).toFixed(1)}); external ` +
      `${extPer(s.base, s.oneSub).toFixed(1)} KiB; after closing all: ${s.after.rssKiB} KiB (heap ${(s.after.heapUsed / 1024).toFixed(0)} KiB vs ${(s.base.heapUsed / 1024).toFixed(0)} before)` +
      (problems.length ? `; ${problems.join('; ')}` : '');
    return row('B10', 'resident KiB per idle subscriber', kib, '≤ 20', kib <= 20 && problems.length === 0, raw);
  } finally {
    await stopped(server);
  }
}
